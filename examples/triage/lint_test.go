package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestLint(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		want   int
		golden string // stdout
		reason string
	}{
		{"clean", []string{"--no-default", "testdata/catalogs/triage.yaml"}, 0, "", "the test catalog has no problems"},
		{"warnings", []string{"--no-default", "testdata/catalogs/lintme.yaml"}, 1, "lint-lintme.txt", "no examples, no literal, an unexercised pattern, a shadowed rule"},
		{"parse errors", []string{"--no-default", "testdata/catalogs/broken.yaml"}, 1, "lint-broken.txt", "every parse error at once"},
		{"compile errors", []string{"--no-default", "testdata/catalogs/compile_errors.yaml"}, 1, "lint-compile-errors.txt", "bad pattern, undefined field, unknown suppression"},
		{"failing examples", []string{"--no-default", "testdata/catalogs/failing_example.yaml"}, 1, "lint-failing-example.txt", "Compile runs the examples"},
		{"merged", []string{"--no-default", "testdata/catalogs/triage.yaml", "testdata/catalogs/disable.yaml"}, 0, "", "files merge in order"},
		{"disable unknown", []string{"--no-default", "testdata/catalogs/disable.yaml"}, 1, "", "disabling a rule no earlier file defines"},
		{"missing", []string{"testdata/catalogs/nothere.yaml"}, 2, "", "unreadable"},
		{"empty folder", []string{t.TempDir()}, 2, "", "a folder without catalogs"},
		{"no paths", nil, 2, "", "usage"},
		{"bad flag", []string{"--frobnicate", "x.yaml"}, 2, "", "usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := triage(t, nil, "", append([]string{"lint"}, tt.args...)...)
			if got.code != tt.want {
				t.Errorf("exit %d, want %d (%s)\nstdout:\n%s\nstderr:\n%s", got.code, tt.want, tt.reason, got.stdout, got.stderr)
			}
			if tt.golden != "" {
				golden(t, tt.golden, got.stdout)
			}
			switch tt.want {
			case 0:
				if got.stdout != "" || !strings.HasSuffix(got.stderr, ": no problems\n") {
					t.Errorf("clean lint: stdout %q, stderr %q", got.stdout, got.stderr)
				}
			case 1:
				pos := regexp.MustCompile(`^testdata/catalogs/\w+\.yaml:\d+:\d+: (error|warning): `)
				for _, l := range strings.Split(strings.TrimSuffix(got.stdout, "\n"), "\n") {
					if !pos.MatchString(l) {
						t.Errorf("line %q is not file:line:col: severity: message", l)
					}
				}
			case 2:
				if !strings.HasPrefix(got.stderr, "triage: ") || strings.Count(got.stderr, "\n") != 1 {
					t.Errorf("stderr %q, want one triage: line", got.stderr)
				}
			}
		})
	}
}

func TestLintFolder(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.yaml", "b.yml", "notes.txt"} {
		data := mustRead(t, "testdata/catalogs/triage.yaml")
		if name == "b.yml" {
			data = mustRead(t, "testdata/catalogs/disable.yaml")
		}
		if name == "notes.txt" {
			data = []byte("not a catalog")
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := triage(t, nil, "", "lint", "--no-default", dir)
	if got.code != 0 || got.stderr != "triage lint: 2 files: no problems\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", got.code, got.stdout, got.stderr)
	}
	// The same folder works as a --catalog.
	got = triage(t, nil, "Killed\nNo space left on device\n", "--no-default", "--catalog", dir)
	if got.code != 1 || !strings.Contains(got.stdout, "error disk_full: The disk of the build machine is full") || strings.Contains(got.stdout, "out_of_memory") {
		t.Errorf("folder catalog: exit %d, stdout:\n%s", got.code, got.stdout)
	}
}
