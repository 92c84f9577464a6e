package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildlog/buildlog/classify"
	"github.com/dlclark/regexp2/v2"
	"go.yaml.in/yaml/v3"
)

func drainAll(d *drain, lines ...string) []string {
	for i, l := range lines {
		d.add(strings.Fields(l), i)
	}
	var out []string
	for _, g := range d.groups {
		out = append(out, strings.Join(g.template, " "))
	}
	return out
}

func TestDrainMerges(t *testing.T) {
	got := drainAll(newDrain(drainDepth, drainSimilarity, drainMaxChildren),
		"fatal error: configuration key alpha.beta is required",
		"fatal error: configuration key gamma.delta is required",
		"fatal error: configuration file <path> is missing", // same length, 4 of 7 tokens: joins at 0.5
		"fatal error: short line",                           // another length
		"warning: configuration key alpha.beta is required", // another first token
	)
	want := []string{
		"fatal error: configuration <*> <*> is <*>",
		"fatal error: short line",
		"warning: configuration key alpha.beta is required",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("templates:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A stricter threshold keeps the file line apart.
	got = drainAll(newDrain(drainDepth, 0.7, drainMaxChildren),
		"fatal error: configuration key alpha.beta is required",
		"fatal error: configuration key gamma.delta is required",
		"fatal error: configuration file <path> is missing",
	)
	if len(got) != 2 || got[0] != "fatal error: configuration key <*> is required" {
		t.Errorf("similarity 0.7: %q", got)
	}
}

func TestDrainRouting(t *testing.T) {
	// A masked token is routed to the wildcard child: the lines meet.
	got := drainAll(newDrain(drainDepth, drainSimilarity, drainMaxChildren),
		"<n> out of <n> hunks FAILED",
		"<path>: out of <n> hunks FAILED",
	)
	if len(got) != 1 || got[0] != "<*> out of <n> hunks FAILED" {
		t.Errorf("masked first tokens: %q", got)
	}
	// Past max children, new first tokens share the wildcard child.
	d := newDrain(drainDepth, drainSimilarity, 3)
	got = drainAll(d, "aa: cannot open x", "bb: cannot open x", "cc: cannot open x", "dd: cannot open x")
	if len(got) != 3 || got[2] != "<*> cannot open x" {
		t.Errorf("max children 3: %q", got)
	}
	// Depth 3 routes by the token count and the first token only.
	got = drainAll(newDrain(3, drainSimilarity, drainMaxChildren), "error: a b c", "error: d b c")
	if len(got) != 1 || got[0] != "error: <*> b c" {
		t.Errorf("depth 3: %q", got)
	}
}

func TestDraftPattern(t *testing.T) {
	for _, c := range []struct {
		template string
		spacey   []bool
		want     string
		match    []string
	}{
		{`jq: error (at <stdin>:<n>): Cannot index number with string "<q>"`, nil,
			`jq:\s+error\s+\(at\s+<stdin>:(?<number>\d+)\):\s+Cannot\s+index\s+number\s+with\s+string\s+"(?<name>.+?)"`,
			[]string{`jq: error (at <stdin>:1): Cannot index number with string "image name"`}},
		{`<n> out of <n> hunks FAILED -- saving rejects to file <*>`, nil,
			`(?<!\S)(?<number>\d+)\s+out\s+of\s+(?<number_2>\d+)\s+hunks\s+FAILED\s+--\s+saving\s+rejects\s+to\s+file\s+(?<value>\S+)`,
			[]string{"2 out of 7 hunks FAILED -- saving rejects to file a.c.rej"}},
		{`error: key <*> is {{not}} set at <ts>`, []bool{false, false, false, false, false, false, false, true},
			`error:\s+key\s+(?<value>\S+)\s+is\s+\{\{not\}\}\s+set\s+at\s+(?<time>\d[\d:.,/TZ+-]*(?: \d[\d:.,Z+-]*)?)`,
			[]string{"error: key a.b is {{not}} set at 2024-05-01 10:00:00"}},
		{`Error: digest <hex> of <path> (<ver>) from <url> at <host>`, nil, "", []string{
			"Error: digest a7f3c2d1e0 of /opt/x/y.bin (v1.2.3-rc1) from https://example.com/a?b=c at files.example.com"}},
	} {
		got := draftPattern(strings.Fields(c.template), c.spacey)
		if c.want != "" && got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.template, got, c.want)
		}
		re, err := regexp2.Compile(got, regexp2.RE2)
		if err != nil {
			t.Fatalf("%s: %v", got, err)
		}
		for _, m := range c.match {
			if ok, _ := re.MatchString(m); !ok {
				t.Errorf("%s does not match %q", got, m)
			}
			if fp := classify.Fingerprint(m); fp != c.template && !strings.Contains(c.template, drainWildcard) {
				t.Errorf("fingerprint of %q = %q, not the template", m, fp)
			}
		}
	}
}

func TestDraftID(t *testing.T) {
	for template, want := range map[string]string{
		`jq: error (at <stdin>:<n>): Cannot index`: "draft_07_jq_error_at_cannot_index",
		`<n> <*> "<q>"`: "draft_07",
		`ModuleNotFoundError: No module named '<q>'`: "draft_07_modulenotfounderror_no_module_named",
	} {
		if got := draftID(7, strings.Fields(template)); got != want {
			t.Errorf("%s: id %s, want %s", template, got, want)
		}
	}
}

func TestYAMLQuote(t *testing.T) {
	for _, s := range []string{
		"plain", "it's", `a "quoted" \ back`, "#8 0.1 \x1b[31mred\x1b[0m", "tab\there", "bad \xff byte", "bom \ufeff", "line\u2028sep", "ünïcode ✓", "",
	} {
		var got string
		if err := yaml.Unmarshal([]byte("v: "+yamlQuote(s)), &struct{ V *string }{&got}); err != nil {
			t.Errorf("%q: %s does not parse: %v", s, yamlQuote(s), err)
			continue
		}
		want := strings.ToValidUTF8(s, "\ufffd")
		if s == "bad \xff byte" {
			// YAML has no escape for a byte that is not UTF-8: \xff is U+00FF.
			want = "bad \u00ff byte"
		}
		if got != want {
			t.Errorf("%q: %s reads back as %q", s, yamlQuote(s), got)
		}
	}
}

// TestDraftPatternMatchesItsLines turns the fingerprint of every distinct
// line of the fixture logs into a draft pattern and checks that the pattern
// matches the line it came from, as a rule would see it (normalised).
func TestDraftPatternMatchesItsLines(t *testing.T) {
	logs, err := filepath.Glob("../../fixtures/*/*.log")
	if err != nil || len(logs) == 0 {
		t.Fatalf("fixtures: %v", err)
	}
	seen := map[string]bool{}
	tried, failed := 0, 0
	for _, name := range logs {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range strings.Split(string(data), "\n") {
			line := classify.Normalize(raw)
			fp := classify.Fingerprint(line)
			if fp == "" || seen[fp] || len(line) > 400 {
				continue
			}
			seen[fp] = true
			tried++
			expr := draftPattern(asciiFields(fp), nil)
			re, err := regexp2.Compile(expr, regexp2.RE2)
			if err != nil {
				t.Errorf("%s: %q: pattern %s: %v", name, line, expr, err)
				continue
			}
			re.MatchTimeout = time.Second
			if ok, err := re.MatchString(line); !ok || err != nil {
				failed++
				if failed <= 20 {
					t.Errorf("%s: %q (fingerprint %q): pattern %s does not match", name, line, fp, expr)
				}
			}
		}
	}
	t.Logf("%d fingerprints, %d patterns fail", tried, failed)
}
