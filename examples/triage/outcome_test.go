package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// Logs of the default catalog's fixtures whose outcome decides the exit
// status: a failed build that no rule explains, a succeeded build whose only
// errors were recovered, several builds in one log, a truncated log.
const (
	unexplainedLog = "../../fixtures/unexplained/jq_cannot_index.log"
	recoveredLog   = "../../fixtures/outcome/optional_gpu_package_recovered.log"
	multiLog       = "../../fixtures/outcome/multi_build_success_then_failure.log"
	truncatedLog   = "../../fixtures/outcome/truncated_buildkit_success.log"
	noIssueLog     = "../../fixtures/unexplained/sqlite_unique_constraint.log"
)

func TestOutcomeExitStatus(t *testing.T) {
	tests := []struct {
		args   []string
		want   int
		reason string
	}{
		{[]string{unexplainedLog}, exitFound, "a failed build, explained by no specific rule"},
		{[]string{"--fail-on", "never", unexplainedLog}, exitOK, "--fail-on never"},
		{[]string{recoveredLog}, exitOK, "a succeeded build with recovered errors only"},
		{[]string{"--fail-on", "warning", recoveredLog}, exitOK, "recovered errors do not count at any level"},
		{[]string{multiLog}, exitFound, "the second of two builds failed"},
		{[]string{truncatedLog}, exitOK, "a truncated log with nothing found"},
	}
	for _, tt := range tests {
		got := triage(t, nil, "", tt.args...)
		if got.code != tt.want {
			t.Errorf("%v: exit status %d, want %d (%s); stderr %q", tt.args, got.code, tt.want, tt.reason, got.stderr)
		}
	}
}

// TestOutcomeFailedWithoutIssue: a failed build gives exit status 1 even
// when the catalog finds no issue at all, and says so.
func TestOutcomeFailedWithoutIssue(t *testing.T) {
	log := "Step 1/2 : FROM debian:12-slim\n ---> 6f4e2b1c9d3a\nStep 2/2 : RUN ./check\n ---> Running in 3c4d5e6f7a8b\ncheck: the database schema is older than the code\nThe command '/bin/sh -c ./check' returned a non-zero code: 3\n"
	got := triage(t, nil, log, "--no-default", "--catalog", "../../patterns/outcome.yaml", "-")
	if got.code != exitFound {
		t.Errorf("exit status %d, want 1; stderr %q", got.code, got.stderr)
	}
	for _, want := range []string{"build failed, no rule explains why", "unexplained failure", "check: the database schema is older than the code"} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, got.stdout)
		}
	}
}

func TestOutcomeGolden(t *testing.T) {
	for format, ext := range formatExt {
		t.Run(format, func(t *testing.T) {
			got := triage(t, nil, "", "--format", format, unexplainedLog)
			golden(t, "unexplained."+ext, got.stdout)
		})
	}
	for _, tc := range []struct{ name, format, log string }{
		{"recovered.txt", "text", recoveredLog},
		{"recovered.github.txt", "github", recoveredLog},
		{"multi-build.txt", "text", multiLog},
		{"multi-build.md", "markdown", multiLog},
		{"unexplained-verbose.txt", "text", noIssueLog},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"--format", tc.format, tc.log}
			if strings.HasSuffix(tc.name, "-verbose.txt") {
				args = append([]string{"-v"}, args...)
			}
			golden(t, tc.name, triage(t, nil, "", args...).stdout)
		})
	}
}

func TestOutcomeJSON(t *testing.T) {
	got := triage(t, nil, "", "--format", "json", multiLog)
	var rep struct {
		Outcome string `json:"outcome"`
		Builds  []struct {
			Outcome string `json:"outcome"`
		} `json:"builds"`
		Issues []struct {
			ID    string `json:"id"`
			Build int    `json:"build"`
		} `json:"issues"`
	}
	if err := json.Unmarshal([]byte(got.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Outcome != "failed" || len(rep.Builds) != 2 || rep.Builds[0].Outcome != "succeeded" || rep.Builds[1].Outcome != "failed" {
		t.Errorf("outcome %q, builds %+v; want failed, [succeeded failed]", rep.Outcome, rep.Builds)
	}
	for _, is := range rep.Issues {
		if is.ID == "docker_copy_file_not_found" && is.Build != 1 {
			t.Errorf("%s in build %d, want 1", is.ID, is.Build)
		}
	}
	got = triage(t, nil, "", "--format", "json", unexplainedLog)
	var un struct {
		Unexplained []struct {
			Line        int     `json:"line"`
			Text        string  `json:"text"`
			Score       float64 `json:"score"`
			Fingerprint string  `json:"fingerprint"`
		} `json:"unexplained"`
	}
	if err := json.Unmarshal([]byte(got.stdout), &un); err != nil {
		t.Fatal(err)
	}
	if len(un.Unexplained) == 0 || !strings.Contains(un.Unexplained[0].Text, "jq: error") || un.Unexplained[0].Fingerprint == "" || un.Unexplained[0].Score <= 0 {
		t.Errorf("unexplained = %+v, want the jq error first with a score and a fingerprint", un.Unexplained)
	}
}
