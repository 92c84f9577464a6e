package buildlogprocessor

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const (
	collectorPrefix = "go.opentelemetry.io/collector/"
	contribPrefix   = "github.com/open-telemetry/opentelemetry-collector-contrib/"
)

// goMod reads the module path and the required versions from go.mod.
func goMod(t *testing.T) (module string, reqs map[string]string) {
	t.Helper()
	f, err := os.Open("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reqs = map[string]string{}
	inBlock := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		fields := strings.Fields(line)
		switch {
		case len(fields) == 2 && fields[0] == "module":
			module = fields[1]
		case line == "require (":
			inBlock = true
		case line == ")":
			inBlock = false
		case inBlock && len(fields) == 2:
			reqs[fields[0]] = fields[1]
		case len(fields) == 3 && fields[0] == "require":
			reqs[fields[1]] = fields[2]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return module, reqs
}

// releaseLine returns the one version go.mod requires for the collector
// modules of a major version ("v0" or "v1"), failing if there are several.
func releaseLine(t *testing.T, reqs map[string]string, major string) string {
	t.Helper()
	seen := map[string][]string{}
	for mod, v := range reqs {
		if strings.HasPrefix(mod, collectorPrefix) && strings.HasPrefix(v, major+".") {
			seen[v] = append(seen[v], mod)
		}
	}
	if len(seen) != 1 {
		t.Fatalf("go.mod: collector %s modules at %d versions, want one: %v", major, len(seen), seen)
	}
	for v := range seen {
		return v
	}
	return ""
}

// majorMinor returns "v0.165" for "v0.165.1".
func majorMinor(v string) string {
	if i := strings.LastIndexByte(v, '.'); i > 0 {
		return v[:i]
	}
	return v
}

type ocbModule struct {
	GoMod  string `yaml:"gomod"`
	Name   string `yaml:"name"`
	Import string `yaml:"import"`
	Path   string `yaml:"path"`
}

type ocbManifest struct {
	Dist struct {
		Name        string `yaml:"name"`
		Description string `yaml:"description"`
		Module      string `yaml:"module"`
		OutputPath  string `yaml:"output_path"`
		Version     string `yaml:"version"`
	} `yaml:"dist"`
	Receivers  []ocbModule `yaml:"receivers"`
	Processors []ocbModule `yaml:"processors"`
	Exporters  []ocbModule `yaml:"exporters"`
	Extensions []ocbModule `yaml:"extensions"`
	Connectors []ocbModule `yaml:"connectors"`
	Providers  []ocbModule `yaml:"providers"`
	Replaces   []string    `yaml:"replaces"`
}

func TestBuilderManifest(t *testing.T) {
	module, reqs := goMod(t)
	if module != "github.com/buildlog/buildlog/examples/otelcol" {
		t.Fatalf("go.mod module %q", module)
	}
	v1 := releaseLine(t, reqs, "v1")
	v0 := releaseLine(t, reqs, "v0")

	data, err := os.ReadFile("builder-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m ocbManifest
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("builder-config.yaml: %v", err)
	}

	// The processor is this module, built from this checkout under a Go
	// package name that does not clash with the collector's otelcol.
	var ours *ocbModule
	for i, p := range m.Processors {
		if path, _, _ := strings.Cut(p.GoMod, " "); path == module {
			ours = &m.Processors[i]
		}
	}
	if ours == nil {
		t.Fatalf("builder-config.yaml lists no processor %s", module)
	}
	if ours.Name != "buildlogprocessor" {
		t.Errorf("processor name %q, want buildlogprocessor (the package name)", ours.Name)
	}
	if ours.Path == "" {
		t.Error("the processor has no path: OCB would fetch an unpublished module")
	} else if abs, _ := filepath.Abs(ours.Path); abs != mustAbs(t, ".") {
		t.Errorf("processor path %q is not this directory", ours.Path)
	}

	// The core module it requires is replaced by this checkout, relative
	// to the output directory.
	var coreReplaced bool
	for _, r := range m.Replaces {
		from, to, ok := strings.Cut(r, "=>")
		if !ok || strings.TrimSpace(from) != "github.com/buildlog/buildlog" {
			continue
		}
		coreReplaced = true
		dir := filepath.Join(m.Dist.OutputPath, strings.TrimSpace(to))
		gm, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err != nil || !strings.Contains(string(gm), "module github.com/buildlog/buildlog\n") {
			t.Errorf("replace %q: %s is not the core module (%v)", r, dir, err)
		}
	}
	if !coreReplaced {
		t.Error("builder-config.yaml does not replace github.com/buildlog/buildlog")
	}

	// Every collector module is on go.mod's release line.
	all := [][]ocbModule{m.Receivers, m.Processors, m.Exporters, m.Extensions, m.Connectors, m.Providers}
	var checked int
	for _, mods := range all {
		for _, mod := range mods {
			path, version, ok := strings.Cut(mod.GoMod, " ")
			if !ok {
				t.Errorf("gomod %q has no version", mod.GoMod)
				continue
			}
			switch {
			case path == module:
			case strings.HasPrefix(path, collectorPrefix):
				want := v0
				if strings.HasPrefix(version, "v1.") {
					want = v1
				}
				if version != want {
					t.Errorf("%s %s: go.mod is at %s", path, version, want)
				}
				checked++
			case strings.HasPrefix(path, contribPrefix):
				if majorMinor(version) != majorMinor(v0) {
					t.Errorf("%s %s: contrib must be at %s.x like the collector's %s", path, version, majorMinor(v0), v0)
				}
				checked++
			default:
				t.Errorf("%s: unexpected module in the manifest", path)
			}
		}
	}
	if checked == 0 {
		t.Error("no collector module checked")
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
