package buildlogprocessor

import (
	"fmt"
	"path/filepath"

	"github.com/buildlog/buildlog/classify"
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
	userFiles := map[string]bool{}
	for _, pat := range paths {
		matched, err := filepath.Glob(pat)
		if err != nil {
			return nil, fmt.Errorf("catalogs: %q: %w", pat, err)
		}
		if len(matched) == 0 {
			return nil, fmt.Errorf("catalogs: %q matches no file", pat)
		}
		for _, f := range matched {
			files = append(files, f)
			userFiles[f] = true
		}
	}
	merged, err := patterns.Load(files...)
	if err != nil {
		return nil, fmt.Errorf("catalogs: %w", err)
	}
	// The examples of the custom rules run, so that a wrong custom rule
	// stops the collector at start rather than misclassifying builds; the
	// embedded catalog's examples are its own tests' business.
	m, err := classify.Compile(merged, classify.WithExamplesOf(func(r *classify.Rule) bool { return userFiles[r.Pos.File] }))
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
