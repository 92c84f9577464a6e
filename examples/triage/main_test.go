package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/buildlog/buildlog/classify"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func TestMain(m *testing.M) {
	version = func() string { return "test" }
	os.Exit(m.Run())
}

// testCatalog is the catalog the golden tests use instead of the default
// one, which grows while the command's output should not.
var testCatalog = []string{"--no-default", "--catalog", "testdata/catalogs/triage.yaml"}

type outcome struct {
	code           int
	stdout, stderr string
}

// triage runs the command in-process with the given environment and stdin.
func triage(t *testing.T, env map[string]string, stdin string, args ...string) outcome {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut, func(k string) string { return env[k] })
	return outcome{code, out.String(), errOut.String()}
}

// withCatalog puts the test catalog flags before args.
func withCatalog(args ...string) []string {
	return append(append([]string(nil), testCatalog...), args...)
}

// golden compares got with testdata/golden/name, or rewrites the file with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

var formatExt = map[string]string{
	"text": "txt", "json": "json", "jsonl": "jsonl", "sarif": "sarif", "github": "github.txt", "markdown": "md",
}

var goldenLogs = []struct {
	name string
	exit int
}{
	{"oom", 1},
	{"pip", 1},
	{"conda", 1},
	{"clean", 0},
	{"warning", 0},
	{"inject", 1},
}

func TestGolden(t *testing.T) {
	for _, lg := range goldenLogs {
		for format, ext := range formatExt {
			t.Run(lg.name+"/"+format, func(t *testing.T) {
				got := triage(t, nil, "", withCatalog("--format", format, "testdata/logs/"+lg.name+".log")...)
				if got.code != lg.exit {
					t.Errorf("exit status %d, want %d (stderr %q)", got.code, lg.exit, got.stderr)
				}
				if got.stderr != "" {
					t.Errorf("stderr: %q", got.stderr)
				}
				golden(t, lg.name+"."+ext, got.stdout)
			})
		}
	}
}

func TestGoldenOptions(t *testing.T) {
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		reason string
	}{
		{"oom-verbose.txt", nil, []string{"-v", "testdata/logs/oom.log"}, "-v lists suppressed issues and fields"},
		{"oom-color.txt", nil, []string{"--color=always", "testdata/logs/oom.log"}, "colour on request"},
		{"inject-color.txt", nil, []string{"--color=always", "testdata/logs/inject.log"}, "log escapes stay escaped next to triage's own colour"},
		{"oom-context0.txt", nil, []string{"--context", "0", "testdata/logs/oom.log"}, "no context lines"},
		{"two-logs.json", nil, []string{"--format", "json", "testdata/logs/oom.log", "testdata/logs/clean.log"}, "several inputs make an array"},
		{"two-logs.txt", nil, []string{"testdata/logs/pip.log", "testdata/logs/conda.log"}, "one report after another"},
		{"two-logs.github.txt", nil, []string{"--format", "github", "testdata/logs/inject.log", "testdata/logs/pip.log"}, "annotations ordered across logs"},
		{"two-logs.sarif", nil, []string{"--format", "sarif", "testdata/logs/oom.log", "testdata/logs/pip.log"}, "one run for every log"},
		{"pip-max1.json", nil, []string{"--format", "json", "--max-issues", "1", "testdata/logs/pip.log"}, "issues beyond the limit are folded"},
		{"narrow.txt", map[string]string{"COLUMNS": "50"}, []string{"testdata/logs/pip.log"}, "remediation wraps to COLUMNS"},
		{"disabled.txt", nil, []string{"--catalog", "testdata/catalogs/disable.yaml", "testdata/logs/inject.log"}, "a later catalog disables and overrides rules"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := triage(t, tt.env, "", withCatalog(tt.args...)...)
			if got.code == exitFailure {
				t.Fatalf("exit status 2 (%s): %s", tt.reason, got.stderr)
			}
			golden(t, tt.name, got.stdout)
		})
	}
}

func TestExitStatus(t *testing.T) {
	tests := []struct {
		args   []string
		stdin  string
		want   int
		reason string
	}{
		{withCatalog("testdata/logs/clean.log"), "", 0, "nothing found"},
		{withCatalog("testdata/logs/oom.log"), "", 1, "an error found"},
		{withCatalog("--fail-on", "never", "testdata/logs/oom.log"), "", 0, "--fail-on never"},
		{withCatalog("testdata/logs/warning.log"), "", 0, "a warning is below --fail-on error"},
		{withCatalog("--fail-on", "warning", "testdata/logs/warning.log"), "", 1, "a warning reaches --fail-on warning"},
		{withCatalog("--fail-on", "warning", "testdata/logs/clean.log"), "", 0, "nothing reaches --fail-on warning"},
		{withCatalog("--fail-on", "info", "testdata/logs/oom.log"), "", 1, "info and above"},
		{withCatalog(), "Killed\n", 1, "stdin when no file"},
		{withCatalog("-"), "all good\n", 0, "stdin as -"},
		{withCatalog("testdata/logs/clean.log", "testdata/logs/oom.log"), "", 1, "the worst of several logs"},
		{withCatalog("testdata/logs/oom.log", "testdata/nothere.log"), "", 2, "a missing file wins over findings"},
		{withCatalog("testdata/nothere.log"), "", 2, "missing file"},
		{withCatalog("testdata"), "", 2, "a folder is not a log"},
		{withCatalog("--format", "xml"), "", 2, "unknown format"},
		{withCatalog("--frobnicate"), "", 2, "unknown flag"},
		{withCatalog("--context", "-1"), "", 2, "negative context"},
		{withCatalog("--max-issues", "0"), "", 2, "zero max issues"},
		{[]string{"--no-default"}, "", 2, "no catalog at all"},
		{[]string{"--no-default", "--catalog", "testdata/catalogs/broken.yaml"}, "", 2, "broken catalog"},
		{[]string{"--no-default", "--catalog", "testdata/catalogs/nothere.yaml"}, "", 2, "missing catalog"},
		{[]string{"-h"}, "", 0, "help"},
		{[]string{"--version"}, "", 0, "version flag"},
		{[]string{"version"}, "", 0, "version command"},
		{[]string{"version", "extra"}, "", 2, "version takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			got := triage(t, nil, tt.stdin, tt.args...)
			if got.code != tt.want {
				t.Errorf("run(%q) = %d, want %d (%s)\nstderr: %s", tt.args, got.code, tt.want, tt.reason, got.stderr)
			}
			if got.code == exitFailure {
				lines := strings.Split(strings.TrimSuffix(got.stderr, "\n"), "\n")
				for _, l := range lines {
					if !strings.HasPrefix(l, "triage: ") {
						t.Errorf("stderr line %q does not start with \"triage: \"", l)
					}
				}
			}
		})
	}
}

func TestErrorMessagesNameTheFile(t *testing.T) {
	got := triage(t, nil, "", withCatalog("testdata/nothere.log")...)
	if want := "triage: open testdata/nothere.log: no such file or directory\n"; got.stderr != want {
		t.Errorf("stderr mismatch (-want +got):\n%s", cmp.Diff(want, got.stderr))
	}
	got = triage(t, nil, "", withCatalog("--format", "xml")...)
	if want := "triage: invalid value \"xml\" for flag -format: want text, json, jsonl, sarif, github, markdown or html (see triage -h)\n"; got.stderr != want {
		t.Errorf("stderr mismatch (-want +got):\n%s", cmp.Diff(want, got.stderr))
	}
}

func TestBrokenCatalog(t *testing.T) {
	const path = "testdata/catalogs/broken.yaml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, perr := classify.ParseCatalog(path, data)
	var list classify.ErrorList
	if !errors.As(perr, &list) || len(list) < 2 {
		t.Fatalf("ParseCatalog(%s) = %v, want several errors", path, perr)
	}
	got := triage(t, nil, "Killed\n", "--no-default", "--catalog", path)
	if got.code != exitFailure {
		t.Errorf("exit status %d, want 2", got.code)
	}
	if got.stdout != "" {
		t.Errorf("stdout: %q", got.stdout)
	}
	lines := strings.Split(strings.TrimSuffix(got.stderr, "\n"), "\n")
	if len(lines) != len(list) {
		t.Errorf("%d stderr lines, want one per catalog error (%d):\n%s", len(lines), len(list), got.stderr)
	}
	pos := regexp.MustCompile(`^triage: testdata/catalogs/broken\.yaml:\d+:\d+: \S`)
	for _, l := range lines {
		if !pos.MatchString(l) {
			t.Errorf("stderr line %q is not triage: file:line:col: message", l)
		}
	}
}

func TestStdin(t *testing.T) {
	data, err := os.ReadFile("testdata/logs/oom.log")
	if err != nil {
		t.Fatal(err)
	}
	fromFile := triage(t, nil, "", withCatalog("--format", "json", "testdata/logs/oom.log")...)
	fromStdin := triage(t, nil, string(data), withCatalog("--format", "json", "-")...)
	want := strings.Replace(fromFile.stdout, `"source": "testdata/logs/oom.log"`, `"source": "<stdin>"`, 1)
	if diff := cmp.Diff(want, fromStdin.stdout); diff != "" {
		t.Errorf("stdin mismatch (-want +got):\n%s", diff)
	}
}

func TestGzip(t *testing.T) {
	data, err := os.ReadFile("testdata/logs/pip.log")
	if err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write(data)
	zw.Close()
	dir := t.TempDir()
	// The name does not matter: the magic bytes do.
	zpath := filepath.Join(dir, "build.log")
	if err := os.WriteFile(zpath, zipped.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	plain := triage(t, nil, "", withCatalog("--format", "json", "testdata/logs/pip.log")...)
	got := triage(t, nil, "", withCatalog("--format", "json", zpath)...)
	want := strings.Replace(plain.stdout, `"testdata/logs/pip.log"`, `"`+zpath+`"`, 1)
	if diff := cmp.Diff(want, got.stdout); diff != "" {
		t.Errorf("gzip mismatch (-want +got):\n%s", diff)
	}
	fromStdin := triage(t, nil, zipped.String(), withCatalog("--format", "jsonl")...)
	if fromStdin.code != 1 || !strings.Contains(fromStdin.stdout, `"pip_no_matching_distribution"`) {
		t.Errorf("gzip on stdin: exit %d, stdout %s", fromStdin.code, fromStdin.stdout)
	}

	// A stream cut short is a read error that names the file and line.
	cut := filepath.Join(dir, "cut.log.gz")
	if err := os.WriteFile(cut, zipped.Bytes()[:zipped.Len()-12], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "jsonl"} {
		got = triage(t, nil, "", withCatalog("--format", format, cut)...)
		if got.code != exitFailure {
			t.Errorf("%s: truncated gzip: exit %d, want 2", format, got.code)
		}
		if want := regexp.MustCompile(`^triage: ` + regexp.QuoteMeta(cut) + `: reading line \d+: unexpected EOF\n$`); !want.MatchString(got.stderr) {
			t.Errorf("%s: truncated gzip: stderr %q, want %s", format, got.stderr, want)
		}
	}
}

func TestInterspersedFlags(t *testing.T) {
	a := triage(t, nil, "", "--no-default", "--catalog", "testdata/catalogs/triage.yaml", "--format", "json", "testdata/logs/oom.log")
	b := triage(t, nil, "", "testdata/logs/oom.log", "--format", "json", "--no-default", "--catalog", "testdata/catalogs/triage.yaml")
	if diff := cmp.Diff(a, b, cmp.AllowUnexported(outcome{})); diff != "" {
		t.Errorf("flags after the file mismatch (-want +got):\n%s", diff)
	}
	// After "--" everything is a file, even if it looks like a flag.
	c := triage(t, nil, "", withCatalog("--", "--format")...)
	if c.code != exitFailure || !strings.Contains(c.stderr, "open --format") {
		t.Errorf("after --: exit %d, stderr %q", c.code, c.stderr)
	}
}

func TestHelpAndVersion(t *testing.T) {
	got := triage(t, nil, "", "-h")
	if !strings.HasPrefix(got.stdout, "usage: triage") || got.stderr != "" {
		t.Errorf("-h: stdout %q, stderr %q", got.stdout, got.stderr)
	}
	got = triage(t, nil, "", "version")
	if !regexp.MustCompile(`^triage test \(go\S+ \S+/\S+\)\n$`).MatchString(got.stdout) {
		t.Errorf("version: %q", got.stdout)
	}
	for _, sub := range []string{"lint", "explain"} {
		got = triage(t, nil, "", sub, "-h")
		if got.code != 0 || !strings.HasPrefix(got.stdout, "usage: triage "+sub) {
			t.Errorf("%s -h: exit %d, stdout %q", sub, got.code, got.stdout)
		}
	}
}

func TestStepSummary(t *testing.T) {
	summary := filepath.Join(t.TempDir(), "summary.md")
	const before = "## Earlier step\n\n"
	if err := os.WriteFile(summary, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	logs := []string{"testdata/logs/inject.log", "testdata/logs/pip.log"}
	got := triage(t, map[string]string{"GITHUB_STEP_SUMMARY": summary}, "", withCatalog(append([]string{"--format", "github"}, logs...)...)...)
	if got.code != 1 || got.stderr != "" {
		t.Fatalf("exit %d, stderr %q", got.code, got.stderr)
	}
	md := triage(t, nil, "", withCatalog(append([]string{"--format", "markdown"}, logs...)...)...)
	data, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before+md.stdout, string(data)); diff != "" {
		t.Errorf("job summary mismatch (-want +got):\n%s", diff)
	}

	// A summary that cannot be written is a warning, not a failure.
	got = triage(t, map[string]string{"GITHUB_STEP_SUMMARY": t.TempDir()}, "", withCatalog("--format", "github", "testdata/logs/oom.log")...)
	if got.code != 1 || !strings.HasPrefix(got.stderr, "triage: writing the job summary: ") {
		t.Errorf("unwritable summary: exit %d, stderr %q", got.code, got.stderr)
	}
}

// slowReader hands out its data a few bytes at a time, pausing before each.
type slowReader struct {
	data  []byte
	pause func()
}

func (s *slowReader) Read(p []byte) (int, error) {
	if len(s.data) == 0 {
		return 0, io.EOF
	}
	s.pause()
	n := copy(p[:min(len(p), 16)], s.data)
	s.data = s.data[n:]
	return n, nil
}

// TestREADMETryIt checks that the output the README shows for its first
// command is what triage prints today.
func TestREADMETryIt(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(data), "The first prints")
	if !ok {
		t.Fatal(`README has no "The first prints" paragraph`)
	}
	_, block, _ := strings.Cut(after, "```\n")
	want, _, ok := strings.Cut(block, "```")
	if !ok {
		t.Fatal("README's output block is not closed")
	}
	o := triage(t, nil, "", "--color", "never", "../../fixtures/system/gcc_cc1plus_killed_make.log")
	got := strings.ReplaceAll(o.stdout, "../../fixtures/", "fixtures/")
	if got != want {
		t.Errorf("README's output of its first command is stale:\n--- README\n%s\n--- triage\n%s", want, got)
	}
}
