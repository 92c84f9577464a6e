package classifytest_test

import (
	"strings"
	"testing"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/classify/classifytest"
)

const catalog = `rules:
  - id: out_of_memory
    group: system
    title: Out of memory
    priority: 90
    patterns: ['^Killed$']
    suppresses: [compiler]
  - id: compile_error
    group: compiler
    title: Compile error
    patterns: [': error: ']
    remediation: Fix the code.
    retry: permanent
`

func matcher(t *testing.T) *classify.Matcher {
	c, err := classify.ParseCatalog("catalog.yaml", []byte(catalog))
	if err != nil {
		t.Fatal(err)
	}
	return classify.MustCompile(c)
}

func TestRun(t *testing.T) {
	classifytest.Run(t, matcher(t), "testdata/*.log", false)
}

func TestCheck(t *testing.T) {
	m := matcher(t)
	rep, _ := m.Classify(t.Context(), strings.NewReader("x: error: y\n"))
	for _, tt := range []struct{ expect, err string }{
		{"primary compile_error", ""},
		{"primary out_of_memory", "primary = compile_error, want out_of_memory"},
		{"clean", `clean log has an error: L1 error compile_error primary`},
		{"nonsense", `unknown expectation "nonsense" (want primary ID, clean, outcome VALUE, unexplained N TEXT, title ID TEXT, remediation ID TEXT or retry ID VALUE)`},
		{"title compile_error Compile error", ""},
		{"title compile_error Other", `title of compile_error = "Compile error", want "Other"`},
		{"remediation compile_error Fix", ""},
		{"remediation compile_error More memory", `remediation of compile_error = "Fix the code.", want it to contain "More memory"`},
		{"retry compile_error permanent", ""},
		{"retry compile_error transient", "retry of compile_error = permanent, want transient"},
		{"title out_of_memory Out of memory", "title: no issue of rule out_of_memory"},
	} {
		err := classifytest.Check(tt.expect, rep)
		if got := ""; err != nil {
			got = err.Error()
			if got != tt.err {
				t.Errorf("Check(%q) = %q, want %q", tt.expect, got, tt.err)
			}
		} else if tt.err != "" {
			t.Errorf("Check(%q) = nil, want %q", tt.expect, tt.err)
		}
	}
}
