package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/buildlog/buildlog/classify"
)

const explainUsage = `usage: triage explain [--catalog PATH] [--no-default] ID
       triage explain [--catalog PATH] [--no-default] --line TEXT [ID]

With an ID, prints the rule in full: where it is defined, its patterns,
exclusions, multi-line steps, remediation, links and examples.

With --line, shows how the catalog treats one log line: the line after
normalisation, every pattern whose prefilter literal the line holds or that
matches it, whether an exclusion or an ignore pattern vetoed the match, the
fields captured, and which firing rule would be the primary issue. An ID
limits the patterns shown to that rule.
`

func runExplain(args []string, stdout, stderr io.Writer, env func(string) string) int {
	fs := flag.NewFlagSet("triage explain", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var cf catalogFlags
	cf.register(fs)
	var line *string
	fs.Func("line", "a log line to explain", func(s string) error {
		line = &s
		return nil
	})
	rest, err := parseInterspersed(fs, args)
	if err == nil {
		err = cf.check()
	}
	switch {
	case errors.Is(err, errHelp):
		fmt.Fprint(stdout, explainUsage)
		return exitOK
	case err != nil:
		return usageError(stderr, err)
	case len(rest) > 1:
		return usageError(stderr, fmt.Errorf("explain takes one rule id, not %d arguments", len(rest)))
	case line == nil && len(rest) == 0:
		return usageError(stderr, errors.New("explain needs a rule id or --line TEXT"))
	}
	m, err := compileCatalog(cf)
	if err != nil {
		printCatalogError(stderr, err)
		return exitFailure
	}
	id := ""
	if len(rest) == 1 {
		id = rest[0]
		if m.Catalog().Rule(id) == nil {
			msg := fmt.Sprintf("triage: no rule %q in the catalog", sanitize(id))
			if near := nearest(id, m.Catalog()); near != "" {
				msg += fmt.Sprintf("; did you mean %s?", near)
			}
			fmt.Fprintln(stderr, msg)
			return exitFailure
		}
	}
	if line != nil {
		explainLine(stdout, m, *line, id)
		return exitOK
	}
	explainRule(stdout, m.Catalog(), m.Ranker(), m.Catalog().Rule(id))
	return exitOK
}

// explainRule prints everything a rule says.
func explainRule(w io.Writer, cat *classify.Catalog, rk *classify.Ranker, r *classify.Rule) {
	fmt.Fprintf(w, "%s: %s\n", r.ID, sanitize(r.Title))
	f := fieldWriter{w: w}
	f.line("defined at", r.Pos.String())
	f.line("group", r.Group)
	f.line("severity", r.Severity.String())
	f.line("priority", strconv.Itoa(r.Priority))
	f.line("retry", string(r.Retry))
	if r.Fallback {
		f.line("fallback", "yes: reported only when nothing more specific is found")
	}
	if r.Override {
		f.line("override", "yes: replaces an earlier rule with this id")
	}
	f.lines("patterns", patternLines(r.Patterns))
	if len(r.Literals) > 0 {
		f.lines("literals", quoteAll(r.Literals))
	}
	if len(r.Exclude) > 0 {
		f.lines("exclude", patternLines(r.Exclude))
	}
	if len(r.Sequence) > 0 {
		var ls []string
		for i, s := range r.Sequence {
			ls = append(ls, fmt.Sprintf("%d. within %s: %s", i+1, plural(s.Within, "line"), sanitize(s.Pattern.Expr)))
		}
		f.lines("then", ls)
	}
	if c := r.Collect; c != nil {
		f.line("collect", fmt.Sprintf("%s into %s (at most %d items within %s)", sanitize(c.Pattern.Expr), c.Field, c.Max, plural(c.Within, "line")))
	}
	if r.Context.Before > 0 || r.Context.After > 0 {
		f.line("context", fmt.Sprintf("%d lines before, %d after", r.Context.Before, r.Context.After))
	}
	if len(r.Suppresses) > 0 {
		var ns []string
		for _, ref := range r.Suppresses {
			ns = append(ns, ref.Name)
		}
		f.line("suppresses", strings.Join(ns, ", "))
	}
	var by []string
	for _, o := range cat.Rules {
		if o != r && rk.Suppresses(o.ID, r.ID) {
			by = append(by, o.ID)
		}
	}
	if len(by) > 0 {
		f.line("hidden by", strings.Join(by, ", "))
	}
	if r.Remediation != "" {
		f.lines("what to do", wrapText(prose(r.Remediation), 80-len(textIndent)-textLabelWidth))
	}
	if len(r.Links) > 0 {
		f.lines("links", sanitizeAll(r.Links))
	}
	f.lines("match", exampleLines(r.Examples.Match))
	if len(r.Examples.NoMatch) > 0 {
		f.lines("no match", exampleLines(r.Examples.NoMatch))
	}
}

// explainLine prints the prefilter and match trace of one line, and what
// a report of that line would make of the rules that fire.
func explainLine(w io.Writer, m *classify.Matcher, line, only string) {
	ex := m.Explain(line)
	f := fieldWriter{w: w}
	f.line("line", sanitize(line))
	if norm := strings.Join(ex.Segments, "\r"); norm != line {
		f.line("normalised", sanitize(norm))
	}
	var fired []string
	seen := map[string]bool{}
	shown := 0
	for _, t := range ex.Traces {
		if only != "" && t.Rule != only {
			continue
		}
		shown++
		verdict := "does not fire"
		switch {
		case t.Fired():
			verdict = "fires"
			if !seen[t.Rule] {
				seen[t.Rule] = true
				fired = append(fired, t.Rule)
			}
		case t.Excluded != "":
			verdict = "matches, but an exclude pattern vetoes it"
		case t.Ignored != "":
			verdict = "matches, but the catalog ignores the line"
		case t.Matched && !t.Passed:
			verdict = "matches, but the prefilter never lets the line through"
		}
		fmt.Fprintf(w, "\n%s %s\n", t.Rule, verdict)
		if len(ex.Segments) > 1 {
			f.line("segment", fmt.Sprintf("%d of %d (split at carriage returns)", t.Segment+1, len(ex.Segments)))
		}
		f.line("pattern", sanitize(t.Pattern))
		switch {
		case len(t.Literals) == 0:
			f.line("prefilter", "no literal: the pattern runs on every line")
		case t.Passed:
			f.line("prefilter", fmt.Sprintf("passed on %q (literals %s)", t.Literal, strings.Join(quoteAll(t.Literals), ", ")))
		default:
			f.line("prefilter", fmt.Sprintf("none of %s is in the line", strings.Join(quoteAll(t.Literals), ", ")))
		}
		f.line("matched", yesNo(t.Matched))
		if t.Excluded != "" {
			f.line("excluded by", sanitize(t.Excluded))
		}
		if t.Ignored != "" {
			f.line("ignored by", sanitize(t.Ignored))
		}
		if len(t.Fields) > 0 {
			var fs []string
			for _, k := range sortedKeys(t.Fields) {
				fs = append(fs, k+" = "+strconv.Quote(t.Fields[k]))
			}
			f.lines("fields", fs)
		}
		if t.Err != "" {
			f.line("error", sanitize(t.Err))
		}
	}
	fmt.Fprintln(w)
	if shown == 0 {
		fmt.Fprintln(w, "no pattern passes the prefilter or matches: no rule fires on this line")
		return
	}
	if len(fired) == 0 {
		fmt.Fprintln(w, "no rule fires on this line")
		return
	}
	fmt.Fprintf(w, "fires: %s\n", strings.Join(fired, ", "))
	// The ranking is the library's: the same Report a log of this one
	// line would get.
	rep := ex.Report
	for _, is := range rep.Issues {
		if is.SuppressedBy != "" && (only == "" || is.ID == only) {
			fmt.Fprintf(w, "hidden: %s (suppressed by %s)\n", is.ID, is.SuppressedBy)
		}
	}
	if p := rep.Primary; p != nil {
		fmt.Fprintf(w, "primary: %s (%s, priority %d)\n", p.ID, p.Severity, p.Priority)
	} else {
		fmt.Fprintln(w, "primary: none (no unsuppressed error)")
	}
}

// fieldWriter prints "  label       value" lines.
type fieldWriter struct{ w io.Writer }

func (f fieldWriter) line(label, value string) { f.lines(label, []string{value}) }

func (f fieldWriter) lines(label string, values []string) {
	pad := strings.Repeat(" ", textLabelWidth+1)
	for i, v := range values {
		lead := pad
		if i == 0 {
			lead = label + pad[min(len(label), textLabelWidth):]
		}
		fmt.Fprintf(f.w, "%s%s%s\n", textIndent, lead, v)
	}
}

func patternLines(ps []classify.Pattern) []string {
	var out []string
	for _, p := range ps {
		out = append(out, sanitize(p.Expr))
	}
	return out
}

func exampleLines(exs []classify.Example) []string {
	var out []string
	for _, ex := range exs {
		s := strconv.Quote(ex.Text)
		if len(ex.Fields) > 0 {
			var fs []string
			for _, k := range sortedKeys(ex.Fields) {
				fs = append(fs, k+"="+strconv.Quote(ex.Fields[k]))
			}
			s += " -> " + strings.Join(fs, " ")
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		out = []string{"(none)"}
	}
	return out
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

func sanitizeAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = sanitize(s)
	}
	return out
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// nearest suggests the rule ids closest to a mistyped one.
func nearest(id string, cat *classify.Catalog) string {
	type cand struct {
		id   string
		dist int
	}
	var cs []cand
	for _, r := range cat.Rules {
		d := editDistance(id, r.ID)
		if d <= max(2, len(id)/3) || strings.Contains(r.ID, id) {
			cs = append(cs, cand{r.ID, d})
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].dist != cs[j].dist {
			return cs[i].dist < cs[j].dist
		}
		return cs[i].id < cs[j].id
	})
	var out []string
	for i := 0; i < len(cs) && i < 3; i++ {
		out = append(out, cs[i].id)
	}
	return orList(out)
}

// editDistance is the Levenshtein distance of two ASCII ids.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
