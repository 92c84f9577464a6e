package buildlogprocessor

import (
	"fmt"
	"path/filepath"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/classify/envcheck"
	"github.com/buildlog/buildlog/patterns"
)

// loadMatcher compiles the default catalog with the given catalog files
// (glob patterns) merged over it, in order, with the library's loader. With
// no files it returns the shared default matcher.
func loadMatcher(paths []string) (*classify.Matcher, error) {
	if len(paths) == 0 {
		return defaultMatcher()
	}
	var files []string
	for _, pat := range paths {
		matched, err := filepath.Glob(pat)
		if err != nil {
			return nil, fmt.Errorf("catalogs: %q: %w", pat, err)
		}
		if len(matched) == 0 {
			return nil, fmt.Errorf("catalogs: %q matches no file", pat)
		}
		files = append(files, matched...)
	}
	base, err := patterns.Catalog()
	if err != nil {
		return nil, fmt.Errorf("default catalog: %w", err)
	}
	// CompileFiles reports every problem of the files at once, each at its
	// file and line, and runs the examples of the custom rules (and of any
	// default rule they patch or their ignore patterns touch), so that a
	// wrong custom rule stops the collector at start rather than
	// misclassifying builds; the embedded catalog's own examples are its
	// tests' business. A team folder that triage check also reads may
	// disable or patch definition checks; those entries are not for logs.
	m, err := classify.CompileFiles(base, files, classify.WithForeignIDs(envcheck.IsCheck))
	if err != nil {
		return nil, fmt.Errorf("catalogs: %w", err)
	}
	return m, nil
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
