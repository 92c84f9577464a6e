package main

import (
	"bufio"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/classify/envcheck"
)

// textRenderer writes the human report: for each log a header, the primary
// issue in full, the other issues in brief, and (with -v) the suppressed
// ones and scan warnings. Everything taken from a log or a catalog goes
// through sanitize before it reaches the terminal.
type textRenderer struct {
	w       *bufio.Writer
	pal     palette
	verbose bool
	width   int
	count   int
}

// Layout of an issue block: "  label      value".
const (
	textIndent     = "  "
	textLabelWidth = 12
	maxShownRunes  = 240 // evidence lines longer than this are cut on screen
)

// newTextRenderer writes to w; color says whether the terminal behind it
// gets colour. Remediation is wrapped to $COLUMNS (default 80).
func newTextRenderer(w *bufio.Writer, color, verbose bool, env func(string) string) *textRenderer {
	width := 80
	if n, err := strconv.Atoi(env("COLUMNS")); err == nil && n >= 40 {
		width = min(n, 200)
	}
	return &textRenderer{w: w, pal: palette{color}, verbose: verbose, width: width}
}

func (t *textRenderer) result(res *result) error {
	if res.report == nil {
		return nil // the error is on standard error
	}
	if t.count > 0 {
		t.w.WriteString("\n")
	}
	t.count++
	rep := res.report
	p := t.pal
	var active, suppressed []classify.Issue
	for _, is := range rep.Issues {
		if is.SuppressedBy != "" {
			suppressed = append(suppressed, is)
		} else if !is.Primary {
			active = append(active, is)
		}
	}

	head := fmt.Sprintf("%s, %s", plural(rep.Lines, "line"), summaryWords(rep))
	if res.definition {
		head = "environment definition, " + plural(len(rep.Issues), "finding")
	}
	if res.err != nil {
		head += " (reading stopped early)"
	}
	fmt.Fprintf(t.w, "%s: %s\n", p.bold(sanitize(res.source)), head)

	if len(rep.Builds) > 1 {
		var bs []string
		for i, bd := range rep.Builds {
			bs = append(bs, fmt.Sprintf("build %d (lines %d-%d): %s", i+1, bd.FirstLine, bd.LastLine, t.outcome(bd.Outcome)))
		}
		t.w.WriteString("\n")
		for _, b := range bs {
			fmt.Fprintf(t.w, "%s%s\n", textIndent, b)
		}
	}
	if rep.Primary != nil {
		t.w.WriteString("\n")
		t.full(*rep.Primary)
	}
	if len(rep.Unexplained) > 0 {
		fmt.Fprintf(t.w, "\n%s\n", p.bold("unexplained failure, the likely lines:"))
		width := 0
		for _, su := range rep.Unexplained {
			width = max(width, len(strconv.Itoa(su.Line)))
		}
		for _, su := range rep.Unexplained {
			fmt.Fprintf(t.w, "%sline %-*d  %s\n", textIndent, width, su.Line, sanitize(cutRunes(su.Text, maxShownRunes)))
			if t.verbose {
				fmt.Fprintf(t.w, "%s%s  score %.2f, fingerprint %s\n", textIndent, strings.Repeat(" ", width+5), su.Score, sanitize(su.Fingerprint))
			}
		}
	}
	if len(active) > 0 {
		title := "other issues:"
		if rep.Primary == nil {
			title = "issues:"
		}
		fmt.Fprintf(t.w, "\n%s\n", p.bold(title))
		t.brief(active, false)
	}
	if len(suppressed) > 0 {
		if t.verbose {
			fmt.Fprintf(t.w, "\n%s\n", p.bold("suppressed:"))
			t.brief(suppressed, true)
		} else {
			fmt.Fprintf(t.w, "\n%s not shown (-v lists them)\n", plural(len(suppressed), "suppressed issue"))
		}
	}
	if rep.Folded > 0 {
		fmt.Fprintf(t.w, "%s beyond --max-issues were only counted\n", plural(rep.Folded, "more distinct issue"))
	}
	if len(rep.Warnings) > 0 {
		if t.verbose {
			fmt.Fprintf(t.w, "\n%s\n", p.bold("scan warnings:"))
			for _, w := range rep.Warnings {
				rule := ""
				if w.Rule != "" {
					rule = "rule " + w.Rule + ": "
				}
				fmt.Fprintf(t.w, "%sline %d: %s%s\n", textIndent, w.Line, rule, sanitize(w.Message))
			}
		} else {
			fmt.Fprintf(t.w, "%s (-v shows them)\n", plural(len(rep.Warnings), "scan warning"))
		}
	}
	return nil
}

// summaryWords says in a few words what the log holds: how the build ended
// and what was found.
func summaryWords(rep *classify.Report) string {
	s := outcomeWords(rep.Outcome) + ", "
	if len(rep.Issues) == 0 {
		if rep.Outcome == classify.OutcomeFailed {
			return s + "no rule explains why"
		}
		return s + "no known issue found"
	}
	s += plural(len(rep.Issues), "issue")
	var parts []string
	if n := len(rep.Issues) - len(rep.Active()); n > 0 {
		parts = append(parts, fmt.Sprintf("%d suppressed", n))
	}
	if n := recoveredCount(rep); n > 0 {
		parts = append(parts, fmt.Sprintf("%d recovered", n))
	}
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	if rep.Primary == nil {
		s += ", no error"
	}
	return s
}

// outcomeWords names an outcome for a reader.
func outcomeWords(o classify.Outcome) string {
	switch o {
	case classify.OutcomeSucceeded:
		return "build succeeded"
	case classify.OutcomeFailed:
		return "build failed"
	case classify.OutcomeCancelled:
		return "build cancelled"
	}
	return "outcome unknown"
}

func recoveredCount(rep *classify.Report) int {
	n := 0
	for _, is := range rep.Issues {
		if is.Recovered {
			n++
		}
	}
	return n
}

func (t *textRenderer) outcome(o classify.Outcome) string {
	switch o {
	case classify.OutcomeSucceeded:
		return t.pal.cyan(string(o))
	case classify.OutcomeFailed, classify.OutcomeCancelled:
		return t.pal.red(string(o))
	}
	return t.pal.yellow(string(o))
}

func (t *textRenderer) severity(s classify.Severity) string {
	name := s.String()
	switch s {
	case classify.SeverityError:
		return t.pal.red(name)
	case classify.SeverityWarning:
		return t.pal.yellow(name)
	}
	return t.pal.cyan(name)
}

// full writes one issue with everything a reader needs to act on it.
func (t *textRenderer) full(is classify.Issue) {
	p := t.pal
	fmt.Fprintf(t.w, "%s %s: %s\n", t.severity(is.Severity), p.bold(is.ID), sanitize(is.Title))

	where := "line " + strconv.Itoa(is.Line)
	if is.EndLine > is.Line {
		where = fmt.Sprintf("lines %d-%d", is.Line, is.EndLine)
	}
	if is.Count > 1 {
		where += fmt.Sprintf(", seen %d times (last at line %d)", is.Count, is.LastLine)
	}
	if is.Group != envcheck.Group { // a definition finding's place is its source
		t.field("where", []string{where})
	}
	if is.Source != nil {
		t.field("source", []string{sourceText(is)})
	}
	if is.Step != "" {
		t.field("step", []string{sanitize(is.Step)})
	}
	t.field("evidence", t.evidence(is))
	if t.verbose && len(is.Fields) > 0 {
		var fs []string
		for _, k := range sortedKeys(is.Fields) {
			fs = append(fs, k+" = "+strconv.Quote(is.Fields[k]))
		}
		t.field("fields", fs)
	}
	if is.Remediation != "" {
		t.field("what to do", wrapText(prose(is.Remediation), t.width-len(textIndent)-textLabelWidth))
	}
	if len(is.Links) > 0 {
		var ls []string
		for _, l := range is.Links {
			ls = append(ls, sanitize(l))
		}
		t.field("links", ls)
	}
	t.field("retry", []string{retryAdvice(is.Retry)})
}

// field writes a label and its value lines.
func (t *textRenderer) field(label string, lines []string) {
	pad := strings.Repeat(" ", textLabelWidth)
	for i, l := range lines {
		lead := pad
		if i == 0 {
			lead = t.pal.dim(label) + pad[min(len(label), textLabelWidth-1):]
		}
		fmt.Fprintf(t.w, "%s%s%s\n", textIndent, lead, l)
	}
}

// evidence lists the issue's lines, marked ">" where the rule matched, with
// "..." where lines are skipped.
func (t *textRenderer) evidence(is classify.Issue) []string {
	lines := evidenceLines(is)
	width := len(strconv.Itoa(lines[len(lines)-1].num))
	var out []string
	for i, l := range lines {
		if i > 0 && l.num > lines[i-1].num+1 {
			out = append(out, "  "+strings.Repeat(" ", width)+" ...")
		}
		mark := "  "
		if l.hit {
			mark = t.pal.red(">") + " "
		}
		out = append(out, fmt.Sprintf("%s%s | %s", mark, t.pal.dim(fmt.Sprintf("%*d", width, l.num)), sanitize(cutRunes(l.text, maxShownRunes))))
	}
	return out
}

// brief writes one line per issue.
func (t *textRenderer) brief(issues []classify.Issue, showSuppressor bool) {
	width := 0
	for _, is := range issues {
		width = max(width, len(strconv.Itoa(is.Line)))
	}
	for _, is := range issues {
		sev := t.severity(is.Severity) + strings.Repeat(" ", max(0, 7-len(is.Severity.String())))
		extra := ""
		if is.Count > 1 {
			extra = fmt.Sprintf(" (%d times)", is.Count)
		}
		if showSuppressor {
			extra += " (hidden by " + is.SuppressedBy + ")"
		}
		if is.Recovered {
			extra += " (recovered: the build succeeded)"
		}
		if is.Source != nil && is.Group == envcheck.Group { // a definition finding: its place is its source
			fmt.Fprintf(t.w, "%s%s  %s  %s: %s%s\n", textIndent, sanitize(sourceText(is)), sev, t.pal.bold(is.ID), sanitize(is.Title), extra)
			continue
		}
		if is.Source != nil {
			extra += " at " + sanitize(sourceText(is))
		}
		fmt.Fprintf(t.w, "%sline %-*d  %s  %s: %s%s\n", textIndent, width, is.Line, sev, t.pal.bold(is.ID), sanitize(is.Title), extra)
	}
}

type evLine struct {
	num  int
	text string
	hit  bool
}

// evidenceLines merges an issue's context, the lines a multi-line rule
// matched and the matching line itself, in line order.
func evidenceLines(is classify.Issue) []evLine {
	byNum := map[int]evLine{}
	for _, l := range is.Context {
		byNum[l.Number] = evLine{l.Number, l.Text, false}
	}
	for _, l := range is.Evidence {
		byNum[l.Number] = evLine{l.Number, l.Text, true}
	}
	byNum[is.Line] = evLine{is.Line, is.Text, true}
	out := make([]evLine, 0, len(byNum))
	for _, l := range byNum {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].num < out[j].num })
	return out
}

// cutRunes shortens s to n runes, saying how much was left out.
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := 0; k < n; k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return fmt.Sprintf("%s [%d more bytes]", s[:i], len(s)-i)
}

// retryAdvice turns a rule's retry value into advice.
func retryAdvice(r classify.Retry) string {
	switch r {
	case classify.RetryTransient:
		return "transient: a rebuild without changes may succeed"
	case classify.RetryPermanent:
		return "permanent: a rebuild without changes will fail the same way"
	}
	return "unknown: the log does not tell whether a rebuild would help"
}
