package classify

import (
	"fmt"
	"sort"
	"strings"
)

// Trace says what one rule's pattern made of one line: whether the
// prefilter let it through and why, whether it matched, and what vetoed it.
type Trace struct {
	Rule     string            `json:"rule"`
	Index    int               `json:"index"`              // of the pattern in Rule.Patterns
	Pattern  string            `json:"pattern"`            // after definitions are expanded
	Literals []string          `json:"literals,omitempty"` // the prefilter's literals; none: runs on every line
	Literal  string            `json:"literal,omitempty"`  // the literal found in the line
	Passed   bool              `json:"passed"`             // the prefilter let the line through
	Matched  bool              `json:"matched"`
	Excluded string            `json:"excluded,omitempty"` // the exclude pattern that vetoed the match
	Ignored  string            `json:"ignored,omitempty"`  // the catalog ignore pattern that vetoed it
	Fields   map[string]string `json:"fields,omitempty"`
	Err      string            `json:"error,omitempty"` // a match timeout
}

// Fired reports whether the rule fires on the line.
func (t Trace) Fired() bool { return t.Matched && t.Excluded == "" && t.Ignored == "" }

// Explain shows how every single-line pattern of the catalog treats one log
// line: the normalised text, then a Trace for each pattern whose literal is
// in the line or that matches it. Patterns that neither pass the prefilter
// nor match are left out. Later steps of multi-line rules are not shown.
func (m *Matcher) Explain(line string) (normalized string, traces []Trace) {
	var n normalizer
	text, _ := n.normalize([]byte(line))
	normalized = string(text)
	lower := lowerASCII(normalized)
	ignored := ""
	for i, re := range m.ignore {
		if ok, err := re.MatchString(normalized); err == nil && ok {
			ignored = m.catalog.Ignore[i].Expr
			break
		}
	}
	for _, st := range m.starts {
		r := m.rules[st.rule]
		t := Trace{Rule: r.ID, Index: st.index, Pattern: st.expr, Literals: st.lits}
		if st.lits == nil {
			t.Passed = true
		}
		for _, l := range st.lits {
			if strings.Contains(lower, l) {
				t.Passed, t.Literal = true, l
				break
			}
		}
		re := st.regexp()
		if re == nil {
			continue
		}
		mt, err := re.FindStringMatch(normalized)
		ok := mt != nil && err == nil
		if err != nil {
			t.Err = err.Error()
		}
		t.Matched = ok
		if !t.Passed && !t.Matched {
			continue
		}
		if ok {
			for i, re := range r.exclude {
				if ex, err := re.MatchString(normalized); err == nil && ex {
					t.Excluded = r.Exclude[i].Expr
					break
				}
			}
			t.Ignored = ignored
			t.Fields = captureFields(mt, st.names, nil)
		}
		traces = append(traces, t)
	}
	return normalized, traces
}

// checkExamples runs every rule's examples through a fresh session and
// reports the ones that fail, with the reason.
func (m *Matcher) checkExamples() ErrorList {
	var errs ErrorList
	for _, r := range m.rules {
		if r.broken {
			continue
		}
		for _, ex := range r.Examples.Match {
			got := m.exampleIssues(ex.Text, r.ID)
			if len(got) == 0 {
				errs.add(ex.Pos, r.ID, ErrExampleFailed, "%s", m.whyNot(r, ex.Text))
				continue
			}
			var diffs []string
			names := make([]string, 0, len(ex.Fields))
			for k := range ex.Fields {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, k := range names {
				if v := got[0].Fields[k]; v != ex.Fields[k] {
					diffs = append(diffs, fmt.Sprintf("field %s = %q, want %q", k, v, ex.Fields[k]))
				}
			}
			if len(diffs) > 0 {
				errs.add(ex.Pos, r.ID, ErrExampleFailed, "%s", strings.Join(diffs, "; "))
			}
		}
		for _, ex := range r.Examples.NoMatch {
			if got := m.exampleIssues(ex.Text, r.ID); len(got) > 0 {
				errs.add(ex.Pos, r.ID, ErrExampleFailed, "no_match example matched at its line %d: %q", got[0].Line, got[0].Text)
			}
		}
	}
	return errs
}

// exampleIssues classifies an example text and returns the issues of rule id.
func (m *Matcher) exampleIssues(text, id string) []Issue {
	s := m.NewSession()
	var all []Issue
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		all = append(all, s.FeedString(line)...)
	}
	all = append(all, s.Close()...)
	var out []Issue
	for _, is := range all {
		if is.ID == id {
			out = append(out, is)
		}
	}
	return out
}

// whyNot explains why rule r did not fire on an example.
func (m *Matcher) whyNot(r *crule, text string) string {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for _, line := range lines {
		norm, traces := m.Explain(line)
		for _, t := range traces {
			if t.Rule != r.ID || !t.Matched {
				continue
			}
			switch {
			case t.Excluded != "":
				return fmt.Sprintf("match example vetoed by exclude pattern %q", t.Excluded)
			case t.Ignored != "":
				return fmt.Sprintf("match example vetoed by the catalog's ignore pattern %q", t.Ignored)
			case !t.Passed:
				return fmt.Sprintf("pattern matches %q but the prefilter literals %q are not in it", norm, t.Literals)
			case r.multiline:
				return fmt.Sprintf("first line matched but the multi-line rule did not complete in %d example lines", len(lines))
			}
		}
	}
	if len(lines) == 1 {
		norm, _ := m.Explain(lines[0])
		return fmt.Sprintf("match example not matched by any pattern (normalised line %q)", norm)
	}
	return "match example not matched by any pattern"
}
