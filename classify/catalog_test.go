package classify

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestBrokenCatalogReportsEverything checks that one mistake of each kind
// comes back in one list, each with its file, line and column.
func TestBrokenCatalogReportsEverything(t *testing.T) {
	c, perr := ParseCatalog("testdata/broken.yaml", mustRead(t, "testdata/broken.yaml"))
	_, cerr := Compile(c, WithExamples())
	var all ErrorList
	for _, err := range []error{perr, cerr} {
		var l ErrorList
		if !errors.As(err, &l) {
			t.Fatalf("want an ErrorList, got %T: %v", err, err)
		}
		all = append(all, l...)
	}
	all.sort()
	want := []string{
		`testdata/broken.yaml:6:5: rule first_rule: unknown key: "patern" in a rule (did you mean "patterns"?)`,
		`testdata/broken.yaml:11:16: rule bad_regex: invalid pattern: missing closing ) in ` + "`Could not (find`",
		`testdata/broken.yaml:16:18: rule bad_template: undefined field: {{requirement}} is not captured by any pattern of the rule`,
		`testdata/broken.yaml:17:9: rule first_rule: duplicate rule id: also defined at testdata/broken.yaml:3:5`,
		`testdata/broken.yaml:25:17: rule cycle_a: cycle: suppressions form a cycle: cycle_a → cycle_b → cycle_a`,
		`testdata/broken.yaml:37:11: rule failing_example: example failed: match example not matched by any pattern (normalised line "E: Unable to find package foo")`,
	}
	var got []string
	for _, e := range all {
		got = append(got, e.Error())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestFailingExampleIsPositioned(t *testing.T) {
	src := `rules:
  - id: apt_missing
    group: apt
    title: t
    patterns: ['Unable to locate package (?<package>\S+)']
    examples:
      match:
        - 'E: Unable to find package foo'
        - text: 'E: Unable to locate package bar'
          fields: {package: baz}
      no_match:
        - 'E: Unable to locate package qux'
`
	c, err := ParseCatalog("x.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compile(c); err != nil {
		t.Errorf("Compile ran the examples without WithExamples: %v", err)
	}
	_, err = Compile(c, WithExamples())
	want := `x.yaml:8:11: rule apt_missing: example failed: match example not matched by any pattern (normalised line "E: Unable to find package foo")
x.yaml:9:17: rule apt_missing: example failed: field package = "bar", want "baz"
x.yaml:12:11: rule apt_missing: example failed: no_match example matched at its line 1: "E: Unable to locate package qux"`
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
	if !errors.Is(err, ErrExampleFailed) {
		t.Errorf("errors.Is(err, ErrExampleFailed) = false")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"wrong type", "rules:\n  - id: a\n    group: g\n    title: t\n    patterns: ['abcd']\n    priority: high\n",
			`f.yaml:6:15: rule a: invalid value: want a whole number, found the text "high"`},
		{"duplicate key", "rules:\n  - id: a\n    id: b\n    group: g\n    title: t\n    patterns: ['abcd']\n",
			`f.yaml:3:5: rule b: invalid value: key "id" appears twice`},
		{"unknown top key", "rulez: []\n",
			`f.yaml:1:1: unknown key: "rulez" (want schema, definitions, ignore, redact, disable or rules)`},
		{"schema", "schema: 2\n", `f.yaml:1:9: invalid value: schema 2 is not supported (this version reads schema 1)`},
		{"alias", "definitions:\n  a: &x 'abcd'\n  b: *x\n", `f.yaml:3:6: invalid YAML: YAML aliases (*x) are not supported in catalogs`},
		{"syntax", "rules: [\n", `f.yaml:1: invalid YAML: did not find expected node content`},
		{"bad utf8", "rules:\n  - id: \xff\n", `f.yaml:2:9: invalid YAML: the file is not valid UTF-8`},
		{"bad id", "rules:\n  - id: Bad-Id\n    group: g\n    title: t\n    patterns: ['abcd']\n",
			`f.yaml:2:9: rule Bad-Id: invalid value: id "Bad-Id" must be snake_case (lower-case words joined by _)`},
		{"missing", "rules:\n  - id: a\n", "f.yaml:2:5: rule a: missing required key: patterns\nf.yaml:2:5: rule a: missing required key: title\nf.yaml:2:5: rule a: missing required key: group"},
		{"severity", "rules:\n  - id: a\n    group: g\n    title: t\n    patterns: ['abcd']\n    severity: fatal\n",
			`f.yaml:6:15: rule a: invalid value: severity "fatal" (want error, warning or info)`},
		{"retry", "rules:\n  - id: a\n    group: g\n    title: t\n    patterns: ['abcd']\n    retry: maybe\n",
			`f.yaml:6:12: rule a: invalid value: retry "maybe" (want transient, permanent or unknown)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCatalog("f.yaml", []byte(tt.src))
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHostileYAML(t *testing.T) {
	// A billion-laughs document: aliases are refused before any expansion.
	var b strings.Builder
	b.WriteString("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	for i := 'b'; i <= 'i'; i++ {
		prev := string(i - 1)
		b.WriteString(string(i) + ": &" + string(i) + " [*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + "]\n")
	}
	if _, err := ParseCatalog("bomb.yaml", []byte(b.String())); err == nil || !errors.Is(err, ErrSyntax) {
		t.Errorf("alias bomb: got %v", err)
	}
	deep := strings.Repeat("[", 5000) + strings.Repeat("]", 5000)
	if _, err := ParseCatalog("deep.yaml", []byte("rules: "+deep)); err == nil {
		t.Error("deep nesting: no error")
	}
	big := make([]byte, MaxCatalogBytes+1)
	if _, err := ParseCatalog("big.yaml", big); !errors.Is(err, ErrCatalogTooLarge) {
		t.Errorf("big catalog: got %v", err)
	}
	fsys := fstest.MapFS{"big.yaml": {Data: big}}
	if _, err := LoadCatalog(fsys, "*.yaml"); !errors.Is(err, ErrCatalogTooLarge) {
		t.Errorf("LoadCatalog big catalog: got %v", err)
	}
}

func rule(id, group, pattern string) string {
	return "  - id: " + id + "\n    group: " + group + "\n    title: " + id + "\n    patterns: ['" + pattern + "']\n"
}

func TestMerge(t *testing.T) {
	fsys := fstest.MapFS{
		"a.yaml": {Data: []byte("definitions:\n  word: '[a-z]+'\nrules:\n" + rule("one", "g", "first one") + rule("two", "g", "second two"))},
		"b.yaml": {Data: []byte("disable: [one]\nrules:\n" + rule("two", "g", "replaced two {{word}}") + "    override: true\n" + rule("three", "g", "third three"))},
	}
	c, err := LoadCatalog(fsys, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var ids, exprs []string
	for _, r := range c.Rules {
		ids = append(ids, r.ID)
		exprs = append(exprs, r.Patterns[0].Expr)
	}
	if diff := cmp.Diff([]string{"two", "three"}, ids); diff != "" {
		t.Errorf("ids mismatch (-want +got):\n%s", diff)
	}
	if exprs[0] != "replaced two {{word}}" {
		t.Errorf("override not applied: %q", exprs[0])
	}
	if _, err := Compile(c); err != nil {
		t.Errorf("merged catalog does not compile: %v", err)
	}

	fsys["c.yaml"] = &fstest.MapFile{Data: []byte("disable: [nope]\nrules:\n" + rule("three", "g", "again three"))}
	c, err = LoadCatalog(fsys, "*.yaml")
	want := "c.yaml:3:9: rule three: duplicate rule id: also defined at b.yaml:8:5 (set override: true to replace it)"
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
	// A disable that names no rule yet is kept for a later Merge; Compile
	// reports it when nothing resolved it.
	if len(c.Disable) != 1 || c.Disable[0].Name != "nope" {
		t.Errorf("unresolved disables: %+v", c.Disable)
	}
	_, err = Compile(c)
	want = "c.yaml:1:11: unknown rule id: cannot disable \"nope\": no catalog before this one defines it"
	if err == nil || err.Error() != want {
		t.Errorf("Compile: got:\n%v\nwant:\n%s", err, want)
	}
}

func TestDefinitions(t *testing.T) {
	src := "definitions:\n  a: 'x{{b}}'\n  b: 'y{{a}}'\n  ok: 'pkg-[0-9]+'\nrules:\n" +
		rule("uses_ok", "g", "install {{ok}} now") + rule("uses_cycle", "g", "start {{a}}") + rule("uses_missing", "g", "start {{nope}}")
	c, err := ParseCatalog("d.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(c)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"d.yaml:2:6: cycle: definitions refer to each other: a → b → a", "rule uses_missing: undefined definition: {{nope}}"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestUnknownSuppression(t *testing.T) {
	src := "rules:\n" + rule("a", "g", "alpha line") + "    suppresses: [nothing_here, g]\n"
	c, _ := ParseCatalog("s.yaml", []byte(src))
	_, err := Compile(c)
	want := `s.yaml:6:18: rule a: unknown rule id: suppresses "nothing_here", which is neither a rule id nor a group`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// TestCatalogBuiltInGo compiles a catalog written as Go values: a rule
// without a severity is an error, and Compile leaves the catalog as it was.
func TestCatalogBuiltInGo(t *testing.T) {
	r := &Rule{ID: "oom", Group: "system", Title: "Out of memory", Patterns: []Pattern{{Expr: `^Killed$`}}, Remediation: "More memory."}
	c := &Catalog{Rules: []*Rule{r}}
	m, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := m.Classify(t.Context(), strings.NewReader("Killed\n"))
	if rep.Primary == nil || rep.Primary.Severity != SeverityError || rep.Primary.Remediation != "More memory." {
		t.Errorf("report: %+v", rep.Primary)
	}
	if r.Severity != 0 {
		t.Errorf("Compile changed the rule's severity to %v", r.Severity)
	}
}

// TestTeamOverlay follows the documented route for a team catalog: load
// the team's folder on its own, then merge it over the base. Its disable,
// override and patch all apply to the base's rules.
func TestTeamOverlay(t *testing.T) {
	base, err := ParseCatalog("base.yaml", []byte("rules:\n"+
		rule("oom", "system", "^Killed$")+"    remediation: More memory.\n    links: [https://example.com/oom]\n"+
		rule("noisy", "g", "noisy line")+
		rule("replaced", "g", "old pattern")))
	if err != nil {
		t.Fatal(err)
	}
	team := fstest.MapFS{
		"team/a.yaml": {Data: []byte(`disable: [noisy]
rules:
  - id: oom
    patch: true
    priority: 95
    remediation: Ask the platform team for a bigger pool.
    patterns: ['Out of memory: Killed process']
    exclude: ['^Killed$ # harmless']
    links: [https://example.com/team-oom]
    examples:
      match: ['Out of memory: Killed process 123 (cc1plus)']
`)},
		"team/b.yaml": {Data: []byte("rules:\n" + rule("replaced", "g", "new pattern") + "    override: true\n")},
	}
	mine, err := LoadCatalog(team, "team/*.yaml")
	if err != nil {
		t.Fatalf("loading the team folder on its own: %v", err)
	}
	merged, err := Merge(base, mine)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(merged, WithExamples())
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	if merged.Rule("noisy") != nil {
		t.Error("disable of a base rule did not apply")
	}
	oom := merged.Rule("oom")
	if oom.Priority != 95 || oom.Title != "oom" || oom.Remediation != "Ask the platform team for a bigger pool." ||
		len(oom.Patterns) != 2 || len(oom.Links) != 2 || len(oom.Exclude) != 1 || oom.Patch {
		t.Errorf("patched rule: %+v", oom)
	}
	if got := merged.Rule("replaced").Patterns[0].Expr; got != "new pattern" {
		t.Errorf("override: %q", got)
	}
	rep, _ := m.Classify(context.Background(), strings.NewReader("Out of memory: Killed process 9 (java)\nnoisy line\n"))
	if len(rep.Issues) != 1 || rep.Primary.ID != "oom" || rep.Primary.Priority != 95 {
		t.Errorf("report: %+v", rep.Issues)
	}
	// A patch or disable nothing resolves is reported by Compile, at the
	// user's line.
	_, err = Compile(mine)
	for _, want := range []string{`team/a.yaml:1:11: unknown rule id: cannot disable "noisy"`, `team/a.yaml:4:12: rule oom: unknown rule id: cannot patch "oom"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("unresolved overlay: %v; want %s", err, want)
		}
	}
}

// TestUserIgnoreBlamedOnUser: a user's ignore pattern that vetoes a base
// rule's example is reported at the ignore pattern, in the user's file.
func TestUserIgnoreBlamedOnUser(t *testing.T) {
	dir := t.TempDir()
	base, _ := ParseCatalog("embedded/pip.yaml", []byte("rules:\n"+rule("pip_retry", "pip", "WARNING: Retrying")+"    examples:\n      match: ['WARNING: Retrying (Retry(total=4))']\n"))
	user := dir + "/team.yaml"
	if err := writeFile(user, "ignore:\n  - '^WARNING: Retrying'\n"); err != nil {
		t.Fatal(err)
	}
	_, err := CompileFiles(base, []string{user})
	want := user + `:2:5: rule pip_retry: example failed: ignore pattern "^WARNING: Retrying" vetoes a match example of this rule: narrow the ignore pattern, or disable the rule (the match example at embedded/pip.yaml:7:15)`
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}

// TestCompileFilesRunsPatchedExamples: the examples of a base rule that a
// user's file patches run in CompileFiles (the patch may add a pattern, an
// exclude or examples), and a failure is the user's, at their example.
func TestCompileFilesRunsPatchedExamples(t *testing.T) {
	dir := t.TempDir()
	base, _ := ParseCatalog("embedded/pip.yaml", []byte("rules:\n"+rule("pip_retry", "pip", "WARNING: Retrying")))
	user := dir + "/team.yaml"
	if err := writeFile(user, "rules:\n  - id: pip_retry\n    patch: true\n    exclude: ['total=0']\n    examples:\n      match: ['WARNING: Retrying (Retry(total=0))']\n"); err != nil {
		t.Fatal(err)
	}
	_, err := CompileFiles(base, []string{user})
	want := user + `:6:15: rule pip_retry: example failed: `
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got:\n%v\nwant it to start with:\n%s", err, want)
	}
	// The same patch without its contradiction compiles.
	if err := writeFile(user, "rules:\n  - id: pip_retry\n    patch: true\n    exclude: ['total=0']\n    examples:\n      match: ['WARNING: Retrying (Retry(total=4))']\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := CompileFiles(base, []string{user}); err != nil {
		t.Errorf("a patch whose example holds: %v", err)
	}
}
