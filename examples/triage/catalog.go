package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/classify/envcheck"
	"github.com/buildlog/buildlog/patterns"
)

// readError is a catalog path that could not be read at all, as opposed to
// a catalog with mistakes in it; lint tells the two apart by exit status.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// compileCatalog builds the Matcher the classify and explain commands use.
// Rule examples run only when the user adds catalog files, so that mistakes
// in those show; the default catalog's examples are run by its own tests.
func compileCatalog(cf catalogFlags, opts ...classify.Option) (*classify.Matcher, error) {
	m, _, _, err := compileWith(cf, false, opts...)
	return m, err
}

// compileForChecks is compileCatalog for the commands that also check
// definitions: it returns the --catalog files' adjustments of checks too.
func compileForChecks(cf catalogFlags, opts ...classify.Option) (*classify.Matcher, envcheck.Options, error) {
	m, _, adj, err := compileWith(cf, false, opts...)
	return m, adj, err
}

// compileWith compiles the default catalog (unless turned off) with the
// --catalog files over it, through the library's one-call loader, so that
// parse, merge and compile mistakes come back together in one ErrorList. With
// all set it runs every rule's examples; otherwise those of the files' rules
// (see classify.CompileFiles). It also returns the names of the files and
// the files' adjustments of definition checks; a path that cannot be read is
// a *readError.
func compileWith(cf catalogFlags, all bool, opts ...classify.Option) (*classify.Matcher, []string, envcheck.Options, error) {
	var adj envcheck.Options
	files, err := classify.CatalogFiles(cf.paths...)
	if err != nil {
		return nil, nil, adj, &readError{err}
	}
	base := &classify.Catalog{}
	if !cf.noDefault {
		base, err = patterns.Catalog()
		if err != nil {
			return nil, nil, adj, fmt.Errorf("default catalog: %w", err)
		}
	}
	if all {
		opts = append(opts, classify.WithExamples())
	}
	// disables and patches of definition checks are for checkAdjustments
	opts = append(opts, classify.WithForeignIDs(envcheck.IsCheck))
	if len(files) == 0 {
		if !all {
			opts = append(opts, classify.WithLazyCompile())
		}
		m, err := classify.Compile(base, opts...)
		return m, nil, adj, err
	}
	m, err := classify.CompileFiles(base, cf.paths, opts...)
	var list classify.ErrorList
	if err != nil && !errors.As(err, &list) {
		return nil, files, adj, &readError{err}
	}
	// a patch of a check that sets what a check does not have is a mistake
	// of the same files, reported with the rest
	adj, aerr := checkAdjustments(cf)
	if aerr != nil {
		var more classify.ErrorList
		if !errors.As(aerr, &more) {
			return nil, files, adj, &readError{aerr}
		}
		list = append(list, more...)
		return nil, files, adj, list.Err()
	}
	return m, files, adj, err
}

// checkAdjustments reads the disables and patches of definition checks in
// the --catalog files (see envcheck.FromCatalog). The files are read alone,
// over no default, where such entries stay unresolved; the files' other
// mistakes are compileWith's to report.
func checkAdjustments(cf catalogFlags) (envcheck.Options, error) {
	if len(cf.paths) == 0 {
		return envcheck.Options{}, nil
	}
	c, err := classify.LoadFiles(&classify.Catalog{}, cf.paths...)
	var list classify.ErrorList
	if err != nil && !errors.As(err, &list) {
		return envcheck.Options{}, err
	}
	if c == nil {
		return envcheck.Options{}, nil
	}
	return envcheck.FromCatalog(c)
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
