package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// secretLog prints credentials in lines the default catalog matches and in
// the lines around them (context).
const secretLog = `Step 3/5 : RUN docker login myacr.azurecr.io -u admin -p Zx9vQ2kLmN7Secret && pip install -r requirements.txt
Looking in indexes: https://builder:s3cr3tPassw0rd@pkgs.example.com/simple
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
ERROR: Could not install from https://builder:s3cr3tPassw0rd@pkgs.example.com/simple/torch ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8
ERROR: No matching distribution found for torch==9.9 (token pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6)
curl: (22) The requested URL returned error: 403 https://acct.blob.core.windows.net/c/b.whl?sv=2021&sig=AbCdEfSASsignature%2B&sp=r
Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcDEFsecretpart
OSError: [Errno 28] No space left on device AccountKey=q1w2e3r4t5y6u7i8o9p0ACCOUNTKEY==
`

var secrets = []string{"Zx9vQ2kLmN7Secret", "s3cr3tPassw0rd", "wJalrXUtnFEMI", "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
	"pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6", "AbCdEfSASsignature", "eyJhbGciOiJIUzI1NiJ9", "q1w2e3r4t5y6u7i8o9p0ACCOUNTKEY"}

var formats = []string{"text", "json", "jsonl", "sarif", "github", "markdown"}

// TestSecretsNeverLeak runs a log full of credentials through every format,
// with context and -v, and with the job summary written too.
func TestSecretsNeverLeak(t *testing.T) {
	summary := filepath.Join(t.TempDir(), "summary.md")
	for _, format := range formats {
		out := triage(t, map[string]string{"GITHUB_STEP_SUMMARY": summary}, secretLog, "--format", format, "--context", "5", "-v")
		if out.code != 1 {
			t.Errorf("%s: exit %d, stderr %q", format, out.code, out.stderr)
		}
		all := out.stdout + out.stderr
		if data, err := os.ReadFile(summary); err == nil {
			all += string(data)
		}
		for _, s := range secrets {
			if strings.Contains(all, s) {
				t.Errorf("%s: secret %q leaks:\n%s", format, s, all)
			}
		}
	}
}

// TestSecretsAcrossCutsNeverLeak puts credentials across the cuts an issue
// makes — the 256-byte step header, a 1 KiB context line, the 4 KiB
// evidence — and checks every format: no prefix of a secret may survive.
func TestSecretsAcrossCutsNeverLeak(t *testing.T) {
	at := func(prefix string, n int, secret string) string {
		return prefix + strings.Repeat("x", n-len(prefix)-1) + " " + secret
	}
	const pass = "https://builder:Str4ddl1ngPassw0rdValue@pkgs.example.com/simple"
	const secret = "Str4ddl1ngPassw0rd"
	log := at("#6 [2/3] RUN pip install --index-url", 256-len("https://builder:")-10+len("#6 "), pass) + "\n" +
		at("#6 0.1 Looking in indexes:", 1024-len("https://builder:")-10+len("#6 0.1 "), pass) + "\n" +
		at("#6 0.2 ERROR: No matching distribution found for torch==9.9", 4096-len("https://builder:")-10+len("#6 0.2 "), pass) + "\n"
	summary := filepath.Join(t.TempDir(), "summary.md")
	for _, format := range formats {
		out := triage(t, map[string]string{"GITHUB_STEP_SUMMARY": summary}, log, "--format", format, "--context", "5", "-v")
		if out.code != 1 {
			t.Errorf("%s: exit %d, stderr %q", format, out.code, out.stderr)
		}
		all := out.stdout + out.stderr
		if data, err := os.ReadFile(summary); err == nil {
			all += string(data)
		}
		for n := len(secret); n >= 5; n-- {
			if strings.Contains(all, secret[:n]) {
				t.Errorf("%s: %q of the secret leaks", format, secret[:n])
				break
			}
		}
	}
}

// TestMachineFormatsStayWellFormed feeds binary garbage, invalid UTF-8 and
// control characters; json, jsonl and sarif must still parse.
func TestMachineFormatsStayWellFormed(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat("Killed\nOSError: [Errno 28] No space left on device\n", 200)))
	zw.Close()
	log := gz.String() + "\nKilled \xff\xfe\x00\x1b[31m\"}]\u2028\n" + "ERROR: No matching distribution found for x\x00y\xc3\n"
	for _, format := range []string{"json", "sarif"} {
		out := triage(t, nil, log, "--format", format)
		if !json.Valid([]byte(out.stdout)) {
			t.Errorf("%s output is not valid JSON:\n%s", format, out.stdout)
		}
	}
	out := triage(t, nil, log, "--format", "jsonl")
	for i, line := range strings.Split(strings.TrimSpace(out.stdout), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("jsonl line %d is not valid JSON: %q", i+1, line)
		}
	}
}

// TestEveryCatalogMistakeAtOnce gives a catalog with one mistake of each
// kind: parse, merge and compile problems come out together, one line each.
func TestEveryCatalogMistakeAtOnce(t *testing.T) {
	out := triage(t, nil, "ok\n", "--catalog", "../../classify/testdata/broken.yaml")
	if out.code != 2 {
		t.Errorf("exit %d", out.code)
	}
	lines := strings.Split(strings.TrimSpace(out.stderr), "\n")
	want := []string{"6:5: rule first_rule: unknown key", "11:16: rule bad_regex: invalid pattern", "16:18: rule bad_template: undefined field",
		"17:9: rule first_rule: duplicate rule id", "25:17: rule cycle_a: cycle", "37:11: rule failing_example: example failed"}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines:\n%s", len(lines), out.stderr)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], "triage: ../../classify/testdata/broken.yaml:"+w) {
			t.Errorf("line %d = %q, want it to start with the position and %q", i+1, lines[i], w)
		}
	}
}
