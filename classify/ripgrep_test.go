package classify

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// ripgrepCannot matches syntax that ripgrep's regex engine lacks:
// look-around, atomic groups, backreferences and possessive quantifiers.
var ripgrepCannot = regexp.MustCompile(`\(\?<?[=!]|\(\?>|\\[1-9]|\\k<|[*+?}][+]`)

// namedGroup matches the opening of a named group; ripgrep reads every
// pattern as one alternation, where repeated names are an error, and only
// counts lines, so the groups become plain ones.
var namedGroup = regexp.MustCompile(`\(\?P?<[A-Za-z_]\w*>`)

// TestRipgrepPatterns writes, when BUILDLOG_RG_DIR names a folder, the
// default catalog's start patterns in ripgrep's syntax (patterns.txt, one
// per line; those ripgrep cannot express are left out, and their number is
// in skipped.txt) and the prefilter's literals (literals.txt), for the
// comparison with ripgrep that .ci/perf prints.
func TestRipgrepPatterns(t *testing.T) {
	dir := os.Getenv("BUILDLOG_RG_DIR")
	if dir == "" {
		t.Skip("set BUILDLOG_RG_DIR to write the files")
	}
	m := defaultCatalogMatcher(t)
	var pats []string
	skipped := 0
	lits := map[string]bool{}
	for _, st := range m.starts {
		for _, l := range st.lits {
			if !strings.ContainsAny(l, "\r\n") { // a line never holds one
				lits[l] = true
			}
		}
		expr := namedGroup.ReplaceAllString(st.expr, "(?:")
		if ripgrepCannot.MatchString(expr) || strings.ContainsAny(expr, "\n\r") {
			skipped++
			continue
		}
		pats = append(pats, expr)
	}
	var ls []string
	for l := range lits {
		ls = append(ls, l)
	}
	sort.Strings(ls)
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("patterns.txt", strings.Join(pats, "\n")+"\n")
	write("literals.txt", strings.Join(ls, "\n")+"\n")
	write("skipped.txt", strings.Repeat("x\n", skipped))
	t.Logf("%d start patterns: %d written, %d ripgrep cannot express; %d literals", len(m.starts), len(pats), skipped, len(ls))
}
