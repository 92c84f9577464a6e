package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/buildlog/buildlog/classify"
)

const lintUsage = `usage: triage lint [--no-default] PATH ...

Checks catalog files, or folders of *.yaml files, merged over the default
catalog (--no-default: on their own). Prints every problem as
file:line:col: error|warning: rule ID: message.

  errors    invalid YAML, unknown keys, bad values or patterns, undefined
            names, suppression cycles, duplicate ids, failing examples
  warnings  patterns without a prefilter literal (they run on every line),
            rules without match examples, patterns no example matches,
            examples on which a rule of higher priority would be the
            primary issue instead

exit status: 0 clean, 1 problems found, 2 a file could not be read
`

// problem is one finding of lint.
type problem struct {
	pos      classify.Pos
	severity string // "error" or "warning"
	rule     string
	msg      string
}

func (p problem) String() string {
	var b strings.Builder
	if s := p.pos.String(); s != "" {
		b.WriteString(s + ": ")
	}
	b.WriteString(p.severity + ": ")
	if p.rule != "" {
		b.WriteString("rule " + p.rule + ": ")
	}
	b.WriteString(p.msg)
	return oneLine(b.String())
}

func runLint(args []string, stdout, stderr io.Writer, env func(string) string) int {
	fs := flag.NewFlagSet("triage lint", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	noDefault := fs.Bool("no-default", false, "lint the files on their own")
	paths, err := parseInterspersed(fs, args)
	switch {
	case errors.Is(err, errHelp):
		fmt.Fprint(stdout, lintUsage)
		return exitOK
	case err != nil:
		return usageError(stderr, err)
	case len(paths) == 0:
		return usageError(stderr, errors.New("lint needs at least one catalog file or folder"))
	}

	m, files, _, err := compileWith(catalogFlags{paths: paths, noDefault: *noDefault}, true)
	if err == nil {
		return reportProblems(stdout, stderr, lintMatcher(m, files), len(files))
	}
	var re *readError
	var list classify.ErrorList
	switch {
	case errors.As(err, &re):
		fmt.Fprintf(stderr, "triage: %s\n", oneLine(err.Error()))
		return exitFailure
	case errors.As(err, &list):
		var ps []problem
		for _, e := range list {
			ps = append(ps, problem{pos: e.Pos, severity: "error", rule: e.Rule, msg: e.Err.Error()})
		}
		return reportProblems(stdout, stderr, ps, len(files))
	}
	fmt.Fprintf(stderr, "triage: %s\n", oneLine(err.Error()))
	return exitFailure
}

// reportProblems prints the problems in file order, one per line, and a
// count on standard error.
func reportProblems(stdout, stderr io.Writer, ps []problem, files int) int {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].pos.Before(ps[j].pos) })
	errs, warns := 0, 0
	for _, p := range ps {
		fmt.Fprintln(stdout, p)
		if p.severity == "error" {
			errs++
		} else {
			warns++
		}
	}
	if len(ps) == 0 {
		fmt.Fprintf(stderr, "triage lint: %s: no problems\n", plural(files, "file"))
		return exitOK
	}
	fmt.Fprintf(stderr, "triage lint: %s: %s, %s\n", plural(files, "file"), plural(errs, "error"), plural(warns, "warning"))
	return exitFound
}

// lintMatcher finds the problems of a catalog that compiles, in the rules
// written in the linted files (the default catalog is tested on its own).
func lintMatcher(m *classify.Matcher, files []string) []problem {
	linted := map[string]bool{}
	for _, f := range files {
		linted[f] = true
	}
	cat := m.Catalog()
	var ps []problem
	for _, w := range m.Warnings() {
		if linted[w.Pos.File] {
			ps = append(ps, problem{pos: w.Pos, severity: "warning", rule: w.Rule, msg: w.Err.Error()})
		}
	}
	for _, r := range cat.Rules {
		if !linted[r.Pos.File] {
			continue
		}
		if len(r.Examples.Match) == 0 {
			ps = append(ps, problem{pos: r.Pos, severity: "warning", rule: r.ID,
				msg: "no match examples, so nothing shows that its patterns can match: add a log line under examples.match"})
			continue
		}
		ps = append(ps, unexercised(cat, r)...)
		ps = append(ps, shadowed(m, r)...)
	}
	return ps
}

// unexercised reports the patterns of a rule with several patterns that no
// match example matches: they may never match anything. Each pattern is
// compiled on its own (with the catalog's definitions) and tried on every
// line of every match example.
func unexercised(cat *classify.Catalog, r *classify.Rule) []problem {
	if len(r.Patterns) < 2 {
		return nil // the examples, run by Compile, already match the only one
	}
	var ps []problem
	for i, p := range r.Patterns {
		one := &classify.Catalog{
			Definitions: cat.Definitions,
			Rules: []*classify.Rule{{
				ID: r.ID, Group: r.Group, Title: r.Title, Severity: r.Severity,
				Patterns: []classify.Pattern{p}, Literals: r.Literals,
			}},
		}
		m, err := classify.Compile(one)
		if err != nil {
			continue // reported when the whole catalog compiled
		}
		if !matchesAnyExample(m, r.Examples.Match) {
			ps = append(ps, problem{pos: p.Pos, severity: "warning", rule: r.ID,
				msg: fmt.Sprintf("pattern %d of %d matches none of the rule's match examples; add an example that shows it works", i+1, len(r.Patterns))})
		}
	}
	return ps
}

func matchesAnyExample(m *classify.Matcher, examples []classify.Example) bool {
	for _, ex := range examples {
		for _, line := range strings.Split(ex.Text, "\n") {
			for _, t := range m.Explain(line).Traces {
				if t.Matched {
					return true
				}
			}
		}
	}
	return false
}

// shadowed reports the single-line match examples of an error rule on which
// another error rule of higher priority also fires, so that the other rule
// would be the primary issue and this one only a secondary. A rule that
// suppresses the other, or is suppressed by it, is left alone: that is a
// decision already written down.
func shadowed(m *classify.Matcher, r *classify.Rule) []problem {
	if r.Severity != classify.SeverityError {
		return nil
	}
	cat := m.Catalog()
	var ps []problem
	for _, ex := range r.Examples.Match {
		if strings.Contains(strings.TrimSuffix(ex.Text, "\n"), "\n") {
			continue
		}
		seen := map[string]bool{}
		for _, t := range m.Explain(ex.Text).Traces {
			if !t.Fired() || t.Rule == r.ID || seen[t.Rule] {
				continue
			}
			seen[t.Rule] = true
			o := cat.Rule(t.Rule)
			if o == nil || o.Severity != classify.SeverityError || len(o.Sequence) > 0 || o.Priority <= r.Priority || o.Fallback {
				continue
			}
			if rk := m.Ranker(); rk.Suppresses(r.ID, o.ID) || rk.Suppresses(o.ID, r.ID) {
				continue
			}
			ps = append(ps, problem{pos: ex.Pos, severity: "warning", rule: r.ID,
				msg: fmt.Sprintf("shadowed by %s (priority %d over %d), which also fires on this example and would be the primary issue; narrow %s with exclude, or have %s suppress it", o.ID, o.Priority, r.Priority, o.ID, r.ID)})
		}
	}
	return ps
}
