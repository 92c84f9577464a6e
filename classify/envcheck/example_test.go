package envcheck

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testNow fixes the date Python end of life is judged at.
var testNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// writeExample writes an example's files to a new folder and returns it.
// A "repeat" key "NAME=N" repeats file NAME's text N times; a "latin1" key
// NAME writes that file one byte per character (each below U+0100), so an
// example can hold bytes that are not UTF-8.
func writeExample(t testing.TB, files map[string]string) string {
	dir := t.TempDir()
	rep := map[string]int{}
	if r, ok := files["repeat"]; ok {
		n, c, _ := strings.Cut(r, "=")
		rep[n], _ = strconv.Atoi(c)
	}
	for name, text := range files {
		if name == "repeat" || name == "latin1" {
			continue
		}
		if n := rep[name]; n > 0 {
			text = strings.Repeat(text, n)
		}
		if files["latin1"] == name {
			b := make([]byte, 0, len(text))
			for _, r := range text {
				if r > 0xff {
					t.Fatalf("%s: %q is not Latin-1", name, r)
				}
				b = append(b, byte(r))
			}
			text = string(b)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func exampleIDs(t *testing.T, files map[string]string) (map[string]bool, []Finding) {
	dir := writeExample(t, files)
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	fs := d.CheckWith(Options{Now: testNow})
	ids := map[string]bool{}
	for _, f := range fs {
		ids[f.ID] = true
	}
	return ids, fs
}

func TestCheckExamples(t *testing.T) {
	for _, c := range Checks() {
		t.Run(c.ID, func(t *testing.T) {
			if len(c.Examples.Match) == 0 || len(c.Examples.NoMatch) == 0 {
				t.Errorf("%s: needs match and no_match examples", c.ID)
			}
			for i, ex := range c.Examples.Match {
				ids, fs := exampleIDs(t, ex)
				if !ids[c.ID] {
					t.Errorf("match[%d] %v: no %s in %v", i, keys(ex), c.ID, fs)
				}
			}
			for i, ex := range c.Examples.NoMatch {
				ids, fs := exampleIDs(t, ex)
				if ids[c.ID] {
					t.Errorf("no_match[%d] %v: got %s: %v", i, keys(ex), c.ID, fs)
				}
			}
		})
	}
}

func TestCheckCatalog(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Checks() {
		if seen[c.ID] {
			t.Errorf("duplicate id %s", c.ID)
		}
		seen[c.ID] = true
		if c.Title == "" || c.Remediation == "" || len(c.Links) == 0 {
			t.Errorf("%s: title, remediation and links are required", c.ID)
		}
	}
	for _, id := range guideIDs {
		if !seen[id] {
			t.Errorf("guide check %s missing", id)
		}
	}
	if len(guideIDs) != 33 {
		t.Errorf("%d guide ids, want 33", len(guideIDs))
	}
}

// guideIDs are the 33 checks of the Azure ML guide.
var guideIDs = []string{
	"env_name_reserved_prefix", "env_name_too_long", "docker_definition_missing", "docker_too_many_options",
	"docker_option_missing", "registry_credentials_incomplete", "registry_multiple_credentials",
	"registry_secrets_in_definition", "docker_deprecated_attribute", "dockerfile_too_large",
	"build_context_location_missing", "dockerfile_path_missing", "build_context_attribute_conflict",
	"build_context_location_type_unsupported", "build_context_location_invalid", "base_image_deprecated",
	"base_image_no_tag_or_digest", "runtime_variables_misplaced", "python_section_missing",
	"python_version_missing", "python_version_multiple", "python_version_unsupported",
	"python_version_not_recommended", "python_version_invalid", "conda_dependencies_missing",
	"conda_dependencies_invalid", "conda_channels_missing", "base_conda_environment_not_recommended",
	"dependencies_unpinned", "pip_not_specified", "pip_not_pinned", "r_section_deprecated",
	"environment_definition_not_found",
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
