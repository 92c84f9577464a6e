package classify

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
)

// This file reads catalogs from files: an fs.FS (an embedded catalog), or
// paths of the operating system given by a user, merged over a base
// catalog such as the default one. Every reader is size-limited, and every
// problem of every file comes back in one ErrorList.

// LoadCatalog reads and merges, in lexical order, every file of fsys that
// matches one of the glob patterns (as in fs.Glob). A pattern that matches no
// file is an error. As with ParseCatalog, a catalog with problems comes back
// partial, with every problem in the ErrorList.
func LoadCatalog(fsys fs.FS, patterns ...string) (*Catalog, error) {
	var names []string
	seen := map[string]bool{}
	for _, pat := range patterns {
		m, err := fs.Glob(fsys, pat)
		if err != nil {
			return nil, err
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("catalog: no file matches %q", pat)
		}
		sort.Strings(m)
		for _, n := range m {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	var errs ErrorList
	datas := make([][]byte, len(names))
	read := make([]bool, len(names))
	for i, n := range names {
		data, err := readLimited(fsys, n)
		if err != nil {
			var l ErrorList
			if !errors.As(err, &l) {
				return nil, err
			}
			errs = append(errs, l...)
			continue
		}
		datas[i], read[i] = data, true
	}
	// Parsing YAML is most of a program's start-up (the default catalog's
	// 26 files): the files are parsed on every core, then merged in order.
	parsed := make([]*Catalog, len(names))
	perr := make([]error, len(names))
	var wg sync.WaitGroup
	next := atomic.Int32{}
	for range min(runtime.GOMAXPROCS(0), len(names)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(names); i = int(next.Add(1)) - 1 {
				if read[i] {
					parsed[i], perr[i] = ParseCatalog(names[i], datas[i])
				}
			}
		}()
	}
	wg.Wait()
	var cats []*Catalog
	for i := range names {
		if !read[i] {
			continue
		}
		var l ErrorList
		if errors.As(perr[i], &l) {
			errs = append(errs, l...)
		}
		cats = append(cats, parsed[i])
	}
	c, err := Merge(cats...)
	var l ErrorList
	if errors.As(err, &l) {
		errs = append(errs, l...)
	}
	return c, errs.Err()
}

func readLimited(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readCatalog(f, name)
}

// readCatalog reads a catalog file, refusing to hold more than
// MaxCatalogBytes: a larger file is a positioned error, read no further
// than one byte past the limit.
func readCatalog(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxCatalogBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxCatalogBytes {
		return nil, ErrorList{{Pos: Pos{File: name}, Err: fmt.Errorf("%w: more than %d bytes", ErrCatalogTooLarge, MaxCatalogBytes)}}
	}
	return data, nil
}

// CatalogFiles lists the catalog files that paths name, in order: a path to
// a file is that file; a path to a folder gives its *.yaml and *.yml files
// in lexical order (not its subfolders). A path that does not exist, or a
// folder without catalog files, is an error.
func CatalogFiles(paths ...string) ([]string, error) {
	var out []string
	for _, path := range paths {
		fi, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			out = append(out, path)
			continue
		}
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, err
		}
		n := len(out)
		for _, e := range entries {
			if ext := filepath.Ext(e.Name()); !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
				out = append(out, filepath.Join(path, e.Name()))
			}
		}
		if len(out) == n {
			return nil, &fs.PathError{Op: "load catalog", Path: path, Err: errors.New("no .yaml or .yml files in the folder")}
		}
	}
	return out, nil
}

// LoadFiles reads the catalog files that paths name (see CatalogFiles) and
// merges them, in order, over base, which may be nil. This is how a user's
// catalogs go over the default one: they may add rules, disable rules of
// base or of an earlier file, and override them. Files are named in errors
// as paths gives them. Mistakes in the files come back together in one
// ErrorList, with the catalog as far as it could be read (so that Compile
// can find the rest in the same pass); a path that cannot be read at all is
// an *fs.PathError, with no catalog.
func LoadFiles(base *Catalog, paths ...string) (*Catalog, error) {
	files, err := CatalogFiles(paths...)
	if err != nil {
		return nil, err
	}
	cats := []*Catalog{base}
	var errs ErrorList
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		data, err := readCatalog(f, name)
		f.Close()
		var l ErrorList
		switch {
		case errors.As(err, &l):
			errs = append(errs, l...)
			continue
		case err != nil:
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		c, err := ParseCatalog(name, data)
		if errors.As(err, &l) {
			errs = append(errs, l...)
		}
		cats = append(cats, c)
	}
	c, err := Merge(cats...)
	var l ErrorList
	if errors.As(err, &l) {
		errs = append(errs, l...)
	}
	return c, errs.Err()
}

// CompileFiles is LoadFiles followed by Compile, in one call that reports
// every problem of both — YAML, values, patterns, templates, suppressions,
// examples — in one sorted ErrorList, each with the user's file, line and
// column. The examples that run are those of the files' own rules, and of
// every rule when the files add ignore patterns, which apply to all rules
// (a failure is then blamed on the ignore pattern); WithExamples among opts
// runs them all. A path that cannot be read is an *fs.PathError.
func CompileFiles(base *Catalog, paths []string, opts ...Option) (*Matcher, error) {
	files, err := CatalogFiles(paths...)
	if err != nil {
		return nil, err
	}
	c, err := LoadFiles(base, paths...)
	var errs ErrorList
	if err != nil && !errors.As(err, &errs) {
		return nil, err
	}
	inFiles := map[string]bool{}
	for _, f := range files {
		inFiles[f] = true
	}
	ignores := false
	for _, p := range c.Ignore {
		ignores = ignores || inFiles[p.Pos.File]
	}
	keep := func(r *Rule) bool { return ignores || inFiles[r.Pos.File] || inFiles[r.posOf("patch").File] }
	opts = append([]Option{WithExamplesOf(keep)}, opts...)
	m, err := Compile(c, opts...)
	var more ErrorList
	if errors.As(err, &more) {
		errs = append(errs, more...)
	} else if err != nil {
		return nil, err
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return m, nil
}
