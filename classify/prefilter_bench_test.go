package classify

import (
	"bytes"
	"os"
	"path/filepath"
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
