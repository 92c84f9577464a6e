package patterns_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/patterns"
)

// TestCatalogCompiles compiles the embedded catalog with its examples, which
// Default skips, and fails on any error.
func TestCatalogCompiles(t *testing.T) {
	c, err := patterns.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	m, err := classify.Compile(c, classify.WithExamples())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range m.Warnings() {
		t.Errorf("performance: %v", w)
	}
}

// TestEveryRuleIsComplete checks the properties every default rule must
// have: a title, remediation, retry advice, at least three match and two
// no_match examples.
func TestEveryRuleIsComplete(t *testing.T) {
	c, err := patterns.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range c.Rules {
		switch {
		case r.Remediation == "":
			t.Errorf("%s: rule %s has no remediation", r.Pos, r.ID)
		case r.Retry == classify.RetryUnknown && !r.Fallback:
			t.Errorf("%s: rule %s gives no retry advice", r.Pos, r.ID)
		case len(r.Examples.Match) < 3:
			t.Errorf("%s: rule %s has %d match examples, want at least 3", r.Pos, r.ID, len(r.Examples.Match))
		case len(r.Examples.NoMatch) < 2:
			t.Errorf("%s: rule %s has %d no_match examples, want at least 2", r.Pos, r.ID, len(r.Examples.NoMatch))
		}
	}
}

// TestNoShadowing classifies every match example with the whole catalog: the
// rule must be the primary issue, unless the primary is a root cause that
// suppresses it or the rule is a fallback.
func TestNoShadowing(t *testing.T) {
	c, err := patterns.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	m := patterns.Default()
	for _, r := range c.Rules {
		for _, ex := range r.Examples.Match {
			rep, err := m.Classify(context.Background(), strings.NewReader(ex.Text))
			if err != nil {
				t.Fatal(err)
			}
			var own *classify.Issue
			for i := range rep.Issues {
				if rep.Issues[i].ID == r.ID {
					own = &rep.Issues[i]
				}
			}
			switch {
			case r.Fallback:
			case own == nil:
				t.Errorf("%s: rule %s: example gives no %s issue in the report", ex.Pos, r.ID, r.ID)
			case own.SuppressedBy != "":
			case rep.Primary != nil && rep.Primary.ID != r.ID && r.Severity == classify.SeverityError:
				t.Errorf("%s: rule %s: example is claimed by %s (priority %d over %d) with no suppression between them",
					ex.Pos, r.ID, rep.Primary.ID, rep.Primary.Priority, r.Priority)
			}
		}
	}
}

// TestReadmeOverlay loads the README's team catalog over the default one:
// its disable, patch and override must apply, and its examples pass.
func TestReadmeOverlay(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "```yaml\ndisable: [")
	if !ok {
		t.Fatal("README has no overlay example")
	}
	block, _, _ := strings.Cut(rest, "```")
	file := filepath.Join(t.TempDir(), "team.yaml")
	if err := os.WriteFile(file, []byte("disable: ["+block), 0o644); err != nil {
		t.Fatal(err)
	}
	base, err := patterns.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	m, err := classify.CompileFiles(base, []string{file})
	if err != nil {
		t.Fatal(err)
	}
	cat := m.Catalog()
	if cat.Rule("pip_dependency_conflict_warning") != nil {
		t.Error("disable not applied")
	}
	if r := cat.Rule("disk_full"); r.Priority != 96 || !strings.Contains(r.Remediation, "bigger disks") || len(r.Patterns) < 2 {
		t.Errorf("patch not applied: %+v", r)
	}
	if r := cat.Rule("out_of_memory"); len(r.Patterns) != 1 || r.Remediation != "Use the large build pool." {
		t.Errorf("override not applied: %+v", r)
	}
}
