package classify

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeCatalog parses the catalog example of the README, so that the
// reference stays true to the parser.
func TestReadmeCatalog(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "```yaml\nschema: 1\n")
	if !ok {
		t.Fatal("README has no catalog example")
	}
	block, _, _ := strings.Cut(rest, "```")
	if _, err := ParseCatalog("README.md", []byte("schema: 1\n"+block)); err != nil {
		t.Fatal(err)
	}
}
