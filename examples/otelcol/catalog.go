package buildlogprocessor

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/patterns"
)

// loadMatcher compiles the default catalog with the given catalog files
// merged over it, in order. With no files it returns the shared default
// matcher.
func loadMatcher(paths []string) (*classify.Matcher, error) {
	if len(paths) == 0 {
		return defaultMatcher()
	}
	base, err := patterns.Catalog()
	if err != nil {
		return nil, fmt.Errorf("default catalog: %w", err)
	}
	cats := []*classify.Catalog{base}
	userFiles := map[string]bool{}
	for _, pat := range paths {
		files, err := filepath.Glob(pat)
		if err != nil {
			return nil, fmt.Errorf("catalogs: %q: %w", pat, err)
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("catalogs: %q matches no file", pat)
		}
		for _, f := range files {
			data, err := readCatalog(f)
			if err != nil {
				return nil, fmt.Errorf("catalogs: %w", err)
			}
			c, err := classify.ParseCatalog(f, data)
			if err != nil {
				return nil, fmt.Errorf("catalogs: %w", err)
			}
			cats = append(cats, c)
			userFiles[f] = true
		}
	}
	merged, err := classify.Merge(cats...)
	if err != nil {
		return nil, fmt.Errorf("catalogs: %w", err)
	}
	// Compile runs every rule's examples, so a wrong custom rule stops the
	// collector at start rather than misclassifying builds. The embedded
	// catalog's examples are its own tests' business (patterns.Default skips
	// them too): failures there alone do not stop the collector.
	m, err := classify.Compile(merged)
	if err != nil && onlyEmbeddedExamples(err, userFiles) {
		m, err = classify.Compile(merged, classify.WithoutExamples())
	}
	if err != nil {
		return nil, fmt.Errorf("catalogs: %w", err)
	}
	return m, nil
}

// onlyEmbeddedExamples reports whether err lists nothing but failing
// examples of rules that come from the embedded catalog.
func onlyEmbeddedExamples(err error, userFiles map[string]bool) bool {
	var list classify.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		return false
	}
	for _, e := range list {
		if userFiles[e.Pos.File] || !errors.Is(e, classify.ErrExampleFailed) {
			return false
		}
	}
	return true
}

// defaultMatcher returns patterns.Default, turning its panic on an embedded
// catalog that does not compile into an error: the collector then fails to
// start with a message instead of a stack trace.
func defaultMatcher() (m *classify.Matcher, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("default catalog: %v", r)
		}
	}()
	return patterns.Default(), nil
}

// readCatalog reads a catalog file, refusing one larger than
// classify.MaxCatalogBytes before reading it whole.
func readCatalog(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, classify.MaxCatalogBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > classify.MaxCatalogBytes {
		return nil, fmt.Errorf("%s: %w: more than %d bytes", name, classify.ErrCatalogTooLarge, classify.MaxCatalogBytes)
	}
	return data, nil
}
