package classify

import (
	"fmt"
	"sort"
	"strings"
)

// Issue is one failure found in a log. Scan and Session yield issues as they
// complete, in line order; a Report holds them ranked and deduplicated.
type Issue struct {
	ID       string   `json:"id"`
	Group    string   `json:"group"`
	Title    string   `json:"title"`
	Severity Severity `json:"severity"`
	Priority int      `json:"priority"`

	// Line and EndLine are the 1-based physical lines of the first and last
	// line the rule matched (they differ for multi-line rules).
	Line    int `json:"line"`
	EndLine int `json:"end_line"`
	// Text is the raw line that matched (after secrets are masked), cut to
	// MaxEvidenceBytes. For a line rewritten with bare \r, it is the segment
	// that matched.
	Text string `json:"text"`
	// Fields are the named groups the rule captured. A collected list is
	// also given here, joined with ", ".
	Fields map[string]string `json:"fields"`
	// Lists holds the items of collected list fields.
	Lists map[string][]string `json:"lists,omitempty"`
	// Step is the Docker build step the line belongs to, such as
	// "[2/5] RUN pip install -r requirements.txt"; empty outside a step.
	Step string `json:"step"`
	// Evidence is every line a multi-line rule matched, in order.
	Evidence []Line `json:"evidence,omitempty"`
	// Context holds the raw lines around the match that the rule asked for.
	Context []Line `json:"context,omitempty"`

	Remediation string   `json:"remediation"`
	Links       []string `json:"links"`
	Retry       Retry    `json:"retry"`

	// The fields below are set when a Report ranks issues; Scan and
	// Session give Count 1 and LastLine the issue's Line.

	// Count is how many times the same rule matched with the same fields.
	Count int `json:"count"`
	// LastLine is the line of the last repeat.
	LastLine int `json:"last_line"`
	// Attempts is how many times the failing command was tried, when the
	// log shows it was retried (the rule's unless pattern followed the
	// earlier attempts); 0 when it was not. The issue cites the final
	// attempt. An attempt that was retried and then succeeded is no issue.
	Attempts int `json:"attempts,omitempty"`
	// Primary is true for the one issue chosen as the root cause.
	Primary bool `json:"primary"`
	// SuppressedBy is the id of a root cause found in the same log that
	// hides this issue; empty if the issue stands on its own.
	SuppressedBy string `json:"suppressed_by"`
	// Build is the index in Report.Builds of the build the issue's line
	// belongs to.
	Build int `json:"build"`
	// Recovered is true for an error-severity issue of a build that
	// succeeded all the same: it is listed, but is not the root cause of
	// anything (see Rule.KeepOnSuccess).
	Recovered bool `json:"recovered,omitempty"`
	// Source is the place in an environment definition (a conda file,
	// requirements file, Dockerfile...) the issue comes from or was
	// linked to; nil when there is none.
	Source *Source `json:"source,omitempty"`
}

// Source is a 1-based file position in a definition file.
type Source struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

func (s Source) String() string { return fmt.Sprintf("%s:%d:%d", s.File, s.Line, s.Column) }

// Line is a numbered line of the log.
type Line struct {
	Number int    `json:"line"`
	Text   string `json:"text"`
}

// String gives a one-line summary: "12: error pip_no_matching_distribution: title".
func (is Issue) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d: %s %s: %s", is.Line, is.Severity, is.ID, is.Title)
	if len(is.Fields) > 0 {
		keys := make([]string, 0, len(is.Fields))
		for k := range is.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString(" (")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s=%q", k, is.Fields[k])
		}
		b.WriteString(")")
	}
	return b.String()
}

// Report is the whole-log result of Classify or Session.Report.
type Report struct {
	// Issues are deduplicated and in order of first line. Suppressed issues
	// stay, marked with SuppressedBy; fallbacks are left out when anything
	// more specific was found.
	Issues []Issue `json:"issues"`
	// Primary points into Issues at the root cause, or is nil when no
	// error-severity issue stands unsuppressed.
	Primary *Issue `json:"primary"`
	// Outcome is how the log's build ended; with several builds, failed if
	// any failed, else cancelled if any was, else succeeded if all did,
	// else unknown.
	Outcome Outcome `json:"outcome"`
	// Builds are the builds the log shows, in order; there is always one.
	Builds []Build `json:"builds"`
	// Unexplained are the lines that most likely say why a build failed
	// when no rule more specific than a fallback explains it, best first:
	// those of every such build, at most MaxUnexplained.
	Unexplained []Suspect `json:"unexplained,omitempty"`

	Lines    int   `json:"lines"`     // physical lines read
	Bytes    int64 `json:"bytes"`     // bytes read
	LinesCut int   `json:"lines_cut"` // lines longer than the line limit, matched on their first part
	// Folded counts issues beyond the issue limit that were only counted.
	Folded int `json:"folded"`
	// FallbacksDropped counts fallback issues left out because a more
	// specific issue was found.
	FallbacksDropped int `json:"fallbacks_dropped"`
	// Warnings are problems met while scanning that did not stop it: match
	// timeouts, cut lines.
	Warnings []Warning `json:"warnings"`
}

// Warning is a problem met while scanning that did not stop the scan.
type Warning struct {
	Line    int    `json:"line"`
	Rule    string `json:"rule,omitempty"`
	Message string `json:"message"`
}

func (w Warning) String() string {
	if w.Rule != "" {
		return fmt.Sprintf("%d: rule %s: %s", w.Line, w.Rule, w.Message)
	}
	return fmt.Sprintf("%d: %s", w.Line, w.Message)
}

// Failed reports whether the log has a primary issue, that is, an
// unsuppressed error-severity issue that was not recovered, or its build
// failed.
func (r *Report) Failed() bool { return r.Primary != nil || r.Outcome == OutcomeFailed }

// Active returns the issues that are not suppressed, in line order.
func (r *Report) Active() []Issue {
	var out []Issue
	for _, is := range r.Issues {
		if is.SuppressedBy == "" {
			out = append(out, is)
		}
	}
	return out
}
