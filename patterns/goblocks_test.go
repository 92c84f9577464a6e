package patterns_test

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestGoBlocks type-checks every Go snippet a user is shown: the README's
// ```go blocks and the code blocks of the package docs. A whole file is
// checked as it is; declarations get a package clause; statements are
// checked as the body of a function whose parameters are the names a
// snippet leaves to the reader (ctx, r, base, …). Imports are added for the
// packages a snippet names. Only "declared and not used" and "imported and
// not used" are forgiven, as a snippet shows a value without using it.
func TestGoBlocks(t *testing.T) {
	var blocks []goBlock
	blocks = append(blocks, markdownGoBlocks(t, "../README.md")...)
	for _, f := range []string{"../classify/doc.go", "../classify/classifytest/classifytest.go", "embed.go"} {
		blocks = append(blocks, docGoBlocks(t, f)...)
	}
	if len(blocks) < 6 {
		t.Fatalf("found %d Go snippets; the README and package docs show more", len(blocks))
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "source", nil)
	for _, b := range blocks {
		t.Run(b.where, func(t *testing.T) {
			if err := typeCheck(fset, imp, b); err != nil {
				t.Errorf("%s does not compile:\n%v\n--- snippet\n%s", b.where, err, b.text)
			}
		})
	}
}

type goBlock struct {
	where string // file:line of the snippet's first line
	text  string
}

func markdownGoBlocks(t *testing.T, path string) []goBlock {
	var out []goBlock
	lines := fileLines(t, path)
	for i := 0; i < len(lines); i++ {
		if lines[i] != "```go" {
			continue
		}
		start := i + 1
		for i++; i < len(lines) && lines[i] != "```"; i++ {
		}
		out = append(out, goBlock{fmt.Sprintf("%s:%d", strings.TrimPrefix(path, "../"), start+1), strings.Join(lines[start:i], "\n")})
	}
	return out
}

func fileLines(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(string(data), "\n")
}

// docGoBlocks returns the indented blocks of a file's comments that are Go
// (they hold := or a declaration); tables and log samples are left alone.
func docGoBlocks(t *testing.T, path string) []goBlock {
	var out []goBlock
	lines := fileLines(t, path)
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "//\t") {
			continue
		}
		start := i
		var body []string
		// a blank comment line between two indented ones stays in the block
		for ; i < len(lines) && (strings.HasPrefix(lines[i], "//\t") || lines[i] == "//" && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "//\t")); i++ {
			body = append(body, strings.TrimPrefix(strings.TrimPrefix(lines[i], "//"), "\t"))
		}
		text := strings.Join(body, "\n")
		if strings.Contains(text, ":=") || regexp.MustCompile(`(?m)^(func|var) `).MatchString(text) {
			out = append(out, goBlock{fmt.Sprintf("%s:%d", strings.TrimPrefix(path, "../"), start+1), text})
		}
	}
	return out
}

// snippetImports are the packages a snippet may name without importing.
var snippetImports = map[string]string{
	"classify":     "github.com/buildlog/buildlog/classify",
	"classifytest": "github.com/buildlog/buildlog/classify/classifytest",
	"envcheck":     "github.com/buildlog/buildlog/classify/envcheck",
	"patterns":     "github.com/buildlog/buildlog/patterns",
	"context":      "context",
	"errors":       "errors",
	"flag":         "flag",
	"fmt":          "fmt",
	"io":           "io",
	"os":           "os",
	"testing":      "testing",
	"time":         "time",
}

// snippetParams are the values a statement snippet may use without
// declaring them, as its surrounding prose supposes.
var snippetParams = map[string]string{
	"ctx":  "context.Context",
	"r":    "io.Reader",
	"data": "[]byte",
	"base": "*classify.Catalog",
	"m":    "*classify.Matcher",
	"line": "[]byte",
	"t":    "*testing.T",
}

var undefinedName = regexp.MustCompile(`undefined: (\w+)$`)

func typeCheck(fset *token.FileSet, imp types.Importer, b goBlock) error {
	text := strings.ReplaceAll(b.text, "…", "/* … */")
	whole := strings.HasPrefix(strings.TrimSpace(text), "package ")
	decls := regexp.MustCompile(`(?m)^(func|var|type|const) `).MatchString(text)
	params := map[string]bool{}
	for attempt := 0; ; attempt++ {
		src := text
		if !whole {
			var imports []string
			for name, path := range snippetImports {
				if regexp.MustCompile(`\b` + name + `\.`).MatchString(text + " " + paramTypes(params)) {
					imports = append(imports, fmt.Sprintf("%s %q", name, path))
				}
			}
			sort.Strings(imports)
			head := "package snippet\n\nimport (\n\t" + strings.Join(imports, "\n\t") + "\n)\n\n"
			if len(imports) == 0 {
				head = "package snippet\n\n"
			}
			if decls {
				src = head + text
			} else {
				src = head + "func _(" + paramList(params) + ") error {\n" + text + "\nreturn nil\n}\n"
			}
		}
		f, err := parser.ParseFile(fset, b.where, src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		var hard []string
		var missing []string
		conf := types.Config{Importer: imp, Error: func(err error) {
			if msg := err.Error(); strings.Contains(msg, "declared and not used") || strings.Contains(msg, "imported and not used") {
				return
			}
			if m := undefinedName.FindStringSubmatch(err.Error()); m != nil && snippetParams[m[1]] != "" && !whole && !decls {
				missing = append(missing, m[1])
				return
			}
			hard = append(hard, err.Error())
		}}
		conf.Check("snippet", fset, []*ast.File{f}, nil)
		if len(hard) > 0 {
			return fmt.Errorf("%s", strings.Join(hard, "\n"))
		}
		if len(missing) == 0 {
			return nil
		}
		if attempt > len(snippetParams) {
			return fmt.Errorf("names still undefined: %v", missing)
		}
		for _, n := range missing {
			params[n] = true
		}
	}
}

func paramList(params map[string]bool) string {
	var ps []string
	for n := range params {
		ps = append(ps, n+" "+snippetParams[n])
	}
	sort.Strings(ps)
	return strings.Join(ps, ", ")
}

func paramTypes(params map[string]bool) string {
	var ts []string
	for n := range params {
		ts = append(ts, snippetParams[n])
	}
	return strings.Join(ts, " ")
}
