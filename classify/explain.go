package classify

import (
	"fmt"
	"sort"
	"strings"
)

// Trace says what one rule's pattern made of one segment of a line:
// whether the prefilter let it through and why, whether it matched, and what
// vetoed it.
type Trace struct {
	Rule     string            `json:"rule"`
	Index    int               `json:"index"`              // of the pattern in Rule.Patterns
	Segment  int               `json:"segment"`            // of the line, split at bare carriage returns
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

// Explanation is what Explain found on one line.
type Explanation struct {
	// Segments is the normalised text of each part of the line between
	// bare carriage returns (one for most lines), as rules see it.
	Segments []string `json:"segments"`
	// Traces lists, for every pattern whose literal is in a segment or
	// that matches it, what it made of that segment. Later steps of
	// multi-line rules are not shown.
	Traces []Trace `json:"traces"`
	// Report is what a report of this line alone says: the issues, which
	// suppress which, and the primary one.
	Report *Report `json:"report"`
}

// Explain shows how the catalog treats one log line. It runs the same
// detector as Scan and Classify — the same split at bare carriage returns,
// the same normalisation, prefilter and match windows — with a hook that
// records every pattern's verdict, and ranks what fired as a Report would.
func (m *Matcher) Explain(line string) *Explanation {
	s := m.NewSession()
	s.quiet = true
	var traces []Trace
	s.det.trace = &traces
	ex := &Explanation{}
	raw := []byte(strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r"))
	s.processCut(raw, len(raw)+1, false)
	for i := range s.det.out.segs {
		g := &s.det.out.segs[i]
		ex.Segments = append(ex.Segments, string(s.det.out.text(raw, g)))
	}
	s.close()
	ex.Traces = traces
	ex.Report = s.Report()
	return ex
}

// explain records what every pattern makes of one normalised segment; the
// candidates are the prefilter's verdict on it.
func (d *detector) explain(text []byte) {
	m := d.m
	lower := lowerASCII(string(text))
	ignored := ""
	if i := d.ignoredBy(text); i >= 0 {
		ignored = m.catalog.Ignore[i].Expr
	}
	seg := len(d.out.segs)
	for t := range m.starts {
		st := &m.starts[t]
		r := m.rules[st.rule]
		tr := Trace{Rule: r.ID, Index: st.index, Segment: seg, Pattern: st.expr, Literals: st.lits}
		tr.Passed = st.lits == nil || d.cands.stamp[t] == d.cands.epoch
		for _, l := range st.lits {
			if strings.Contains(lower, l) {
				tr.Literal = l
				break
			}
		}
		re := st.regexp()
		if re == nil {
			continue
		}
		str, mt, ok, err := matchText(re, text, true)
		if err != nil {
			tr.Err = err.Error()
		}
		tr.Matched = ok
		if !tr.Passed && !tr.Matched {
			continue
		}
		if ok {
			if i := d.excluded(r, str); i >= 0 {
				tr.Excluded = r.src.Exclude[i].Expr
			}
			tr.Ignored = ignored
			tr.Fields = captureFields(mt, st.names, nil)
			finishFields(&m.red, tr.Fields)
		}
		*d.trace = append(*d.trace, tr)
	}
}

// Check runs the examples of the catalog's rules — those keep accepts, or
// all when keep is nil — through the Matcher, as a log would be, and
// reports each one that fails with the reason and the example's position.
// Compile runs it when given WithExamples; catalog tests and linters call it
// directly, for example to check only the rules of their own files.
func (m *Matcher) Check(keep func(*Rule) bool) ErrorList {
	var errs ErrorList
	for _, r := range m.rules {
		if r.broken || keep != nil && !keep(r.src) {
			continue
		}
		for _, ex := range r.src.Examples.Match {
			got := m.exampleIssues(ex.Text, r.ID)
			if len(got) == 0 {
				msg, at := m.whyNot(r, ex.Text)
				if at == (Pos{}) {
					at = ex.Pos
				} else {
					// Blame the ignore pattern, which may be in another
					// file than the rule (a user's over the default).
					msg += fmt.Sprintf(" (the match example at %s)", ex.Pos)
				}
				errs.add(at, r.ID, ErrExampleFailed, "%s", msg)
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
		for _, ex := range r.src.Examples.NoMatch {
			if got := m.exampleIssues(ex.Text, r.ID); len(got) > 0 {
				errs.add(ex.Pos, r.ID, ErrExampleFailed, "no_match example matched at its line %d: %q", got[0].Line, got[0].Text)
			}
		}
	}
	errs.sort()
	return errs
}

// exampleIssues classifies an example text and returns the issues of rule id.
func (m *Matcher) exampleIssues(text, id string) []Issue {
	s := m.NewSession()
	s.markers = true
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

// whyNot explains why rule r did not fire on an example; at is the place
// to blame when it is not the example's own.
func (m *Matcher) whyNot(r *crule, text string) (msg string, at Pos) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for _, line := range lines {
		ex := m.Explain(line)
		for _, t := range ex.Traces {
			if t.Rule != r.ID || !t.Matched {
				continue
			}
			switch {
			case t.Excluded != "":
				return fmt.Sprintf("match example vetoed by exclude pattern %q", t.Excluded), Pos{}
			case t.Ignored != "":
				return fmt.Sprintf("ignore pattern %q vetoes a match example of this rule: narrow the ignore pattern, or disable the rule", t.Ignored), m.ignorePos(t.Ignored)
			case !t.Passed:
				return fmt.Sprintf("pattern matches %q but the prefilter literals %q are not in it", ex.Segments[t.Segment], t.Literals), Pos{}
			case r.multiline:
				return fmt.Sprintf("first line matched but the multi-line rule did not complete in %d example lines", len(lines)), Pos{}
			}
		}
	}
	if len(lines) == 1 {
		ex := m.Explain(lines[0])
		return fmt.Sprintf("match example not matched by any pattern (normalised line %q)", strings.Join(ex.Segments, "\r")), Pos{}
	}
	return "match example not matched by any pattern", Pos{}
}

func (m *Matcher) ignorePos(expr string) Pos {
	for _, p := range m.catalog.Ignore {
		if p.Expr == expr {
			return p.Pos
		}
	}
	return Pos{}
}
