package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/buildlog/buildlog/classify/classifytest"
	"github.com/google/go-cmp/cmp"
)

// evalArgs runs triage eval on the labelled logs of testdata/eval with
// their own catalog.
func evalArgs(extra ...string) []string {
	return append([]string{"eval", "--no-default", "--catalog", "testdata/eval/catalog.yaml",
		"--labels", "testdata/eval/labels.tsv", "--progress", "never"}, append(extra, "testdata/eval/logs")...)
}

// goldenEval compares got with testdata/eval/name, or rewrites it with -update.
func goldenEval(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "eval", name)
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

func TestEvalGolden(t *testing.T) {
	for _, f := range []struct{ format, file string }{{"text", "want.txt"}, {"json", "want.json"}} {
		o := triage(t, nil, "", evalArgs("--format", f.format)...)
		if o.code != exitOK || o.stderr != "" {
			t.Fatalf("%s: exit %d, stderr %q", f.format, o.code, o.stderr)
		}
		goldenEval(t, f.file, o.stdout)
	}
	o := triage(t, nil, "", evalArgs("-v")...)
	goldenEval(t, "want_verbose.txt", o.stdout)
}

// TestEvalKnownAnswers checks the figures of the labelled set against what
// its labels and logs were made to show.
func TestEvalKnownAnswers(t *testing.T) {
	o := triage(t, nil, "", evalArgs("--format", "json")...)
	var r evalReport
	if err := json.Unmarshal([]byte(o.stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Logs != 9 || r.Clean != 4 || r.Primary.Right != 7 {
		t.Errorf("logs %d, clean %d, right primaries %d; want 9, 4, 7", r.Logs, r.Clean, r.Primary.Right)
	}
	want := []evalConfusion{
		{Expected: "none", Reported: "pip_no_matching_distribution", Count: 1, Files: []string{"logs/cut_short.log"}},
		{Expected: "out_of_memory", Reported: "pip_no_matching_distribution", Count: 1, Files: []string{"logs/mislabelled.log"}},
	}
	if diff := cmp.Diff(want, r.Confusion); diff != "" {
		t.Errorf("confusion (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"disk_full"}, r.NeverFired); diff != "" {
		t.Errorf("never fired (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"logs/policy_rejected.log"}, r.LeftUnexplained); diff != "" {
		t.Errorf("left unexplained (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"logs/jq_unexplained.log"}, r.OnlyUnexplained); diff != "" {
		t.Errorf("only unexplained (-want +got):\n%s", diff)
	}
	if len(r.FalseAlarms) != 1 || r.FalseAlarms[0].File != "logs/cut_short.log" {
		t.Errorf("false alarms %+v, want logs/cut_short.log only", r.FalseAlarms)
	}
	for _, ru := range r.Rules {
		got := fmt.Sprint(ru.TruePositives, ru.FalsePositives, ru.Misses)
		want := map[string]string{"build_step_failed": "1 0 0", "out_of_memory": "1 0 1", "pip_no_matching_distribution": "2 2 0", "pip_retrying": "1 0 0"}[ru.ID]
		if got != want {
			t.Errorf("%s: right, false, missed = %s, want %s", ru.ID, got, want)
		}
	}
}

func TestEvalThresholds(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--min-primary", "0.7", "--min-recall", "0.8", "--max-false-alarms", "1"}, exitOK, ""},
		{[]string{"--min-primary", "0.8"}, exitFound, "primary accuracy 77.8% is below --min-primary 0.8"},
		{[]string{"--min-recall", "0.9"}, exitFound, "recall 83.3% is below --min-recall 0.9"},
		{[]string{"--max-false-alarms", "0"}, exitFound, "1 false alarm, more than --max-false-alarms 0"},
		{[]string{"--min-primary", "2"}, exitFailure, "--min-primary must be from 0 to 1"},
		{[]string{"--labels", "testdata/eval/nothere.tsv"}, exitFailure, "nothere.tsv"},
	} {
		o := triage(t, nil, "", evalArgs(c.args...)...)
		if o.code != c.code || !strings.Contains(o.stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, o.code, o.stderr, c.code, c.msg)
		}
	}
}

func TestEvalBadLabels(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "a.log")
	if err := os.WriteFile(log, []byte("Killed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ labels, msg string }{
		{"a.log\tno_such_rule\n", "labels.tsv:1: no_such_rule is not a rule of the catalog"},
		{"a.log out_of_memory\n", "labels.tsv:1: want PATH<TAB>"},
		{"a.log\tnone\na.log\tout_of_memory\n", "labels.tsv:2: a.log is labelled on line 1 already"},
		{"a.log\tnone\nb.log\tnone\n", "labels.tsv:2: b.log: no such log"},
		{"a.log\tout_of_memory,\n", "labels.tsv:1: empty id"},
	} {
		lf := filepath.Join(dir, "labels.tsv")
		if err := os.WriteFile(lf, []byte(c.labels), 0o644); err != nil {
			t.Fatal(err)
		}
		o := triage(t, nil, "", "eval", "--no-default", "--catalog", "testdata/eval/catalog.yaml", "--labels", lf, dir)
		if o.code != exitFailure || !strings.Contains(o.stderr, c.msg) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.labels, o.code, o.stderr, c.msg)
		}
	}
}

// fixtureLabelsPath is the labels file of the fixtures, kept in step with
// their .want files by TestFixtureLabels.
const fixtureLabelsPath = "../../fixtures/labels.tsv"

// issueLine reads an issue line of a .want file.
var issueLine = regexp.MustCompile(`^L\d+(?:-\d+)? (?:error|warning|info) (\S+)((?: (?:primary|recovered|build=\d+|suppressed_by=\S+))*)`)

// fixtureLabels derives the labels of the fixture logs from their .want
// files: a log expected to have primary X is labelled X, then the other ids
// its .want lists as neither suppressed nor recovered; a log expected clean
// is none; a log with neither expectation (outcome and unexplained
// fixtures) is labelled with the primary its .want shows, or none.
func fixtureLabels(t *testing.T) string {
	cases, err := classifytest.Cases("../../fixtures/*/*.log")
	if err != nil || len(cases) == 0 {
		t.Fatalf("fixtures: %v (%d)", err, len(cases))
	}
	var b strings.Builder
	b.WriteString(`# Labels of the fixture logs for triage eval (PATH<TAB>ID,ID,... with the root
# cause first, or PATH<TAB>none), derived from their .want files: "# expect:
# primary X" gives X, then the other ids the .want lists as neither
# suppressed nor recovered; "# expect: clean" gives none; a fixture with
# neither (outcome and unexplained logs) takes the primary its .want shows.
# Generated: go test ./examples/triage -run TestFixtureLabels -update
`)
	for _, c := range cases {
		data, err := os.ReadFile(c.Want)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		clean, primary := false, ""
		for _, e := range c.Expect {
			if id, ok := strings.CutPrefix(e, "primary "); ok {
				primary = strings.TrimSpace(id)
			}
			clean = clean || e == "clean"
		}
		shown := "none"
		var others []string
		for _, line := range strings.Split(string(data), "\n") {
			if id, ok := strings.CutPrefix(line, "primary: "); ok {
				shown = strings.TrimSpace(id)
			}
			m := issueLine.FindStringSubmatch(line)
			if m == nil || strings.Contains(m[2], " suppressed_by=") || strings.Contains(m[2], " recovered") {
				continue
			}
			if !slicesContains(others, m[1]) {
				others = append(others, m[1])
			}
		}
		switch {
		case clean:
		case primary != "" && primary != "none":
			ids = []string{primary}
		case primary == "" && shown != "none":
			ids = []string{shown}
		}
		if ids != nil {
			for _, id := range others {
				if !slicesContains(ids, id) {
					ids = append(ids, id)
				}
			}
		}
		rel, _ := filepath.Rel("../../fixtures", c.Log)
		b.WriteString(filepath.ToSlash(rel) + "\t" + idList(ids) + "\n")
	}
	return b.String()
}

// TestFixtureLabels fails when fixtures/labels.tsv is not what the .want
// files give; -update rewrites it.
func TestFixtureLabels(t *testing.T) {
	got := fixtureLabels(t)
	if *update {
		if err := os.WriteFile(fixtureLabelsPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(fixtureLabelsPath)
	if err != nil {
		t.Fatalf("%v (run go test ./examples/triage -run TestFixtureLabels -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s is stale; run go test ./examples/triage -run TestFixtureLabels -update (-file +want files):\n%s", fixtureLabelsPath, diff)
	}
}

// TestEvalEveryLabelled evaluates every labelled log when no folder is given.
func TestEvalEveryLabelled(t *testing.T) {
	a := triage(t, nil, "", evalArgs("--format", "json")...)
	args := evalArgs("--format", "json")
	b := triage(t, nil, "", args[:len(args)-1]...)
	if a.stdout != b.stdout || b.code != exitOK {
		t.Errorf("without a folder: exit %d, %s; want the output with one", b.code, b.stderr)
	}
}

// TestEvalFixtures scores the default catalog on its own fixtures with the
// thresholds CI uses.
func TestEvalFixtures(t *testing.T) {
	o := triage(t, nil, "", "eval", "--labels", fixtureLabelsPath, "--min-primary", "1", "--max-false-alarms", "0", "--progress", "never", "../../fixtures")
	if o.code != exitOK {
		t.Errorf("exit %d, stderr %q\n%s", o.code, o.stderr, o.stdout)
	}
}
