package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const checkFixture = "../../fixtures/environments/v2_image_plus_conda"

// checkGolden compares got with testdata/check/name, or rewrites it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "check", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -run TestCheckFormats -update, then read the diff)\n--- got\n%s", name, got)
	}
}

func TestCheckFormats(t *testing.T) {
	for _, f := range []string{"text", "json", "jsonl", "sarif", "github", "markdown", "html"} {
		t.Run(f, func(t *testing.T) {
			o := triage(t, nil, "", "check", "--now", "2026-12-01", "--color", "never", "--format", f, checkFixture)
			if o.code != exitFound {
				t.Errorf("exit %d, want %d; stderr %s", o.code, exitFound, o.stderr)
			}
			checkGolden(t, "v2_image_plus_conda."+f, o.stdout)
		})
	}
}

func TestCheckPointsAtDefinition(t *testing.T) {
	o := triage(t, nil, "", "check", "--now", "2026-12-01", "--format", "sarif", checkFixture)
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string } `json:"artifactLocation"`
						Region           struct {
							StartLine   int `json:"startLine"`
							StartColumn int `json:"startColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(o.stdout), &log); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range log.Runs[0].Results {
		l := r.Locations[0].PhysicalLocation
		if r.RuleID == "python_version_unsupported" {
			found = true
			if !strings.HasSuffix(l.ArtifactLocation.URI, "conda-yamls/pydata.yml") || l.Region.StartLine != 5 || l.Region.StartColumn != 5 {
				t.Errorf("location %+v", l)
			}
		}
	}
	if !found {
		t.Error("no python_version_unsupported result")
	}
}

func TestCheckExitStatus(t *testing.T) {
	clean := "../../fixtures/environments/v2_image_clean"
	if o := triage(t, nil, "", "check", "--now", "2026-12-01", clean); o.code != exitOK {
		t.Errorf("clean: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	if o := triage(t, nil, "", "check", "--now", "2026-12-01", "--fail-on", "never", checkFixture); o.code != exitOK {
		t.Errorf("--fail-on never: exit %d", o.code)
	}
	if o := triage(t, nil, "", "check", "no/such/path"); o.code != exitFailure {
		t.Errorf("missing path: exit %d", o.code)
	}
	if o := triage(t, nil, "", "check", "--kind", "conda", "--now", "2026-12-01", "../../fixtures/environments/conda_clean/environment.yml"); o.code != exitOK {
		t.Errorf("--kind conda: exit %d %s", o.code, o.stderr)
	}
}

func TestEnvLinksLogIssues(t *testing.T) {
	dir := "../../fixtures/environments/link_conda_package_not_found"
	o := triage(t, nil, "", "--env", dir, "--format", "json", filepath.Join(dir, "build.log"))
	if !strings.Contains(o.stdout, `"source": {`) || !strings.Contains(o.stdout, `conda.yml",`) || !strings.Contains(o.stdout, `"line": 7,`) {
		t.Errorf("json has no source conda.yml:7\n%s", o.stdout)
	}
	o = triage(t, nil, "", "--env", dir, "--format", "github", filepath.Join(dir, "build.log"))
	if !strings.Contains(o.stdout, "conda.yml,line=7,col=5") {
		t.Errorf("github annotation does not point at conda.yml:7:5\n%s", o.stdout)
	}
	o = triage(t, nil, "", "--env", dir, "--format", "sarif", filepath.Join(dir, "build.log"))
	if !strings.Contains(o.stdout, `"relatedLocations"`) {
		t.Errorf("sarif has no related location")
	}
	red := "../../fixtures/environments/link_conda_bare_redirection"
	o = triage(t, nil, "", "--env", red, filepath.Join(red, "build.log"))
	if !strings.Contains(o.stdout, "Dockerfile:2:1 (predicted by dockerfile_unquoted_version)") {
		t.Errorf("text does not show the prediction\n%s", o.stdout)
	}
}

// TestCheckSkipAndSeverity checks that --skip drops a check's findings and
// --severity changes a check's severity, and that an unknown id or a bad
// severity is a usage error.
func TestCheckSkipAndSeverity(t *testing.T) {
	ids := func(args ...string) map[string]string {
		t.Helper()
		o := triage(t, nil, "", append([]string{"check", "--now", "2026-12-01", "--format", "json"}, append(args, checkFixture)...)...)
		var rep struct {
			Issues []struct{ ID, Severity string }
		}
		if err := json.Unmarshal([]byte(o.stdout), &rep); err != nil {
			t.Fatalf("%v: %s %s", err, o.stdout, o.stderr)
		}
		m := map[string]string{}
		for _, is := range rep.Issues {
			m[is.ID] = is.Severity
		}
		return m
	}
	all := ids()
	if all["python_version_unsupported"] != "error" || all["dependencies_unpinned"] != "warning" {
		t.Fatalf("findings without flags: %v", all)
	}
	got := ids("--skip", "python_version_unsupported", "--severity", "dependencies_unpinned=error")
	if _, ok := got["python_version_unsupported"]; ok {
		t.Errorf("--skip left the check's finding: %v", got)
	}
	if got["dependencies_unpinned"] != "error" {
		t.Errorf("--severity dependencies_unpinned=error gave %q", got["dependencies_unpinned"])
	}
	o := triage(t, nil, "", "check", "--now", "2026-12-01", "--skip", "python_version_unsupported", "--format", "json", checkFixture)
	if o.code != exitOK {
		t.Errorf("with the only error check skipped: exit %d, want %d", o.code, exitOK)
	}
	for _, bad := range [][]string{{"--skip", "no_such_check"}, {"--severity", "dependencies_unpinned=fatal"}, {"--severity", "dependencies_unpinned"}} {
		o := triage(t, nil, "", append(append([]string{"check"}, bad...), checkFixture)...)
		if o.code != exitFailure || !strings.Contains(o.stderr, bad[0]) {
			t.Errorf("%v: exit %d, stderr %q; want a usage error naming the flag", bad, o.code, o.stderr)
		}
	}
}

// TestCheckCatalogOverlay: a team's catalog file adjusts definition checks
// with the keys it uses for log rules (disable, patch), the same file still
// works for logs, flags win over it, and a patch that sets a key a check
// does not have is a catalog error at that key.
func TestCheckCatalogOverlay(t *testing.T) {
	dir := t.TempDir()
	team := filepath.Join(dir, "team.yaml")
	writeFile(t, team, `disable: [python_version_unsupported, pip_dependency_conflict_warning]
rules:
  - id: dependencies_unpinned
    patch: true
    severity: error
    title: Pin every dependency (team rule)
    remediation: Pin {{value}} to the version in the team's lock file.
    links: [https://wiki.example.com/pinning]
  - id: disk_full
    patch: true
    remediation: Ask for the big-disk pool.
`)
	o := triage(t, nil, "", "check", "--now", "2026-12-01", "--format", "json", "--catalog", team, checkFixture)
	var rep struct {
		Issues []struct {
			ID, Severity, Title, Remediation string
			Links                            []string
		}
	}
	if err := json.Unmarshal([]byte(o.stdout), &rep); err != nil {
		t.Fatalf("%v: %s %s", err, o.stdout, o.stderr)
	}
	found := false
	for _, is := range rep.Issues {
		switch is.ID {
		case "python_version_unsupported":
			t.Errorf("a disabled check gave a finding: %+v", is)
		case "dependencies_unpinned":
			found = true
			if is.Severity != "error" || is.Title != "Pin every dependency (team rule)" ||
				is.Remediation != "Pin azureml-mlflow to the version in the team's lock file." ||
				len(is.Links) < 2 || is.Links[len(is.Links)-1] != "https://wiki.example.com/pinning" {
				t.Errorf("the patch did not apply: %+v", is)
			}
		}
	}
	if !found {
		t.Fatalf("no dependencies_unpinned finding: %s", o.stdout)
	}
	if o.code != exitFound {
		t.Errorf("exit %d with an error finding, want %d", o.code, exitFound)
	}

	// SARIF's rule table shows the team's texts too
	o = triage(t, nil, "", "check", "--now", "2026-12-01", "--format", "sarif", "--catalog", team, checkFixture)
	if strings.Count(o.stdout, "Pin every dependency (team rule)") < 1 || strings.Contains(o.stdout, "A dependency has no version") {
		t.Errorf("SARIF rules do not carry the patched title: %s", o.stdout)
	}

	// the command line goes over the file
	o = triage(t, nil, "", "check", "--now", "2026-12-01", "--format", "json", "--catalog", team, "--severity", "dependencies_unpinned=info", checkFixture)
	if !strings.Contains(o.stdout, `"severity": "info"`) {
		t.Errorf("--severity did not win over the catalog's patch: %s", o.stdout)
	}

	// the same file works for a log: the check entries are left to check
	o = triage(t, nil, "", "--catalog", team, "--format", "json", "../../fixtures/system/tar_enospc_disk_full.log")
	if o.code == exitFailure || !strings.Contains(o.stdout, "Ask for the big-disk pool.") {
		t.Errorf("classify with the team file: exit %d, stderr %q", o.code, o.stderr)
	}
	o = triage(t, nil, "", "lint", team)
	if o.code != exitOK || strings.Contains(o.stdout, "dependencies_unpinned") {
		t.Errorf("lint of the team file: exit %d, %s %s", o.code, o.stdout, o.stderr)
	}

	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, "rules:\n  - id: dependencies_unpinned\n    patch: true\n    patterns: ['x']\n")
	for _, args := range [][]string{{"check", "--catalog", bad, checkFixture}, {"lint", "--no-default", bad}} {
		o = triage(t, nil, "", args...)
		if o.code == exitOK || !strings.Contains(o.stdout+o.stderr, "bad.yaml:4:15") || !strings.Contains(o.stdout+o.stderr, "definition check") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want the patterns key named", args, o.code, o.stdout, o.stderr)
		}
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReadmeCheckOverlay runs the README's team file that adjusts checks
// and a log rule: triage check applies it, and lint and classify accept it.
func TestReadmeCheckOverlay(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "A team adjusts checks with the catalog file")
	if !ok {
		t.Fatal("README has no check overlay section")
	}
	_, rest, ok = strings.Cut(rest, "```yaml\n")
	block, _, ok2 := strings.Cut(rest, "```\n")
	if !ok || !ok2 {
		t.Fatal("README's check overlay section has no yaml block")
	}
	team := filepath.Join(t.TempDir(), "team.yaml")
	writeFile(t, team, block)
	o := triage(t, nil, "", "check", "--now", "2026-12-01", "--format", "json", "--catalog", team, checkFixture)
	var rep struct {
		Issues []struct{ ID, Severity, Remediation string }
	}
	if err := json.Unmarshal([]byte(o.stdout), &rep); err != nil {
		t.Fatalf("%v: %s %s", err, o.stdout, o.stderr)
	}
	found := false
	for _, is := range rep.Issues {
		if is.ID == "dependencies_unpinned" {
			found = true
			if is.Severity != "error" || !strings.HasPrefix(is.Remediation, "Pin azureml-mlflow to the version") {
				t.Errorf("the README's patch did not apply: %+v", is)
			}
		}
	}
	if !found {
		t.Errorf("no dependencies_unpinned finding: %s %s", o.stdout, o.stderr)
	}
	if o := triage(t, nil, "", "lint", team); o.code != exitOK {
		t.Errorf("lint of the README's file: exit %d, %s %s", o.code, o.stdout, o.stderr)
	}
	if o := triage(t, nil, "", "--catalog", team, "../../fixtures/system/tar_enospc_disk_full.log"); o.code == exitFailure || !strings.Contains(o.stdout, "bigger disks") {
		t.Errorf("classify with the README's file: exit %d, %s", o.code, o.stderr)
	}
}
