package patterns_test

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/buildlog/buildlog/patterns"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the README's catalog table")

const (
	tableStart = "<!-- catalog table: go test ./patterns -run TestReadmeCatalogTable -update-readme -->\n"
	tableEnd   = "<!-- end of catalog table -->\n"
)

// catalogTable renders the default catalog's rules, one row per group.
func catalogTable(t *testing.T) string {
	c, err := patterns.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	byGroup := map[string][]string{}
	for _, r := range c.Rules {
		byGroup[r.Group] = append(byGroup[r.Group], "`"+r.ID+"`")
	}
	groups := make([]string, 0, len(byGroup))
	for g := range byGroup {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	var b strings.Builder
	fmt.Fprintf(&b, "| group | %d rules |\n| --- | --- |\n", len(c.Rules))
	for _, g := range groups {
		fmt.Fprintf(&b, "| %s | %s |\n", g, strings.Join(byGroup[g], ", "))
	}
	return b.String()
}

// TestReadmeCatalogTable keeps the README's table of the default catalog's
// groups and ids equal to the catalog; -update-readme rewrites it.
func TestReadmeCatalogTable(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok := strings.Cut(string(data), tableStart)
	if !ok {
		t.Fatal("README has no catalog table marker")
	}
	table, after, ok := strings.Cut(rest, tableEnd)
	if !ok {
		t.Fatal("README's catalog table has no end marker")
	}
	want := catalogTable(t)
	if *updateReadme {
		if err := os.WriteFile("../README.md", []byte(before+tableStart+want+tableEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if table != want {
		t.Errorf("README's catalog table is stale; run go test ./patterns -run TestReadmeCatalogTable -update-readme\n--- want\n%s", want)
	}
}
