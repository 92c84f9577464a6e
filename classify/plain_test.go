package classify

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/buildlog/buildlog/classify/internal/loggen"
	"github.com/google/go-cmp/cmp"
)

// The plain-line path (detector.plain) tests a raw line's windows before
// its prefixes are cut, and notices in the same reads the bytes that send a
// line down the general path. These tests hold it to the general path and
// to a naive search.

// plainTestLines returns lines of every kind the detector meets: the
// generated log, the fixture logs, and lines built to sit on the edges of
// the plain path (prefixes of every kind, marked bytes at every place,
// colour codes with and without ESC, lengths around the 256-byte blocks and
// the 4 KiB limit).
func plainTestLines(tb testing.TB) [][]byte {
	tb.Helper()
	size := 256 << 10
	if raceEnabled {
		size = 32 << 10
	}
	lines := bytes.Split(loggen.Bytes(loggen.Options{FailureEvery: 40}, size), []byte("\n"))
	files, _ := filepath.Glob("../fixtures/*/*.log")
	for i, f := range files {
		if raceEnabled && i%8 != 0 {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		lines = append(lines, bytes.Split(data, []byte("\n"))...)
	}
	bodies := []string{
		`ERROR: Could not find a version that satisfies the requirement torch==9.9`,
		`collect2: error: ld returned 1 exit status`,
		`E: Unable to locate package libfoo-dev`,
		`npm error code ERESOLVE`,
		`main.go:12:2: undefined: loadConfig`,
		"FAIL\texample.com/ratelimit\t0.014s",
		`No space left on device`,
	}
	prefixes := []string{
		"", "#12 ", "#12 3.456 ", "2025-02-16T00:22:57.1348805Z ", "[stderr] ", "##[warning]",
		"web-1  | ", "2024-01-02 03:04:05,678 ERROR ", "=> => # ", "0.928 ", "[10:00:00] ",
		"2025-02-16T00:22:57Z #8 12.3 ", "ERROR:azureml.core:",
	}
	for _, p := range prefixes {
		for _, b := range bodies {
			line := p + b
			lines = append(lines, []byte(line))
			for i := 0; i <= len(line); i += 3 {
				for _, mark := range []string{"\r", "\x1b[31m", "[0m", "[", "[x]", "\x1b", "[1;31m"} {
					lines = append(lines, []byte(line[:i]+mark+line[i:]))
				}
			}
		}
	}
	long := bytes.Join(lines[:60], []byte(" "))
	for _, n := range []int{15, 16, 17, 250, 255, 256, 257, 258, 259, 511, 512, 513, 4095, 4096, 4097} {
		for _, p := range prefixes[:4] {
			if n <= len(long) {
				line := append([]byte(p), long[len(long)-n:]...)
				lines = append(lines, line, line[:n])
			}
		}
	}
	return lines
}

// TestScanFromAgrees compares the candidates scanFrom gives from a raw
// line's windows, for the text from every offset on, with a naive search of
// that text, at the default catalog and every stride the plain path takes;
// and testRaw's marks with the marked bytes of the line.
func TestScanFromAgrees(t *testing.T) {
	lines := plainTestLines(t)
	sets := [][][]string{defaultLiterals(t)}
	for stride := 2; stride <= maxStride; stride++ {
		sets = append(sets, strideLiterals(t)[stride])
	}
	for _, lits := range sets {
		p := newPrefilter(lits)
		if p.stride < 2 {
			t.Fatalf("stride %d: the plain path needs 2 or more", p.stride)
		}
		c := newCandidates(len(lits) + 1)
		var rw rawWindows
		for li, line := range lines {
			if len(line) > maxRawBlocks*256 || li%4 != 0 && len(line) < 200 {
				continue // a quarter of the short lines: the naive search is slow
			}
			if got, want := p.testRaw(line, &rw), lineMarks(line); got != want {
				t.Fatalf("stride %d, line %q: testRaw marks %b, want %b", p.stride, line, got, want)
			}
			// One naive search gives every offset's answer: a target is a
			// candidate of line[from:] if one of its literals starts at or
			// after from. From the end of the line back, the set only grows.
			byStart := make([][]int32, len(line)+1)
			for t, at := range naiveLastStarts(lits, line) {
				if at >= 0 {
					byStart[at] = append(byStart[at], int32(t))
				}
			}
			want := map[int32]bool{}
			for from := len(line); from >= 0; from-- {
				for _, t := range byStart[from] {
					want[t] = true
				}
				if from%step(li, len(line)) != 0 {
					continue
				}
				c.reset()
				p.scanFrom(line, from, &rw, &c)
				got := c.sorted()
				ok := len(got) == len(want)
				for _, t := range got {
					ok = ok && want[t]
				}
				if !ok {
					t.Fatalf("stride %d, line %q from %d: scanFrom gives %v, a naive search %v", p.stride, line, from, got, want)
				}
			}
		}
	}
}

// step is which offsets of line li TestScanFromAgrees tries: all of short
// lines and of one line in 16, every fifth of the others.
func step(li, n int) int {
	if n <= 128 || li%16 == 0 {
		return 1
	}
	return 5
}

// naiveLastStarts returns, for each target, where the last of its literals
// in line starts, or -1.
func naiveLastStarts(lits [][]string, line []byte) []int {
	low := foldASCII(line)
	out := make([]int, len(lits))
	for t, set := range lits {
		out[t] = -1
		for _, l := range set {
			out[t] = max(out[t], bytes.LastIndex(low, []byte(l)))
		}
	}
	return out
}

// detected is what a detector found in one line, comparable with cmp.
type detected struct {
	Segs   []string
	Events []string
}

func detectLine(d *detector, line []byte) detected {
	d.out.reset()
	d.line(0, line)
	var out detected
	for _, g := range d.out.segs {
		out.Segs = append(out.Segs, fmt.Sprintf("raw %d-%d text %q vertex %d events %d+%d",
			g.rawOff, g.rawEnd, d.out.text(line, &g), g.vertex, g.events, g.nEvs))
	}
	for _, e := range d.out.events {
		out.Events = append(out.Events, fmt.Sprintf("%d %d %d %q %v", e.kind, e.rule, e.pat, e.text, e.fields))
	}
	return out
}

// TestPlainLinesAgree runs the default catalog's detector over every kind
// of line twice, with and without the plain path, and wants the same
// segments, texts and events; and that both paths were taken.
func TestPlainLinesAgree(t *testing.T) {
	m := defaultCatalogMatcher(t)
	plain, general := newDetector(m), newDetector(m)
	general.general = true
	lines := plainTestLines(t)
	wantPlains := 0
	for _, line := range lines {
		before := plain.plains
		got, want := detectLine(plain, line), detectLine(general, line)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("line %q: plain path differs from the general path (-general +plain):\n%s", line, diff)
		}
		// Which lines are plain, said the slow way.
		isPlain := wideScan && m.pf.stride >= 2 && len(line) >= wideMin && len(line) <= maxRawBlocks*256 &&
			!bytes.ContainsAny(line, "\r\x1b") && !hasRemnant(line)
		if took := plain.plains > before; took != isPlain {
			t.Fatalf("line %q: plain path taken %v, want %v", line, took, isPlain)
		}
		if isPlain {
			wantPlains++
		}
	}
	if general.plains != 0 {
		t.Errorf("the general detector took %d lines down the plain path", general.plains)
	}
	if wideScan && (wantPlains < len(lines)/4 || wantPlains == len(lines)) {
		t.Errorf("%d of %d lines are plain: the test should have many of both kinds", wantPlains, len(lines))
	}
	t.Logf("%d of %d lines plain", plain.plains, len(lines))
}

// FuzzPlainLines compares the plain and the general path of the default
// catalog's detector on any line.
func FuzzPlainLines(f *testing.F) {
	m := defaultCatalogMatcher(f)
	plain, general := newDetector(m), newDetector(m)
	general.general = true
	f.Add([]byte("#12 3.456 ERROR: Could not find a version that satisfies the requirement torch"))
	f.Add([]byte("2025-02-16T00:22:57Z [91mE: Unable to locate package libfoo[0m"))
	f.Add([]byte("web-1  | npm error code ERESOLVE\rnpm error code E404"))
	f.Add([]byte("\x1b[31mcollect2: error: ld returned 1 exit status\x1b[0m"))
	f.Fuzz(func(t *testing.T, line []byte) {
		line = trimLast(line, '\n')
		if bytes.IndexByte(line, '\n') >= 0 {
			return // a line never holds one
		}
		got, want := detectLine(plain, line), detectLine(general, line)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("line %q: plain path differs from the general path (-general +plain):\n%s", line, diff)
		}
	})
}
