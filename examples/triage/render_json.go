package main

import (
	"bufio"
	"encoding/json"

	"github.com/buildlog/buildlog/classify"
)

// jsonReport is the object --format json writes for each input.
type jsonReport struct {
	Source  string           `json:"source"`
	Lines   int              `json:"lines"`
	Bytes   int64            `json:"bytes"`
	Primary *classify.Issue  `json:"primary"`
	Outcome classify.Outcome `json:"outcome"`
	Builds  []classify.Build `json:"builds"`
	Issues  []classify.Issue `json:"issues"`
	// Unexplained are the likely error lines of a failed build that no
	// specific rule explains.
	Unexplained []classify.Suspect `json:"unexplained"`
	Warnings    []classify.Warning `json:"warnings"`
	Folded      int                `json:"folded"`
	Error       string             `json:"error,omitempty"`
}

func newJSONReport(res *result) jsonReport {
	out := jsonReport{Source: res.source, Outcome: classify.OutcomeUnknown, Builds: []classify.Build{}, Issues: []classify.Issue{}, Unexplained: []classify.Suspect{}, Warnings: []classify.Warning{}}
	if res.err != nil {
		out.Error = res.err.Error()
	}
	rep := res.report
	if rep == nil {
		return out
	}
	out.Lines, out.Bytes, out.Folded = rep.Lines, rep.Bytes, rep.Folded
	for _, is := range rep.Issues {
		out.Issues = append(out.Issues, jsonIssue(is))
	}
	if rep.Primary != nil {
		p := jsonIssue(*rep.Primary)
		out.Primary = &p
	}
	if len(rep.Warnings) > 0 {
		out.Warnings = rep.Warnings
	}
	if rep.Outcome != "" {
		out.Outcome = rep.Outcome
	}
	if len(rep.Builds) > 0 {
		out.Builds = rep.Builds
	}
	if len(rep.Unexplained) > 0 {
		out.Unexplained = rep.Unexplained
	}
	return out
}

// jsonIssue fills the lists and maps an issue may leave nil, so that fields
// is always an object and links always an array.
func jsonIssue(is classify.Issue) classify.Issue {
	if is.Fields == nil {
		is.Fields = map[string]string{}
	}
	if is.Links == nil {
		is.Links = []string{}
	}
	if is.Retry == "" {
		is.Retry = classify.RetryUnknown
	}
	return is
}

func newEncoder(w *bufio.Writer, indent bool) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	return enc
}

// jsonRenderer writes one object for a single input, an array for several.
type jsonRenderer struct {
	w       *bufio.Writer
	reports []jsonReport
}

func (j *jsonRenderer) result(res *result) error {
	j.reports = append(j.reports, newJSONReport(res))
	return nil
}

func (j *jsonRenderer) finish() error {
	enc := newEncoder(j.w, true)
	if len(j.reports) == 1 {
		return enc.Encode(j.reports[0])
	}
	return enc.Encode(j.reports)
}

// jsonlIssue is a line of --format jsonl for one issue.
type jsonlIssue struct {
	Type   string `json:"type"` // "issue"
	Source string `json:"source"`
	classify.Issue
}

// jsonlSummary is the last line of --format jsonl for each input: the
// ranked outcome, which the issue lines before it cannot carry.
type jsonlSummary struct {
	Type       string           `json:"type"` // "summary"
	Source     string           `json:"source"`
	Lines      int              `json:"lines"`
	Bytes      int64            `json:"bytes"`
	Issues     int              `json:"issues"`     // distinct issues
	Suppressed int              `json:"suppressed"` // of which suppressed
	Folded     int              `json:"folded"`
	Primary    *classify.Issue  `json:"primary"`
	Outcome    classify.Outcome `json:"outcome"`
	Builds     []classify.Build `json:"builds"`
	Recovered  int              `json:"recovered"` // of which recovered
	// Unexplained are the likely error lines of a failed build that no
	// specific rule explains.
	Unexplained []classify.Suspect `json:"unexplained"`
	Warnings    []classify.Warning `json:"warnings"`
	Error       string             `json:"error,omitempty"`
}

// jsonlRenderer writes an issue line as soon as each distinct issue is found,
// then a summary line per input; one JSON value per line.
type jsonlRenderer struct {
	w *bufio.Writer
}

func (j *jsonlRenderer) issue(source string, is classify.Issue) error {
	return newEncoder(j.w, false).Encode(jsonlIssue{Type: "issue", Source: source, Issue: jsonIssue(is)})
}

func (j *jsonlRenderer) result(res *result) error {
	r := newJSONReport(res)
	s := jsonlSummary{
		Type: "summary", Source: r.Source, Lines: r.Lines, Bytes: r.Bytes,
		Issues: len(r.Issues), Folded: r.Folded, Primary: r.Primary, Warnings: r.Warnings, Error: r.Error,
		Outcome: r.Outcome, Builds: r.Builds, Unexplained: r.Unexplained,
	}
	for _, is := range r.Issues {
		if is.SuppressedBy != "" {
			s.Suppressed++
		}
		if is.Recovered {
			s.Recovered++
		}
	}
	return newEncoder(j.w, false).Encode(s)
}
