package patterns_test

import (
	"testing"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/patterns"
)

// BenchmarkStartup measures what a program pays before its first line: the
// default catalog loaded from its embedded snapshot (or, when that is stale,
// parsed from its YAML), then compiled lazily (each regexp on first use), as
// triage does. load + compile is the library's share of triage's start-up.
func BenchmarkStartup(b *testing.B) {
	// load is what a program does: the embedded snapshot when it is current
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			if _, err := patterns.Catalog(); err != nil {
				b.Fatal(err)
			}
		}
	})
	// hash is paid once per process, on the first load: is the snapshot
	// that of the embedded YAML?
	b.Run("hash", func(b *testing.B) {
		for b.Loop() {
			if _, err := patterns.SourceHash(); err != nil {
				b.Fatal(err)
			}
		}
	})
	// parse is what it does when the snapshot is stale: the YAML files
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			if _, err := patterns.ParseYAML(); err != nil {
				b.Fatal(err)
			}
		}
	})
	cat, err := patterns.Catalog()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("compile", func(b *testing.B) {
		for b.Loop() {
			if _, err := classify.Compile(cat, classify.WithLazyCompile()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
