package classify_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/classify/internal/loggen"
	"github.com/buildlog/buildlog/patterns"
	"github.com/google/go-cmp/cmp"
)

// repeatReader yields a pattern over and over, size bytes in all, without
// holding them in memory.
type repeatReader struct {
	unit []byte
	left int64
	off  int
}

func repeat(unit string, n int64) *repeatReader {
	return &repeatReader{unit: []byte(unit), left: int64(len(unit)) * n}
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.left > 0 {
		k := copy(p[n:min(len(p), n+int(r.left))], r.unit[r.off:])
		r.off = (r.off + k) % len(r.unit)
		n += k
		r.left -= int64(k)
	}
	return n, nil
}

// measure runs f while sampling the heap, and returns the time taken and the
// peak heap in use above what was in use before.
func measure(f func()) (time.Duration, uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > base {
				peak = max(peak, ms.HeapAlloc-base)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	f()
	d := time.Since(start)
	close(stop)
	wg.Wait()
	return d, peak
}

func gzipped(t *testing.T, size int) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(loggen.Bytes(loggen.Options{FailureEvery: 50}, size))
	zw.Close()
	return buf.Bytes()
}

// everyRuleLine joins one match example of every single-line rule of the
// default catalog into one line.
func everyRuleLine(t *testing.T) (string, int) {
	c, err := patterns.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, r := range c.Rules {
		if len(r.Sequence) > 0 || r.Collect != nil || len(r.Examples.Match) == 0 {
			continue
		}
		parts = append(parts, classify.Normalize(strings.Split(r.Examples.Match[0].Text, "\n")[0]))
	}
	return strings.Join(parts, " ; "), len(parts)
}

// TestHostileLogs feeds the default catalog input meant to break it. Each
// case must finish, report what it should, and keep the heap small.
func TestHostileLogs(t *testing.T) {
	m := patterns.Default()
	big := int64(100 << 20)
	many := int64(10_000_000)
	if testing.Short() || raceEnabled {
		big, many = 8<<20, 500_000
	}
	everything, rules := everyRuleLine(t)
	tests := []struct {
		name    string
		input   func() io.Reader
		lines   int
		cut     int
		check   func(t *testing.T, rep *classify.Report)
		maxHeap uint64
	}{
		{name: "empty", input: func() io.Reader { return strings.NewReader("") }, lines: 0},
		{name: "no final newline", input: func() io.Reader { return strings.NewReader("ok\nKilled") }, lines: 2,
			check: primary("out_of_memory")},
		{name: "one huge line", input: func() io.Reader {
			return io.MultiReader(strings.NewReader("Killed "), repeat("x", big), strings.NewReader("\nKilled\n"))
		}, lines: 2, cut: 1, check: primary("out_of_memory")},
		{name: "binary garbage", input: func() io.Reader { return bytes.NewReader(gzipped(t, 4<<20)) }, lines: -1},
		{name: "NUL bytes", input: func() io.Reader { return repeat("\x00\x00\xff\xfe\x00\n", 200_000) }, lines: 200_000},
		{name: "invalid UTF-8 in a matching line", input: func() io.Reader {
			return strings.NewReader("OSError: [Errno 28] No space left on device \xff\xfe\xc3 /tmp/\x80x\n")
		}, lines: 1, check: primary("disk_full")},
		{name: "a million bare CRs", input: func() io.Reader {
			return io.MultiReader(repeat("\r", 1_000_000), strings.NewReader("Killed\n"))
		}, lines: 1, check: primary("out_of_memory")},
		{name: "a million ANSI sequences", input: func() io.Reader {
			return io.MultiReader(repeat("\x1b[31m\x1b[0m", 1_000_000), strings.NewReader("\n\x1b[1mKilled\x1b[0m\n"))
		}, lines: 2, cut: 1, check: primary("out_of_memory")},
		{name: "ten million matching lines", input: func() io.Reader { return repeat("Killed\n", many) }, lines: int(many),
			check: func(t *testing.T, rep *classify.Report) {
				if len(rep.Issues) != 1 || rep.Issues[0].Count != int(many) {
					t.Errorf("issues %d, count %d", len(rep.Issues), rep.Issues[0].Count)
				}
			}},
		{name: "many distinct issues", input: func() io.Reader {
			var b bytes.Buffer
			for i := range 50_000 {
				fmt.Fprintf(&b, "E: Unable to locate package pkg%d\n", i)
			}
			return &b
		}, lines: 50_000, check: func(t *testing.T, rep *classify.Report) {
			if len(rep.Issues) != classify.DefaultMaxIssues || rep.Folded != 50_000-classify.DefaultMaxIssues {
				t.Errorf("issues %d folded %d", len(rep.Issues), rep.Folded)
			}
		}},
		{name: "a line that matches every rule", input: func() io.Reader { return strings.NewReader(everything + "\n") }, lines: 1,
			check: func(t *testing.T, rep *classify.Report) {
				if len(rep.Issues) < rules/2 {
					t.Errorf("%d issues from a line with %d rules' examples", len(rep.Issues), rules)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rep *classify.Report
			var err error
			d, heap := measure(func() { rep, err = m.Classify(context.Background(), tt.input()) })
			t.Logf("%s: %v, peak heap +%.1f MiB, %d lines, %d issues", tt.name, d.Round(time.Millisecond), float64(heap)/(1<<20), rep.Lines, len(rep.Issues))
			if err != nil {
				t.Fatal(err)
			}
			if tt.lines >= 0 && rep.Lines != tt.lines {
				t.Errorf("lines = %d, want %d", rep.Lines, tt.lines)
			}
			if rep.LinesCut != tt.cut {
				t.Errorf("lines cut = %d, want %d", rep.LinesCut, tt.cut)
			}
			if limit := uint64(48 << 20); heap > limit {
				t.Errorf("peak heap grew by %d MiB", heap>>20)
			}
			if tt.check != nil {
				tt.check(t, rep)
			}
		})
	}
}

func primary(id string) func(*testing.T, *classify.Report) {
	return func(t *testing.T, rep *classify.Report) {
		t.Helper()
		if rep.Primary == nil || rep.Primary.ID != id {
			t.Errorf("primary = %v, want %s", rep.Primary, id)
		}
	}
}

// TestHostileCatalogPatterns runs backtracking bait against long lines that
// contain the bait's literal: each pattern gives up at the timeout, the scan
// goes on and finds the rest.
func TestHostileCatalogPatterns(t *testing.T) {
	src := `rules:
  - id: nested_plus
    group: g
    title: t
    patterns: ['bait (a+)+$']
  - id: word_run
    group: g
    title: t
    patterns: ['lure (\w+\s?)+$']
  - id: fine
    group: g
    title: t
    patterns: ['Killed']
`
	c, err := classify.ParseCatalog("hostile.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m, err := classify.Compile(c, classify.WithMatchTimeout(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	// Lines under twice the verification window are matched whole, so the
	// bait works and must be stopped by the timeout. Longer lines are
	// matched on their first and last 64 KiB, which bounds the cost too.
	log := "bait " + strings.Repeat("a", 60_000) + "!\n" +
		"lure " + strings.Repeat("word ", 12_000) + "!\n" +
		"bait " + strings.Repeat("a", 1_000_000) + "!\n" +
		"lure " + strings.Repeat("word ", 200_000) + "!\n" +
		"Killed\n"
	var rep *classify.Report
	d, heap := measure(func() { rep, err = m.Classify(context.Background(), strings.NewReader(log)) })
	t.Logf("backtracking bait on 60 KB and 1 MiB lines: %v, peak heap +%.1f MiB", d.Round(time.Millisecond), float64(heap)/(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	if d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	var warned []string
	for _, w := range rep.Warnings {
		warned = append(warned, fmt.Sprint(w.Line, " ", w.Rule))
	}
	if diff := cmp.Diff([]string{"1 nested_plus", "2 word_run"}, warned); diff != "" {
		t.Errorf("warnings mismatch (-want +got):\n%s", diff)
	}
	if last := rep.Issues[len(rep.Issues)-1]; last.ID != "fine" || last.Line != 5 {
		t.Errorf("the scan did not go on: %v", rep.Issues)
	}
}

// TestManyRules compiles 5,000 rules and reports the time and memory.
func TestManyRules(t *testing.T) {
	var b strings.Builder
	b.WriteString("rules:\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "  - id: rule_%d\n    group: g%d\n    title: Rule %d\n    patterns: ['failure number %d: (?<what>\\S+) in (?i:stage) %d']\n", i, i%50, i, i, i)
	}
	var m *classify.Matcher
	var err error
	d, heap := measure(func() {
		var c *classify.Catalog
		c, err = classify.ParseCatalog("many.yaml", []byte(b.String()))
		if err == nil {
			m, err = classify.Compile(c)
		}
	})
	t.Logf("5,000 rules: parsed and compiled in %v, heap +%.1f MiB", d.Round(time.Millisecond), float64(heap)/(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := m.Classify(context.Background(), strings.NewReader("x\nfailure number 4321: boom in STAGE 4321\n"))
	if rep.Primary == nil || rep.Primary.ID != "rule_4321" || rep.Primary.Fields["what"] != "boom" {
		t.Errorf("issues: %v", rep.Issues)
	}
	if d > 30*time.Second {
		t.Errorf("compiling took %v", d)
	}
}

// lazyFS serves one file of a given size without holding it, and counts the
// bytes read from it.
type lazyFS struct {
	size int64
	read int64
}

func (l *lazyFS) Open(name string) (fs.File, error) {
	if name != "huge.yaml" {
		return nil, fs.ErrNotExist
	}
	return &lazyFile{fs: l, r: repeat("# padding line of a huge catalog\n", l.size/34)}, nil
}

type lazyFile struct {
	fs *lazyFS
	r  io.Reader
}

func (f *lazyFile) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	f.fs.read += int64(n)
	return n, err
}
func (f *lazyFile) Close() error { return nil }
func (f *lazyFile) Stat() (fs.FileInfo, error) {
	return fstest.MapFS{"huge.yaml": {}}.Stat("huge.yaml")
}

func TestHugeCatalogRefused(t *testing.T) {
	lfs := &lazyFS{size: 100 << 20}
	_, err := classify.LoadCatalog(lfs, "huge.yaml")
	if err == nil || !strings.Contains(err.Error(), "huge.yaml: catalog file too large") {
		t.Fatalf("err = %v", err)
	}
	if lfs.read > classify.MaxCatalogBytes+64<<10 {
		t.Errorf("read %d bytes of a 100 MB catalog", lfs.read)
	}
}

// TestSharedMatcher64 scans every fixture from 64 goroutines sharing the
// default Matcher; each result must equal a lone scan's. Run with -race.
func TestSharedMatcher64(t *testing.T) {
	// Match timeouts are wall-clock time: 64 goroutines on a few cores
	// under the race detector can starve a match past the default.
	m, err := patterns.Compile(classify.WithMatchTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	logs, _ := filepath.Glob("../fixtures/*/*.log")
	if len(logs) == 0 {
		t.Skip("no fixtures")
	}
	want := map[string][]classify.Issue{}
	data := map[string][]byte{}
	for _, name := range logs {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		data[name] = b
		want[name], _ = m.ScanAll(context.Background(), bytes.NewReader(b))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 3 {
				name := logs[(g*3+k)%len(logs)]
				s := m.NewSession()
				var got []classify.Issue
				for is, err := range s.Scan(context.Background(), bytes.NewReader(data[name])) {
					if err != nil {
						errs <- err.Error()
						return
					}
					got = append(got, is)
				}
				if diff := cmp.Diff(want[name], got); diff != "" {
					errs <- fmt.Sprintf("%s: %v: %s", name, s.Report().Warnings, diff)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
