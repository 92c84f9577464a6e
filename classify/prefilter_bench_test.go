package classify

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/buildlog/buildlog/classify/internal/loggen"
)

// defaultCatalogMatcher compiles the catalog files of ../patterns (the
// patterns package cannot be imported here).
func defaultCatalogMatcher(tb testing.TB) *Matcher {
	tb.Helper()
	names, _ := filepath.Glob("../patterns/*.yaml")
	var cats []*Catalog
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			tb.Fatal(err)
		}
		c, err := ParseCatalog(filepath.Base(n), data)
		if err != nil {
			tb.Fatal(err)
		}
		cats = append(cats, c)
	}
	c, err := Merge(cats...)
	if err != nil {
		tb.Fatal(err)
	}
	m, err := Compile(c, WithLazyCompile())
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// BenchmarkPrefilter measures the literal prefilter of the default catalog
// alone on the realistic log, to compare with the whole pipeline.
func BenchmarkPrefilter(b *testing.B) {
	m := defaultCatalogMatcher(b)
	data := loggen.Bytes(loggen.Options{}, 8<<20)
	lines := bytes.Split(data, []byte("\n"))
	c := newCandidates(len(m.starts) + 1)
	b.SetBytes(int64(len(data)))
	b.ReportMetric(float64(len(m.pf.lits)), "literals")
	for b.Loop() {
		for _, l := range lines {
			c.reset()
			m.pf.scan(l, &c)
		}
	}
}

// BenchmarkNormalize measures what happens to each line before matching.
func BenchmarkNormalize(b *testing.B) {
	data := loggen.Bytes(loggen.Options{}, 8<<20)
	lines := bytes.Split(data, []byte("\n"))
	var buf []byte
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		for _, l := range lines {
			_, _, buf = normalize(buf[:0], l)
		}
	}
}

// rotate shifts the letters and digits of a literal by k places, giving a
// literal of the same shape that the real catalog does not have.
func rotate(s string, k int) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = 'a' + (c-'a'+byte(k))%26
		case c >= '0' && c <= '9':
			b[i] = '0' + (c-'0'+byte(k))%10
		}
	}
	return string(b)
}

// grownLiterals returns the default catalog's literal sets times over: the
// real ones, then copies whose letters and digits are rotated, so the literal
// set really grows, with the shapes real literals have.
func grownLiterals(tb testing.TB, times int) [][]string {
	var lits [][]string
	for k := range times {
		for _, set := range defaultLiterals(tb) {
			var rotated []string
			for _, l := range set {
				rotated = append(rotated, rotate(l, k*7))
			}
			lits = append(lits, rotated)
		}
	}
	return lits
}

// BenchmarkPrefilterGrowth measures the prefilter as the catalog grows:
// the default catalog's literal sets, then 4 and 16 times as many
// (grownLiterals).
func BenchmarkPrefilterGrowth(b *testing.B) {
	data := loggen.Bytes(loggen.Options{}, 8<<20)
	lines := bytes.Split(data, []byte("\n"))
	for _, times := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("%dx", times), func(b *testing.B) {
			lits := grownLiterals(b, times)
			p := newPrefilter(lits)
			c := newCandidates(len(lits) + 1)
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				for _, l := range lines {
					c.reset()
					p.scan(l, &c)
				}
			}
			b.ReportMetric(float64(len(p.lits)), "literals")
		})
	}
}

// BenchmarkFeed measures push mode, as the collector uses it: one line at a
// time through Session.Feed, with the default catalog. The session is warm
// and stays open, as a collector's is for a running build, so the figures are
// the steady state; what a whole 8 MiB build through a new session
// allocates is reported apart.
func BenchmarkFeed(b *testing.B) {
	m := defaultCatalogMatcher(b)
	data := loggen.Bytes(loggen.Options{}, 8<<20)
	lines := bytes.Split(data, []byte("\n"))
	s := m.NewSession()
	for _, l := range lines { // warm: patterns compile on first use
		s.Feed(l)
	}
	s.Close()
	// A whole build through a new session, patterns already compiled.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s = m.NewSession()
	for _, l := range lines {
		s.Feed(l)
	}
	s.Close()
	runtime.ReadMemStats(&after)
	perBuild := after.Mallocs - before.Mallocs

	s = m.NewSession()
	for _, l := range lines {
		s.Feed(l)
	}
	b.ResetTimer()
	runtime.ReadMemStats(&before)
	n := 0
	for b.Loop() {
		for _, l := range lines {
			s.Feed(l)
		}
		n += len(lines)
	}
	runtime.ReadMemStats(&after)
	b.StopTimer()
	s.Close()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/line")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n), "allocs/line")
	b.ReportMetric(float64(perBuild), "allocs/build")
	b.SetBytes(int64(len(data)))
}

// TestFeedAllocatesNothing checks the steady state of push mode: once a
// session has seen a build's kinds of lines, feeding hundreds of thousands
// more allocates nothing per line; only reused buffers may still grow, a few
// times. (A line that a rule matches allocates its captured fields.)
func TestFeedAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	m := defaultCatalogMatcher(t)
	data := loggen.Bytes(loggen.Options{FailureEvery: 1 << 30}, 8<<20)
	lines := bytes.Split(data, []byte("\n"))
	s := m.NewSession()
	defer s.Close()
	for _, l := range lines {
		s.Feed(l)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 4 {
		for _, l := range lines {
			s.Feed(l)
		}
	}
	runtime.ReadMemStats(&after)
	if n := after.Mallocs - before.Mallocs; n > 64 {
		t.Errorf("%d allocations while feeding %d lines of a warm session", n, 4*len(lines))
	}
}
