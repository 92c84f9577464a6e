package classify

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRequiredLiterals(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`No matching distribution found for (?<package>\S+)`, []string{"no matching distribution found for "}},
		{`(?i)killed`, []string{"killed"}},
		{`(?:pip|conda) install failed`, []string{"conda install failed", "pip install failed"}},
		{`[Ee]rror: (?<msg>.*)`, []string{"error: "}},
		{`foo|\d+`, nil},
		{`^\s*$`, nil},
		{`abc`, nil}, // shorter than four bytes
		{`(?<file>[\w./-]+\.(?:c|cpp)):(?<line>\d+):\d+: (?:fatal )?error: `, []string{"error: "}},
		{`returned a non-zero code: (?<code>\d+)`, []string{"returned a non-zero code: "}},
		// regexp2-only syntax is relaxed before parsing
		{`(?<!pip )error(?!_count): (?=\S)`, []string{"error"}},
		{`(?>atomic group) done`, []string{"atomic group done"}},
		{`(?'name'quoted) name`, []string{"quoted name"}},
		{`(\w+) again \1 twice`, []string{" again "}},
		{`x(?:ab|cd){2}y`, []string{"xababy", "xabcdy", "xcdaby", "xcdcdy"}},
		{`E: Unable to locate package`, []string{"e: unable to locate package"}},
		{`(unclosed`, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, requiredLiterals(tt.expr)); diff != "" {
			t.Errorf("requiredLiterals(%q) mismatch (-want +got):\n%s", tt.expr, diff)
		}
	}
}

// TestPrefilterOverlapping checks that literals inside other literals, and
// overlapping occurrences, are all found.
func TestPrefilterOverlapping(t *testing.T) {
	p := newPrefilter([][]string{{"error: "}, {"collect2: error: ld"}, {"ld returned"}, {"aaaa"}})
	c := newCandidates(4)
	c.reset()
	p.scan([]byte("collect2: ERROR: ld returned 1 exit status aaaaa"), &c)
	if diff := cmp.Diff([]int32{0, 1, 2, 3}, c.sorted()); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	c.reset()
	p.scan([]byte("nothing to see"), &c)
	if len(c.list) != 0 {
		t.Errorf("found %v in a clean line", c.list)
	}
}
