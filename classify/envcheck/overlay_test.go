package envcheck

import (
	"errors"
	"testing"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/patterns"
)

const overlayDef = "name: team\nimage: python\nconda_file: conda.yml\n"
const overlayConda = "channels: [conda-forge]\ndependencies:\n  - python=3.12\n  - numpy\n"

func overlayFindings(t *testing.T, o Options) map[string]Finding {
	t.Helper()
	dir := writeExample(t, map[string]string{"env.yml": overlayDef, "conda.yml": overlayConda})
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	o.Now = testNow
	out := map[string]Finding{}
	for _, f := range d.CheckWith(o) {
		out[f.ID] = f
	}
	return out
}

func TestFromCatalog(t *testing.T) {
	before := overlayFindings(t, Options{})
	unpinned, ok := before["dependencies_unpinned"]
	if !ok || unpinned.Severity != classify.SeverityWarning {
		t.Fatalf("the definition should give a warning dependencies_unpinned: %v", before)
	}
	if _, ok := before["base_image_no_tag_or_digest"]; !ok {
		t.Fatalf("the definition should give base_image_no_tag_or_digest: %v", before)
	}
	cat, err := classify.ParseCatalog("team.yaml", []byte(`disable: [base_image_no_tag_or_digest, out_of_memory]
rules:
  - id: dependencies_unpinned
    patch: true
    severity: error
    remediation: |
      Pin {{value}} as the team's lock file does.
    links: [https://wiki.example.com/pin]
  - id: disk_full
    patch: true
    priority: 3
`))
	if err != nil {
		t.Fatal(err)
	}
	o, err := FromCatalog(cat)
	if err != nil {
		t.Fatal(err)
	}
	after := overlayFindings(t, o)
	if _, ok := after["base_image_no_tag_or_digest"]; ok {
		t.Error("a disabled check still gave a finding")
	}
	f := after["dependencies_unpinned"]
	if f.Severity != classify.SeverityError || f.Title != unpinned.Title ||
		f.Remediation != "Pin numpy as the team's lock file does." ||
		len(f.Links) != len(unpinned.Links)+1 || f.Links[len(f.Links)-1] != "https://wiki.example.com/pin" {
		t.Errorf("patched finding %+v", f)
	}
	// the log rules' entries are not the checks'
	if len(o.Disable) != 1 || len(o.Severity) != 1 || len(o.Text) != 1 {
		t.Errorf("options %+v", o)
	}

	// a catalog built in Go: what is set is what is non-zero
	o, err = FromCatalog(&classify.Catalog{Rules: []*classify.Rule{{ID: "dependencies_unpinned", Patch: true, Severity: classify.SeverityInfo}}})
	if err != nil || o.Severity["dependencies_unpinned"] != classify.SeverityInfo || o.Text != nil {
		t.Errorf("Go-built patch: %+v, %v", o, err)
	}

	// a patch of a check may change only what a check has
	cat, _ = classify.ParseCatalog("bad.yaml", []byte("rules:\n  - id: dependencies_unpinned\n    patch: true\n    group: pip\n    patterns: [x]\n"))
	_, err = FromCatalog(cat)
	var list classify.ErrorList
	if !errors.As(err, &list) || len(list) != 2 || !errors.Is(err, classify.ErrBadValue) ||
		list[0].Pos.Line != 4 || list[1].Pos.Line != 5 {
		t.Errorf("bad patch: %v", err)
	}
	_, err = FromCatalog(&classify.Catalog{Rules: []*classify.Rule{{ID: "dependencies_unpinned", Patch: true, Patterns: []classify.Pattern{{Expr: "x"}}}}})
	if !errors.Is(err, classify.ErrBadValue) {
		t.Errorf("Go-built patch with patterns: %v", err)
	}
}

// TestCheckIDsAreNotLogRuleIDs: a disable or patch names one thing, a check
// or a log rule, never both.
func TestCheckIDsAreNotLogRuleIDs(t *testing.T) {
	cat, err := patterns.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cat.Rules {
		if IsCheck(r.ID) {
			t.Errorf("%s is both a log rule and a definition check", r.ID)
		}
	}
}

// TestForeignIDsCompile: the default catalog with a team file that adjusts
// checks compiles for logs when the checks' ids are left to envcheck, and
// not otherwise; an unknown id that is no check is still an error.
func TestForeignIDsCompile(t *testing.T) {
	def, err := patterns.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	team, err := classify.ParseCatalog("team.yaml", []byte("disable: [base_image_no_tag_or_digest]\nrules:\n  - id: dependencies_unpinned\n    patch: true\n    severity: info\n"))
	if err != nil {
		t.Fatal(err)
	}
	all, err := classify.Merge(def, team)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := classify.Compile(all, classify.WithLazyCompile()); !errors.Is(err, classify.ErrUnknownID) {
		t.Errorf("without WithForeignIDs: %v, want ErrUnknownID", err)
	}
	if _, err := classify.Compile(all, classify.WithLazyCompile(), classify.WithForeignIDs(IsCheck)); err != nil {
		t.Errorf("with WithForeignIDs: %v", err)
	}
	typo, _ := classify.ParseCatalog("typo.yaml", []byte("disable: [dependencies_unpined]\n"))
	all, _ = classify.Merge(def, typo)
	if _, err := classify.Compile(all, classify.WithLazyCompile(), classify.WithForeignIDs(IsCheck)); !errors.Is(err, classify.ErrUnknownID) {
		t.Errorf("a misspelt id: %v, want ErrUnknownID", err)
	}
}
