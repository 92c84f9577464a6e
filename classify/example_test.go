package classify_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing/fstest"

	"github.com/buildlog/buildlog/classify"
)

const catalogYAML = `
schema: 1
rules:
  - id: pip_no_matching_distribution
    group: pip
    title: pip found no matching distribution
    priority: 60
    patterns: ['No matching distribution found for (?<package>[^\s;]+)']
    remediation: Check the name and version pin of {{package}}.
    retry: permanent
  - id: out_of_memory
    group: system
    title: The build ran out of memory
    priority: 90
    patterns: ['^Killed$']
    suppresses: [pip]
    remediation: Build on a machine with more memory.
`

const buildLog = `Step 2/3 : RUN pip install numpy==9.9
ERROR: No matching distribution found for numpy==9.9
Step 3/3 : RUN make
Killed
`

func ExampleCompile() {
	cat, err := classify.ParseCatalog("example.yaml", []byte(catalogYAML))
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := classify.Compile(cat)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(cat.Rules), "rules compiled,", len(m.Warnings()), "warnings")
	// Output: 2 rules compiled, 0 warnings
}

func ExampleMatcher_Scan() {
	cat, _ := classify.ParseCatalog("example.yaml", []byte(catalogYAML))
	m := classify.MustCompile(cat)
	for issue, err := range m.Scan(context.Background(), strings.NewReader(buildLog)) {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		fmt.Printf("line %d, %s: %s\n", issue.Line, issue.Step, issue.ID)
	}
	// Output:
	// line 2, Step 2/3 : RUN pip install numpy==9.9: pip_no_matching_distribution
	// line 4, Step 3/3 : RUN make: out_of_memory
}

func ExampleMatcher_Classify() {
	cat, _ := classify.ParseCatalog("example.yaml", []byte(catalogYAML))
	m := classify.MustCompile(cat)
	report, err := m.Classify(context.Background(), strings.NewReader(buildLog))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("primary:", report.Primary.ID, "-", report.Primary.Remediation)
	for _, is := range report.Issues {
		fmt.Printf("%d %s suppressed_by=%q\n", is.Line, is.ID, is.SuppressedBy)
	}
	// Output:
	// primary: out_of_memory - Build on a machine with more memory.
	// 2 pip_no_matching_distribution suppressed_by="out_of_memory"
	// 4 out_of_memory suppressed_by=""
}

func ExampleSession() {
	cat, _ := classify.ParseCatalog("example.yaml", []byte(catalogYAML))
	m := classify.MustCompile(cat)
	s := m.NewSession() // one per log stream; lines arrive one by one
	for _, line := range strings.SplitAfter(buildLog, "\n") {
		for _, is := range s.FeedString(line) {
			fmt.Println("found", is.ID, "at line", is.Line)
		}
	}
	s.Close()
	fmt.Println("primary:", s.Report().Primary.ID)
	// Output:
	// found pip_no_matching_distribution at line 2
	// found out_of_memory at line 4
	// primary: out_of_memory
}

func ExampleErrorList() {
	// CompileFiles reads, merges and compiles in one call, so every problem
	// comes back at once, in file order.
	_, err := classify.CompileFiles(nil, []string{"testdata/team/bad.yaml"})
	var list classify.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Println(e)
		}
	}
	// Output:
	// testdata/team/bad.yaml:5:16: rule pip_bad: invalid pattern: missing closing ) in `No matching (distribution`
	// testdata/team/bad.yaml:6:18: rule pip_bad: undefined field: {{package}} is not captured by any pattern of the rule
	// testdata/team/bad.yaml:7:5: rule pip_bad: unknown key: "colour" in a rule (want one of id, group, title, severity, priority, patterns, literals, exclude, sequence, collect, unless, remediation, links, retry, suppresses, fallback, context, examples, override, patch, outcome, issue, keep_on_success)
}

func ExampleNormalize() {
	fmt.Println(classify.Normalize("2024-05-01T10:00:00Z #8 46.25 \x1b[31mKilled\x1b[0m"))
	// Output: Killed
}

func ExampleMerge() {
	base, _ := classify.ParseCatalog("base.yaml", []byte(catalogYAML))
	// A team's file, loaded on its own: it disables one rule of the base
	// and patches another, changing only its remediation and priority.
	team, _ := classify.ParseCatalog("team.yaml", []byte(`
disable: [pip_no_matching_distribution]
rules:
  - id: out_of_memory
    patch: true
    priority: 95
    remediation: Use the large build pool.
`))
	cat, err := classify.Merge(base, team)
	if err != nil {
		fmt.Println(err)
	}
	m := classify.MustCompile(cat)
	report, _ := m.Classify(context.Background(), strings.NewReader(buildLog))
	for _, is := range report.Issues {
		fmt.Printf("%s (priority %d): %s\n", is.ID, is.Priority, is.Remediation)
	}
	// Output:
	// out_of_memory (priority 95): Use the large build pool.
}

func ExampleSession_Flush() {
	m := classify.MustCompile(mustParse(catalogYAML), classify.WithContextLines(3))
	s := m.NewSession()
	s.FeedString("Step 3/3 : RUN make")
	// The issue waits for three lines of after-context...
	fmt.Println(len(s.FeedString("Killed")))
	// ...unless the service flushes, say when the build's output goes quiet.
	for _, is := range s.Flush() {
		fmt.Println(is.ID, "at line", is.Line)
	}
	s.Close()
	// Output:
	// 0
	// out_of_memory at line 2
}

func ExampleRanker() {
	m := classify.MustCompile(mustParse(catalogYAML))
	a, _ := m.Classify(context.Background(), strings.NewReader(buildLog))
	b, _ := m.Classify(context.Background(), strings.NewReader("ERROR: No matching distribution found for numpy==9.9\n"))
	// Two builds' reports ranked together, without scanning again.
	both := m.Ranker().Rank(append(a.Issues, b.Issues...))
	for _, is := range both.Issues {
		fmt.Println(is.ID, "count", is.Count, "suppressed by", is.SuppressedBy)
	}
	// Output:
	// pip_no_matching_distribution count 2 suppressed by out_of_memory
	// out_of_memory count 1 suppressed by
}

func mustParse(src string) *classify.Catalog {
	c, err := classify.ParseCatalog("catalog.yaml", []byte(src))
	if err != nil {
		panic(err)
	}
	return c
}

func ExampleMerge_override() {
	base := mustParse(catalogYAML)
	// override: true replaces the rule whole: every key is given again, and
	// the base rule's patterns, suppressions and remediation are gone.
	team := mustParse(`
rules:
  - id: out_of_memory
    override: true
    group: system
    title: A build process was killed
    patterns: ['^Killed\s*$', 'Out of memory: Killed process']
    remediation: Use the large build pool.
`)
	cat, err := classify.Merge(base, team)
	if err != nil {
		fmt.Println(err)
		return
	}
	report, _ := classify.MustCompile(cat).Classify(context.Background(), strings.NewReader(buildLog))
	for _, is := range report.Issues {
		fmt.Printf("%s: %s (suppressed by %q)\n", is.ID, is.Title, is.SuppressedBy)
	}
	// Output:
	// pip_no_matching_distribution: pip found no matching distribution (suppressed by "")
	// out_of_memory: A build process was killed (suppressed by "")
}

func ExampleLoadCatalog() {
	// Any fs.FS: an embed.FS, os.DirFS("catalog"), or, here, one in memory.
	// Files merge in name order, so a later file may patch an earlier one.
	fsys := fstest.MapFS{
		"10-base.yaml": {Data: []byte(catalogYAML)},
		"20-team.yaml": {Data: []byte("rules:\n  - id: out_of_memory\n    patch: true\n    retry: transient\n")},
	}
	cat, err := classify.LoadCatalog(fsys, "*.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range cat.Rules {
		fmt.Printf("%s retry=%q from %s\n", r.ID, r.Retry, r.Pos.File)
	}
	// Output:
	// pip_no_matching_distribution retry="permanent" from 10-base.yaml
	// out_of_memory retry="transient" from 10-base.yaml
}

func ExampleCompileFiles() {
	dir, err := os.MkdirTemp("", "catalog")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	// A team file with two mistakes: a misspelt key, and a patch of a rule
	// whose example the patched pattern no longer matches.
	team := `rules:
  - id: out_of_memory
    patch: true
    remediaton: Use the large build pool.
  - id: pip_no_matching_distribution
    patch: true
    examples:
      match: ['pip: nothing found for numpy']
`
	path := filepath.Join(dir, "team.yaml")
	if err := os.WriteFile(path, []byte(team), 0o644); err != nil {
		fmt.Println(err)
		return
	}
	_, err = classify.CompileFiles(mustParse(catalogYAML), []string{path})
	var list classify.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Println(strings.TrimPrefix(e.Error(), dir+string(filepath.Separator)))
		}
	}
	// Output:
	// team.yaml:4:5: rule out_of_memory: unknown key: "remediaton" in a rule (did you mean "remediation"?)
	// team.yaml:8:15: rule pip_no_matching_distribution: example failed: match example not matched by any pattern (normalised line "pip: nothing found for numpy")
}
