package classify

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/buildlog/buildlog/classify/internal/loggen"
)

// naiveCandidates is the prefilter's meaning, written the slow way: every
// target with a literal that occurs in line, ignoring ASCII case.
func naiveCandidates(lits [][]string, line []byte) []int32 {
	low := foldASCII(line) // literals are lower-case; only ASCII letters fold
	var out []int32
	for t, set := range lits {
		for _, l := range set {
			if bytes.Contains(low, []byte(l)) {
				out = append(out, int32(t))
				break
			}
		}
	}
	return out
}

// foldASCII lowers ASCII letters only, as the prefilter does.
func foldASCII(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// defaultLiterals returns the literal sets of the default catalog's
// patterns, as Compile gives them to the prefilter.
func defaultLiterals(tb testing.TB) [][]string {
	m := defaultCatalogMatcher(tb)
	lits := make([][]string, len(m.starts))
	for i, st := range m.starts {
		lits[i] = st.lits
	}
	return lits
}

func checkPrefilter(t *testing.T, p *prefilter, lits [][]string, c *candidates, line []byte) {
	t.Helper()
	c.reset()
	p.scan(line, c)
	got := slices.Clone(c.sorted())
	want := naiveCandidates(lits, line)
	if !slices.Equal(got, want) {
		t.Fatalf("line %q: prefilter gives %v, a naive search %v", line, got, want)
	}
}

// TestPrefilterAgreesWithNaiveSearch runs the default catalog's literals
// over the generated log, every fixture-like shape of line, and each line
// cut at every length, against a naive search.
func TestPrefilterAgreesWithNaiveSearch(t *testing.T) {
	lits := defaultLiterals(t)
	p := newPrefilter(lits)
	c := newCandidates(len(lits) + 1)
	data := loggen.Bytes(loggen.Options{FailureEvery: 50}, 1<<20)
	for _, line := range bytes.Split(data, []byte("\n")) {
		checkPrefilter(t, p, lits, &c, line)
	}
	// Every literal, upper-cased, at each offset of the 8-byte loads, whole
	// and cut by one byte, alone and followed by more text.
	for _, set := range lits {
		for _, l := range set {
			for off := 0; off < 9; off++ {
				line := append(bytes.Repeat([]byte("x"), off), bytes.ToUpper([]byte(l))...)
				checkPrefilter(t, p, lits, &c, line)
				checkPrefilter(t, p, lits, &c, line[:len(line)-1])
				checkPrefilter(t, p, lits, &c, append(line, " tail"...))
			}
		}
	}
}

// FuzzPrefilter checks the prefilter against the naive search on any line.
func FuzzPrefilter(f *testing.F) {
	lits := defaultLiterals(f)
	p := newPrefilter(lits)
	c := newCandidates(len(lits) + 1)
	f.Add([]byte("collect2: ERROR: ld returned 1 exit status"))
	f.Add([]byte("E: Unable to locate package foo; Killed"))
	f.Add([]byte("\x00\xffNo space left on device"))
	f.Fuzz(func(t *testing.T, line []byte) {
		checkPrefilter(t, p, lits, &c, line)
	})
}

// TestPrefilterKeepsRegexpsRare checks that the default catalog's literals
// keep the regular expressions off ordinary lines: on the generated log
// (Docker, pip, conda, apt and compiler chatter, near-miss words, a failure
// every 10,000 lines) at most one line in a hundred runs any. A pattern
// whose literal every compiler or conda line contains breaks this: three
// such patterns once ran on 5% of the lines and cost 40% of the time.
func TestPrefilterKeepsRegexpsRare(t *testing.T) {
	m := defaultCatalogMatcher(t)
	data := loggen.Bytes(loggen.Options{}, 8<<20)
	lines := bytes.Count(data, []byte("\n"))
	s := m.NewSession()
	for _, err := range s.Scan(context.Background(), bytes.NewReader(data)) {
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d regexp runs on %d lines", s.det.runs, lines)
	if s.det.runs*100 > lines {
		t.Errorf("%d regexp runs on %d lines: more than one line in a hundred runs a pattern; find the pattern whose literal is too common (triage explain --line)", s.det.runs, lines)
	}
}
