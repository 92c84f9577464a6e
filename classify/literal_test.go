package classify

import (
	"fmt"
	"strings"
	"testing"

	"github.com/buildlog/buildlog/classify/internal/loggen"
	"github.com/dlclark/regexp2/v2"
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
		// ten digits times two: longer literals win over a small set
		{`(?<file>[\w./-]+\.(?:c|cpp)):(?<line>\d+):\d+: (?:fatal )?error: `, digitsThen(": error: ", ": fatal error: ")},
		{`returned a non-zero code: (?<code>\d+)`, []string{"returned a non-zero code: "}},
		// regexp2-only syntax is relaxed before parsing
		{`(?<!pip )error(?!_count): (?=\S)`, []string{"error"}},
		{`(?>atomic group) done`, []string{"atomic group done"}},
		{`(?'name'quoted) name`, []string{"quoted name"}},
		{`(\w+) again \1 twice`, []string{" again "}},
		{`x(?:ab|cd){2}y`, []string{"xababy", "xabcdy", "xcdaby", "xcdcdy"}},
		{`E: Unable to locate package`, []string{"e: unable to locate package"}},
		{`(unclosed`, nil},
		// literals that run across group boundaries, and optional parts
		// ten 5-byte literals beat one of 4 bytes, which would set the
		// prefilter's stride to 1 for the whole catalog
		{`^(?<file>[\w./-]+\.go):(?<line>\d+)`, []string{".go:0", ".go:1", ".go:2", ".go:3", ".go:4", ".go:5", ".go:6", ".go:7", ".go:8", ".go:9"}},
		{`colou?r mismatch`, []string{"color mismatch", "colour mismatch"}},
		{`https?://(?<host>[^/\s]+)/`, []string{"http://", "https://"}},
		{`(?:(?:pip|conda) install)+ failed`, []string{"conda install failed", "pip install failed"}},
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

func TestCaselessClasses(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain \S+`, `plain \S+`},
		{`(?i)https?://(?<h>[^/\s"]+)/\S*`, `(?i)https?://(?<h>(?-i:[^/\s"])+)/(?-i:\S)*`},
		{`(?i)[^a-z]x[A-Z0-9]\x41[\x41]`, `(?i)[^a-z]x[A-Z0-9]\x41[\x41]`},
		{`(?i)[^é]\.`, `(?i)[^é]\.`},
		{`(?i)[[:alpha:]][0-9_-]`, `(?i)[[:alpha:]](?-i:[0-9_-])`},
	}
	for _, tt := range tests {
		if got := caselessClasses(tt.in); got != tt.want {
			t.Errorf("caselessClasses(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCaselessClassesKeepMeaning compiles case-insensitive patterns with and
// without the rewrite and checks they agree on every line of a generated log
// and on lines made to probe case and Unicode.
func TestCaselessClassesKeepMeaning(t *testing.T) {
	patterns := []string{
		`(?i)https?://(?<h>[^/\s"]+)/\S*`,
		`(?i)error: (?<msg>\S+) [^\d\s]+`,
		`(?i)\bkilled\W+\w+`,
		`(?i)no space[\s\-_]+left`,
	}
	lines := strings.Split(string(loggen.Bytes(loggen.Options{FailureEvery: 7}, 1<<20)), "\n")
	lines = append(lines, "HTTPS://Host.Example/ÄÖ path", "ERROR: x ÉÉ", "KILLED!! Ünïcode", "No Space\u00a0Left", "no space - left", "ERROR: \u212a K")
	for _, p := range patterns {
		a := regexp2.MustCompile(p, regexp2.RE2)
		b := regexp2.MustCompile(caselessClasses(p), regexp2.RE2)
		for _, l := range lines {
			ma, _ := a.FindStringMatch(l)
			mb, _ := b.FindStringMatch(l)
			if (ma == nil) != (mb == nil) || ma != nil && ma.String() != mb.String() {
				t.Errorf("%q on %q: %v vs %v", p, l, ma, mb)
			}
		}
	}
}

func TestLeadingRepeat(t *testing.T) {
	tests := []struct {
		expr string
		want bool
	}{
		{`(?<file>[\w./-]+)\.c:\d+: error`, true},
		{`\S+\.whl is not a valid wheel`, true},
		{`(?:make|[^\s:]*Makefile):`, true},
		{`.*error`, true},
		{`(?<![\w./-])(?<file>[\w./-]+)\.c:\d+: error`, false},
		{`^\S+ failed`, false},
		{`error: (?<msg>.+)`, false},
		{`(?i)killed`, false},
		{`(?:make|(?<![^\s:])[^\s:]*Makefile):`, false},
	}
	for _, tt := range tests {
		if got := leadingRepeat(tt.expr); got != tt.want {
			t.Errorf("leadingRepeat(%q) = %v, want %v", tt.expr, got, tt.want)
		}
	}
}

// digitsThen returns each digit followed by each suffix, sorted.
func digitsThen(suffixes ...string) []string {
	var out []string
	for d := '0'; d <= '9'; d++ {
		for _, s := range suffixes {
			out = append(out, string(d)+s)
		}
	}
	return dedupe(out)
}

// TestCompileWarnsAboutShortLiterals checks the warnings about a pattern with
// no literal and about one whose shortest literal is 4 bytes, which would
// make the prefilter read every position of every line for the whole
// catalog; patterns of 5 bytes or more, derived or declared, are quiet.
func TestCompileWarnsAboutShortLiterals(t *testing.T) {
	src := `rules:
  - id: short
    group: g
    title: t
    remediation: r
    patterns:
      - 'exit(?<code>.+)'
      - pattern: 'status (?<code>\d+)'
        literals: ['atus']
      - 'fatal: (?<msg>.+)'
      - pattern: '\.go:\d+'
        literals: ['.go:0', '.go:1', '.go:2', '.go:3', '.go:4', '.go:5', '.go:6', '.go:7', '.go:8', '.go:9']
      - '^\d+ failed'
      - '^\d+x'
`
	cat, err := ParseCatalog("short.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(cat)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range m.Warnings() {
		msg := w.Error()
		switch {
		case strings.Contains(msg, "shortest literal is 4 bytes"):
			got = append(got, fmt.Sprint(w.Pos.Line, " 4 bytes"))
		case strings.Contains(msg, "runs on every line"):
			got = append(got, fmt.Sprint(w.Pos.Line, " none"))
		default:
			got = append(got, fmt.Sprint(w.Pos.Line, " ", msg))
		}
	}
	want := []string{"7 4 bytes", "8 4 bytes", "14 none"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings mismatch (-want +got):\n%s\nall: %v", diff, m.Warnings())
	}
	if m.pf.stride != 1 {
		t.Errorf("stride = %d with a 4-byte literal, want 1", m.pf.stride)
	}
}

// TestCompileWarnsAboutUnimpliedLiterals: declared literals that a pattern
// can match without (a rule's literals meant for its other pattern, a typo,
// a literal longer than what the pattern requires) draw a warning that shows
// such a match; literals every match holds draw none, however they are
// spelt (case, a digit class spelt out, a literal the pattern implies only
// through a class).
func TestCompileWarnsAboutUnimpliedLiterals(t *testing.T) {
	src := `rules:
  - id: two_patterns
    group: g
    title: t
    remediation: r
    literals: ['satisfies the requirement']
    patterns:
      - 'Could not find a version that satisfies the requirement (?<package>\S+)'
      - 'No matching distribution found for (?<package>\S+)'
  - id: quiet
    group: g
    title: t
    remediation: r
    patterns:
      - pattern: '(?<![^\s:])(?<file>[^\s:]+\.go):(?<line>\d+):\d+: (?<msg>.+)'
        literals: ['.go:0', '.go:1', '.go:2', '.go:3', '.go:4', '.go:5', '.go:6', '.go:7', '.go:8', '.go:9']
      - pattern: 'ERROR: Failed building wheel'
        literals: ['failed building']
      - pattern: 'curl: \((?:6|7)\) (?:Could not resolve|Failed to connect)'
        literals: ['curl: (6) could not', 'curl: (7) failed', 'curl: (6) failed', 'curl: (7) could not']
  - id: loud
    group: g
    title: t
    remediation: r
    patterns:
      - pattern: 'npm (?:ERR!|error) code (?<code>E\w+)'
        literals: ['npm err!']
      - pattern: '(?:cl|c1xx)(?:\.exe)?: fatal error'
        literals: ['cl.exe: fatal']
      - pattern: 'exit code (?:124|137)'
        literals: ['exit code 137']
`
	cat, err := ParseCatalog("lits.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(cat)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range m.Warnings() {
		if msg := w.Error(); strings.Contains(msg, "not in every match") {
			_, match, _ := strings.Cut(msg, "the pattern matches ")
			match, _, _ = strings.Cut(match, ", which")
			got = append(got, fmt.Sprintf("%d %s %s", w.Pos.Line, w.Rule, match))
		}
	}
	want := []string{
		`9 two_patterns "No matching distribution found for a"`,
		`26 loud "npm error code Ea"`,
		`28 loud "c1xx: fatal error"`,
		`30 loud "exit code 124"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings mismatch (-want +got):\n%s\nall: %v", diff, m.Warnings())
	}
	// Lazy compilation has no regular expression to confirm a witness with:
	// no warning, and no regex compiled for it.
	lazy, err := Compile(cat, WithLazyCompile())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range lazy.Warnings() {
		if strings.Contains(w.Error(), "not in every match") {
			t.Errorf("lazy compile warned: %v", w)
		}
	}
}
