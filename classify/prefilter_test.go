package classify

import (
	"bytes"
	"context"
	"slices"
	"strings"
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

// TestPrefilterLargeCatalog compares a prefilter of 16 times the default
// catalog's literals (grownLiterals, as BenchmarkPrefilterGrowth uses them),
// whose bit set is the largest, with a naive search on the generated log.
func TestPrefilterLargeCatalog(t *testing.T) {
	lits := grownLiterals(t, 16)
	p := newPrefilter(lits)
	if len(p.bits) != 1<<(maxHashBits-6) {
		t.Errorf("%d literals: bit set of %d words, want the largest, %d", len(p.lits), len(p.bits), 1<<(maxHashBits-6))
	}
	if small := newPrefilter(defaultLiterals(t)); len(small.bits) != 1<<(minHashBits-6) {
		t.Errorf("default catalog: bit set of %d words, want the smallest, %d", len(small.bits), 1<<(minHashBits-6))
	}
	c := newCandidates(len(lits) + 1)
	size, every := 64<<10, 40
	if raceEnabled {
		size, every = 8<<10, 400
	}
	data := loggen.Bytes(loggen.Options{FailureEvery: 50}, size)
	for _, line := range bytes.Split(data, []byte("\n")) {
		checkPrefilter(t, p, lits, &c, line)
		checkPrefilter(t, p, lits, &c, bytes.ToUpper(line))
	}
	// Some of the literals, rotated, inside a line at two offsets.
	for i, l := range p.lits {
		if i%every == 0 {
			checkPrefilter(t, p, lits, &c, []byte("x"+l.text+" y"))
			checkPrefilter(t, p, lits, &c, []byte("ab: "+strings.ToUpper(l.text)))
		}
	}
}

// strideLiterals returns, for each stride the prefilter can take, a set of
// literals that gives it that stride: the default catalog's literals of at
// least stride+3 bytes, and one of exactly stride+3 bytes cut from one of
// them, so that the shortest literal sets the stride.
func strideLiterals(tb testing.TB) map[int][][]string {
	out := map[int][][]string{}
	for stride := 1; stride <= maxStride; stride++ {
		n := stride + 3
		var lits [][]string
		for _, set := range defaultLiterals(tb) {
			var kept []string
			for _, l := range set {
				if len(l) >= n {
					kept = append(kept, l)
				}
			}
			if len(kept) > 0 {
				lits = append(lits, kept)
			}
		}
		lits = append(lits, []string{lits[0][0][:n]})
		out[stride] = lits
	}
	return out
}

// TestPrefilterEveryStride runs the naive-search comparison at every stride:
// each literal placed at every offset modulo the stride, with the stride's
// literal sets, on the generated log and on lines cut at every length.
func TestPrefilterEveryStride(t *testing.T) {
	size := 128 << 10
	if raceEnabled {
		size = 16 << 10
	}
	data := loggen.Bytes(loggen.Options{FailureEvery: 50}, size)
	lines := bytes.Split(data, []byte("\n"))
	for stride, lits := range strideLiterals(t) {
		p := newPrefilter(lits)
		if p.stride != stride {
			t.Fatalf("literal sets for stride %d give stride %d", stride, p.stride)
		}
		c := newCandidates(len(lits) + 1)
		for _, line := range lines {
			checkPrefilter(t, p, lits, &c, line)
		}
		for k, set := range lits {
			if raceEnabled && k%8 != 0 { // a sample: the race detector is slow
				continue
			}
			for _, l := range set {
				for off := 0; off <= stride; off++ { // every offset modulo the stride
					line := append(bytes.Repeat([]byte("x"), off), bytes.ToUpper([]byte(l))...)
					checkPrefilter(t, p, lits, &c, line)
					checkPrefilter(t, p, lits, &c, line[:len(line)-1])
					checkPrefilter(t, p, lits, &c, line[1:])
					checkPrefilter(t, p, lits, &c, append(line, " tail"...))
				}
			}
		}
	}
}

// TestPrefilterRepeatedWindows covers literals whose windows repeat ("aaaaa")
// or overlap one another, where one window indexes several offsets.
func TestPrefilterRepeatedWindows(t *testing.T) {
	lits := [][]string{{"aaaaaaa"}, {"abababab"}, {"aaaab"}, {"baaaa"}, {"abcabcabc"}}
	p := newPrefilter(lits)
	c := newCandidates(len(lits) + 1)
	for _, s := range []string{"a", "b", "ab", "abc", "ba"} {
		for n := 0; n < 24; n++ {
			line := bytes.Repeat([]byte(s), n)
			for cut := 0; cut < len(line); cut++ {
				checkPrefilter(t, p, lits, &c, line[cut:])
				checkPrefilter(t, p, lits, &c, append([]byte("x"), line[:cut]...))
			}
		}
	}
}

// FuzzPrefilter checks the prefilter against the naive search on any line,
// with the default catalog's literals and the literal sets of every stride.
func FuzzPrefilter(f *testing.F) {
	sets := [][][]string{defaultLiterals(f)}
	for stride := 1; stride <= maxStride; stride++ {
		sets = append(sets, strideLiterals(f)[stride])
	}
	var ps []*prefilter
	var cs []candidates
	for _, lits := range sets {
		ps = append(ps, newPrefilter(lits))
		cs = append(cs, newCandidates(len(lits)+1))
	}
	f.Add([]byte("collect2: ERROR: ld returned 1 exit status"))
	f.Add([]byte("E: Unable to locate package foo; Killed"))
	f.Add([]byte("\x00\xffNo space left on device"))
	f.Add([]byte("#12 ERROR: failed to solve: process \"/bin/sh -c pip install\" did not complete successfully: exit code: 1"))
	f.Fuzz(func(t *testing.T, line []byte) {
		for i, p := range ps {
			checkPrefilter(t, p, sets[i], &cs[i], line)
		}
	})
}

// FuzzPrefilterLiterals builds a prefilter from literals the fuzzer chooses
// (one per line of the first input, lower-cased, 4 to 40 bytes) and checks
// it against the naive search on the second input.
func FuzzPrefilterLiterals(f *testing.F) {
	f.Add([]byte("aaaab\nerror:\nno space left"), []byte("AAAAB: ERROR: No Space Left"))
	f.Add([]byte("abab\nbaba\nababab"), []byte("abababababab"))
	f.Add([]byte("\xff\xfe\xfd\xfc\n@[`{"), []byte("\xff\xfe\xfd\xfc `{@["))
	f.Fuzz(func(t *testing.T, blob, line []byte) {
		var lits [][]string
		for _, l := range bytes.Split(blob, []byte("\n")) {
			if len(l) >= minLiteral && len(l) <= 40 {
				lits = append(lits, []string{string(foldASCII(l))})
			}
		}
		if len(lits) == 0 || len(lits) > 64 {
			return
		}
		p := newPrefilter(lits)
		c := newCandidates(len(lits) + 1)
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
