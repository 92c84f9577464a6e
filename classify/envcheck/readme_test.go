package envcheck

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the README's table of definition checks")

const (
	checksStart = "<!-- checks table: go test ./classify/envcheck -run TestReadmeChecksTable -update-readme -->\n"
	checksEnd   = "<!-- end of checks table -->\n"
)

// checksTable renders every check, in catalog order, one row each.
func checksTable() string {
	var b strings.Builder
	cs := Checks()
	fmt.Fprintf(&b, "| check (%d) | severity | finds | predicts |\n| --- | --- | --- | --- |\n", len(cs))
	for _, c := range cs {
		p := "–"
		if c.Predicts != "" {
			p = "`" + c.Predicts + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", c.ID, c.Severity, strings.ReplaceAll(c.Title, "|", "\\|"), p)
	}
	return b.String()
}

// TestReadmeChecksTable keeps the README's list of definition checks equal
// to patterns/environment/checks.yaml; -update-readme rewrites it.
func TestReadmeChecksTable(t *testing.T) {
	const readme = "../../README.md"
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok := strings.Cut(string(data), checksStart)
	if !ok {
		t.Fatal("README has no checks table marker")
	}
	table, after, ok := strings.Cut(rest, checksEnd)
	if !ok {
		t.Fatal("README's checks table has no end marker")
	}
	want := checksTable()
	if *updateReadme {
		if err := os.WriteFile(readme, []byte(before+checksStart+want+checksEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if table != want {
		t.Errorf("README's checks table is stale; run go test ./classify/envcheck -run TestReadmeChecksTable -update-readme\n--- want\n%s", want)
	}
}
