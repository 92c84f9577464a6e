package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/patterns"
)

// readError is a catalog path that could not be read at all, as opposed to
// a catalog with mistakes in it; lint tells the two apart by exit status.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// buildCatalog merges the --catalog files over the default catalog (unless
// turned off), with the library's loader. It also returns the names of those
// files. With mistakes in the files it returns the merged catalog as far as
// it could be read, and every mistake found so far in one
// classify.ErrorList; a path that cannot be read is a *readError.
func buildCatalog(cf catalogFlags) (*classify.Catalog, []string, error) {
	files, err := classify.CatalogFiles(cf.paths...)
	if err != nil {
		return nil, nil, &readError{err}
	}
	var base *classify.Catalog
	if !cf.noDefault {
		base, err = patterns.Catalog()
		if err != nil {
			return nil, nil, fmt.Errorf("default catalog: %w", err)
		}
	}
	c, err := classify.LoadFiles(base, cf.paths...)
	var errs classify.ErrorList
	if err != nil && !errors.As(err, &errs) {
		return nil, files, &readError{err}
	}
	return c, files, err
}

// compileCatalog builds the Matcher the classify and explain commands use.
// Rule examples run only when the user adds catalog files, so that mistakes
// in those show; the default catalog's examples are run by its own tests.
func compileCatalog(cf catalogFlags, opts ...classify.Option) (*classify.Matcher, error) {
	m, _, err := compileWith(cf, false, opts...)
	return m, err
}

// compileWith compiles the catalog as far as it could be read, so that
// parse, merge and compile mistakes come back together in one ErrorList.
// With all set it runs every rule's examples; otherwise, when catalog files
// were added, the examples of their rules — and of every rule when they add
// ignore patterns, which may veto a default rule's example (the error then
// names the ignore pattern's place). It also returns the names of the files.
func compileWith(cf catalogFlags, all bool, opts ...classify.Option) (*classify.Matcher, []string, error) {
	cat, files, err := buildCatalog(cf)
	var errs classify.ErrorList
	if err != nil && !errors.As(err, &errs) {
		return nil, files, err
	}
	if !all && len(files) == 0 {
		opts = append(opts, classify.WithLazyCompile())
	} else {
		inFiles := map[string]bool{}
		for _, f := range files {
			inFiles[f] = true
		}
		userIgnores := false
		for _, p := range cat.Ignore {
			userIgnores = userIgnores || inFiles[p.Pos.File]
		}
		opts = append(opts, classify.WithExamplesOf(func(r *classify.Rule) bool {
			return all || userIgnores || inFiles[r.Pos.File]
		}))
	}
	m, err := classify.Compile(cat, opts...)
	var more classify.ErrorList
	if errors.As(err, &more) {
		errs = append(errs, more...)
	} else if err != nil {
		return nil, files, err
	}
	if err := errs.Err(); err != nil {
		return nil, files, err
	}
	return m, files, nil
}

// printCatalogError writes a catalog error as one "triage: " line per
// problem, each starting with file:line:col.
func printCatalogError(w io.Writer, err error) {
	var list classify.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintf(w, "triage: %s\n", oneLine(e.Error()))
		}
		return
	}
	fmt.Fprintf(w, "triage: %s\n", oneLine(err.Error()))
}

// oneLine keeps a message on one line and free of control characters.
func oneLine(s string) string {
	return sanitize(strings.TrimSpace(s))
}

// sortedKeys returns the keys of a string map in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
