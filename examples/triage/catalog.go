package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// catalogFiles lists the catalog files a --catalog path names: the file
// itself, or the *.yaml and *.yml files of a folder in lexical order.
func catalogFiles(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, &readError{err}
	}
	if !fi.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, &readError{err}
	}
	var out []string
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			out = append(out, filepath.Join(path, e.Name()))
		}
	}
	if len(out) == 0 {
		return nil, &readError{fmt.Errorf("%s: no .yaml or .yml files in the folder", path)}
	}
	return out, nil
}

// loadCatalogs parses every catalog file the paths name, in order. Files are
// named in errors as the user wrote them. All parse errors of all files come
// back together as one classify.ErrorList, with the catalogs as far as they
// could be read, so that compiling them can find the remaining mistakes; a
// file that cannot be read is a *readError.
func loadCatalogs(paths []string) (cats []*classify.Catalog, files []string, err error) {
	for _, p := range paths {
		fs, err := catalogFiles(p)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, fs...)
	}
	var errs classify.ErrorList
	for _, name := range files {
		data, err := readCatalogFile(name)
		if err != nil {
			return nil, nil, err
		}
		c, err := classify.ParseCatalog(name, data)
		if err != nil {
			var list classify.ErrorList
			if !errors.As(err, &list) {
				return nil, nil, err
			}
			errs = append(errs, list...)
		}
		cats = append(cats, c)
	}
	return cats, files, errs.Err()
}

// readCatalogFile reads a catalog file, refusing to hold more than
// ParseCatalog accepts (it reports the size error with the file name).
func readCatalogFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, &readError{err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, classify.MaxCatalogBytes+1))
	if err != nil {
		return nil, &readError{fmt.Errorf("%s: %w", name, err)}
	}
	return data, nil
}

// buildCatalog merges the default catalog (unless turned off) with the
// --catalog files. It also returns the names of those files. With mistakes in
// the files it returns the merged catalog as far as it could be read, and
// every mistake found so far in one classify.ErrorList.
func buildCatalog(cf catalogFlags) (*classify.Catalog, []string, error) {
	var cats []*classify.Catalog
	if !cf.noDefault {
		d, err := patterns.Catalog()
		if err != nil {
			return nil, nil, fmt.Errorf("default catalog: %w", err)
		}
		cats = append(cats, d)
	}
	user, files, err := loadCatalogs(cf.paths)
	var errs classify.ErrorList
	if err != nil && !errors.As(err, &errs) {
		return nil, files, err
	}
	merged, err := classify.Merge(append(cats, user...)...)
	var more classify.ErrorList
	if errors.As(err, &more) {
		errs = append(errs, more...)
	}
	return merged, files, errs.Err()
}

// compileCatalog builds the Matcher the classify and explain commands use.
// Rule examples run only when the user adds catalog files, so that mistakes
// in those show; the default catalog's examples are run by its own tests.
func compileCatalog(cf catalogFlags, opts ...classify.Option) (*classify.Matcher, error) {
	m, _, err := compileWith(cf, false, opts...)
	return m, err
}

// compileWith compiles the catalog as far as it could be read, so that
// parse, merge and compile mistakes come back together in one ErrorList. It
// runs every rule's examples when all is set, else only when catalog files
// were added. It also returns the names of those files.
func compileWith(cf catalogFlags, all bool, opts ...classify.Option) (*classify.Matcher, []string, error) {
	cat, files, err := buildCatalog(cf)
	var errs classify.ErrorList
	if err != nil && !errors.As(err, &errs) {
		return nil, files, err
	}
	if !all && len(files) == 0 {
		opts = append(opts, classify.WithoutExamples())
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
