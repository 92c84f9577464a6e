// Package patterns holds buildlog's default catalog: one YAML file per tool
// or build stage, embedded in the binary.
package patterns

import (
	"embed"
	"io/fs"
	"sync"

	"github.com/buildlog/buildlog/classify"
)

//go:embed *.yaml
var files embed.FS

// FS returns the catalog files, for tools that list, print or extend them.
func FS() fs.FS { return files }

//go:embed environment/checks.yaml environment/data.yaml
var environment embed.FS

// EnvironmentFS returns the texts and data of the environment definition
// checks (environment/checks.yaml and environment/data.yaml), which
// classify/envcheck reads. They are not log rules, so FS and Catalog leave
// them out.
func EnvironmentFS() fs.FS { return environment }

// Catalog returns the default catalog, from its embedded snapshot when that
// is current and otherwise parsed from the YAML (see snapshot.go). Each call
// returns a new copy that the caller may change, for example to merge its
// own rules over it.
func Catalog() (*classify.Catalog, error) {
	if c := fromSnapshot(snapshot); c != nil {
		return c, nil
	}
	return parseYAML()
}

// parseYAML parses the default catalog's YAML files.
func parseYAML() (*classify.Catalog, error) { return classify.LoadCatalog(files, "*.yaml") }

var compiled = sync.OnceValues(func() (*classify.Matcher, error) {
	c, err := Catalog()
	if err != nil {
		return nil, err
	}
	// The examples are run by this package's tests, and every pattern
	// compiles there; lazy compilation keeps start-up fast.
	return classify.Compile(c, classify.WithLazyCompile())
})

// Compile compiles the default catalog with the given options, for programs
// that need settings other than the defaults (workers, context lines, line
// limit). Each call compiles anew; keep the result.
func Compile(opts ...classify.Option) (*classify.Matcher, error) {
	c, err := Catalog()
	if err != nil {
		return nil, err
	}
	return classify.Compile(c, append([]classify.Option{classify.WithLazyCompile()}, opts...)...)
}

// Load returns the default catalog with the user catalogs that paths name
// (files, or folders of *.yaml and *.yml files) merged over it, as
// classify.LoadFiles does: they may add rules and disable or override
// default ones. Compile the result with classify.Compile.
func Load(paths ...string) (*classify.Catalog, error) {
	c, err := Catalog()
	if err != nil {
		return nil, err
	}
	return classify.LoadFiles(c, paths...)
}

// Default returns the default catalog compiled with default settings. It is
// compiled once, on first use, and shared: a Matcher is safe for concurrent
// use.
func Default() *classify.Matcher {
	m, err := compiled()
	if err != nil {
		panic("patterns: the embedded catalog does not compile: " + err.Error())
	}
	return m
}
