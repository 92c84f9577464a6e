package classify

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeCatalog compiles the catalog example of the README with its
// examples, so that the reference stays a working file.
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
	c, err := ParseCatalog("README.md", []byte("schema: 1\n"+block))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compile(c, WithExamples()); err != nil {
		t.Fatal(err)
	}
}

// TestDocCatalog extracts the catalog example of the package documentation
// and compiles it with its examples: it must be a working starting file.
func TestDocCatalog(t *testing.T) {
	data, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var yaml []string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case line == "//\tschema: 1":
			in = true
		case in && !strings.HasPrefix(line, "//\t"):
			in = false
		}
		if in {
			yaml = append(yaml, strings.TrimPrefix(line, "//\t"))
		}
	}
	if len(yaml) == 0 {
		t.Fatal("the package doc has no catalog example")
	}
	c, err := ParseCatalog("doc.go", []byte(strings.Join(yaml, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compile(c, WithExamples()); err != nil {
		t.Fatal(err)
	}
}
