package classify

import (
	"bytes"
	"testing"
)

// TestSuspectScore checks the rule-free scoring of likely error lines:
// tool error prefixes score high, error words in prose less, and harmless
// lines, counts of zero errors and fragments of structured data nothing.
func TestSuspectScore(t *testing.T) {
	high := []string{
		"E: Unable to locate package libfoo-dev",
		"npm ERR! code E404",
		"error: could not compile `app` due to 2 previous errors",
		"fatal: repository 'https://example.com/x.git/' not found",
		"ModuleNotFoundError: No module named 'torch'",
	}
	some := []string{
		"encoder.onnx: FAILED",
		"sh: 1: protoc: not found",
		"The command '/bin/sh -c ./build.sh' returned a non-zero code: 3",
		"Could not read from remote repository.",
		"eslint found 32 errors in src/app/index.ts (rule no-unused-vars)",
		"Found 10 errors in 3 files.",
	}
	none := []string{
		"",
		"Step 3/9 : RUN pip install -r requirements.txt",
		"Successfully installed numpy-1.26.4",
		"0 errors, 2 warnings",
		"Build succeeded with 0 errors",
		`    "error": {`,
		`        "code": "UserError",`,
		"]",
	}
	for _, s := range high {
		if got := suspectScore([]byte(s)); got < 4 {
			t.Errorf("suspectScore(%q) = %d, want at least 4", s, got)
		}
	}
	for _, s := range some {
		if got := suspectScore([]byte(s)); got == 0 {
			t.Errorf("suspectScore(%q) = 0, want more", s)
		}
	}
	for _, s := range none {
		if got := suspectScore([]byte(s)); got != 0 {
			t.Errorf("suspectScore(%q) = %d, want 0", s, got)
		}
	}
	if w, e := suspectScore([]byte("warning: unused variable 'x'")), suspectScore([]byte("error: unused variable 'x'")); w >= e {
		t.Errorf("a warning scores %d, not less than the same error's %d", w, e)
	}
}

// TestBlank holds blank to bytes.TrimSpace on every byte as a line's first
// and on white space of every kind.
func TestBlank(t *testing.T) {
	lines := []string{"", " ", "\t\r\v\f ", "\u00a0", "\u0085 ", " \u2003x", "x", " x", "\x00", "\xff", "é"}
	for c := range 256 {
		lines = append(lines, string([]byte{byte(c)}), string([]byte{byte(c), ' '}))
	}
	for _, l := range lines {
		if got, want := blank([]byte(l)), len(bytes.TrimSpace([]byte(l))) == 0; got != want {
			t.Errorf("blank(%q) = %v, want %v", l, got, want)
		}
	}
}
