package main

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"

	"github.com/buildlog/buildlog/classify"
)

// The Markdown report is meant for a pull-request comment or a job summary,
// where a log line must not be able to close a code block, start HTML or
// make a link: text outside code is escaped, log lines go in fences longer
// than any run of backticks they hold, and control characters are escaped
// first as in the text format.

// mdMaxRows caps the rows of the issue tables of one log.
const mdMaxRows = 50

// markdownRenderer writes the report of every input at the end.
type markdownRenderer struct {
	w       *bufio.Writer
	results []*result
}

func (m *markdownRenderer) result(res *result) error {
	m.results = append(m.results, res)
	return nil
}

func (m *markdownRenderer) finish() error {
	_, err := m.w.WriteString(markdownReport(m.results, 0))
	return err
}

// markdownReport renders every result. With limit > 0 it stops adding logs
// before the report would exceed limit bytes and says how many it left out;
// each log's section is whole, so no code block is ever left open.
func markdownReport(results []*result, limit int) string {
	var b strings.Builder
	for i, res := range results {
		sec := markdownSection(res)
		if limit > 0 && b.Len()+len(sec) > limit-200 {
			fmt.Fprintf(&b, "_%s not shown: the summary has a size limit._\n", plural(len(results)-i, "more log"))
			break
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(sec)
	}
	return b.String()
}

func markdownSection(res *result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### triage: %s\n\n", mdCode(res.source))
	if res.err != nil {
		fmt.Fprintf(&b, "**Reading stopped early:** %s\n\n", mdText(res.err.Error()))
	}
	rep := res.report
	if rep == nil {
		return b.String()
	}
	if res.definition {
		fmt.Fprintf(&b, "Environment definition; %s.\n", plural(len(rep.Issues), "finding"))
	} else {
		fmt.Fprintf(&b, "%s; %s.\n", plural(rep.Lines, "line"), mdText(summaryWords(rep)))
	}

	var others, suppressed []classify.Issue
	for _, is := range rep.Issues {
		switch {
		case is.SuppressedBy != "":
			suppressed = append(suppressed, is)
		case !is.Primary:
			others = append(others, is)
		}
	}
	if p := rep.Primary; p != nil {
		fmt.Fprintf(&b, "\n**Primary issue: %s** (%s, %s)\n\n", mdText(p.Title), mdCode(p.ID), p.Severity)
		where := "Line " + strconv.Itoa(p.Line)
		if p.EndLine > p.Line {
			where = fmt.Sprintf("Lines %d to %d", p.Line, p.EndLine)
		}
		if p.Step != "" {
			where += ", step " + mdCode(p.Step)
		}
		if p.Count > 1 {
			where += fmt.Sprintf("; seen %d times (last at line %d)", p.Count, p.LastLine)
		}
		if p.Source != nil {
			where += "; source " + mdCode(sourceText(*p))
		}
		b.WriteString(where + "\n\n")
		b.WriteString(mdFence(evidenceText(*p)))
		if p.Remediation != "" {
			fmt.Fprintf(&b, "\n**What to do:** %s\n", mdText(p.Remediation))
		}
		if len(p.Links) > 0 {
			var ls []string
			for _, l := range p.Links {
				ls = append(ls, mdLink(l))
			}
			fmt.Fprintf(&b, "\n**Links:** %s\n", strings.Join(ls, ", "))
		}
		fmt.Fprintf(&b, "\n**Retry:** %s\n", mdText(retryAdvice(p.Retry)))
	}
	if len(rep.Builds) > 1 {
		b.WriteString("\n| Build | Lines | Outcome |\n| ---: | --- | --- |\n")
		for i, bd := range rep.Builds {
			fmt.Fprintf(&b, "| %d | %d to %d | %s |\n", i+1, bd.FirstLine, bd.LastLine, bd.Outcome)
		}
	}
	if len(rep.Unexplained) > 0 {
		b.WriteString("\n**Unexplained failure:** no rule explains it; the most likely error lines:\n\n")
		var ls []string
		width := 0
		for _, su := range rep.Unexplained {
			width = max(width, len(strconv.Itoa(su.Line)))
		}
		for _, su := range rep.Unexplained {
			ls = append(ls, fmt.Sprintf("%*d | %s", width, su.Line, cutRunes(su.Text, maxShownRunes)))
		}
		b.WriteString(mdFence(ls))
	}
	if len(others) > 0 {
		title := "Other issues"
		if rep.Primary == nil {
			title = "Issues"
		}
		fmt.Fprintf(&b, "\n#### %s\n\n| Line | Severity | Rule | Title |\n| ---: | --- | --- | --- |\n", title)
		for i, is := range others {
			if i == mdMaxRows {
				fmt.Fprintf(&b, "\n_%s not listed._\n", plural(len(others)-i, "more issue"))
				break
			}
			title := mdText(is.Title)
			if is.Count > 1 {
				title += fmt.Sprintf(" (%d times)", is.Count)
			}
			if is.Recovered {
				title += " (recovered: the build succeeded)"
			}
			fmt.Fprintf(&b, "| %d | %s | %s | %s |\n", is.Line, is.Severity, mdCode(is.ID), title)
		}
	}
	if len(suppressed) > 0 {
		fmt.Fprintf(&b, "\n<details><summary>%s</summary>\n\n| Line | Rule | Hidden by |\n| ---: | --- | --- |\n", plural(len(suppressed), "suppressed issue"))
		for i, is := range suppressed {
			if i == mdMaxRows {
				fmt.Fprintf(&b, "\n_%s not listed._\n", plural(len(suppressed)-i, "more issue"))
				break
			}
			fmt.Fprintf(&b, "| %d | %s | %s |\n", is.Line, mdCode(is.ID), mdCode(is.SuppressedBy))
		}
		b.WriteString("\n</details>\n")
	}
	if n := len(rep.Warnings); n > 0 {
		fmt.Fprintf(&b, "\n_%s while scanning._\n", plural(n, "warning"))
	}
	return b.String()
}

// evidenceText is the evidence block of the text format, without colour.
func evidenceText(is classify.Issue) []string {
	t := textRenderer{}
	return t.evidence(is)
}

// mdEscaper escapes the characters that could start Markdown or HTML. It is
// applied after sanitize, so its input is a single line of printable text.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`(`, `\(`, `)`, `\)`, `|`, `\|`, `~`, `\~`, `!`, `\!`, `@`, `\@`,
	`#`, `\#`, `&`, `&amp;`, `<`, `&lt;`, `>`, `&gt;`,
)

// mdText makes text safe outside code: one line, no markup, no HTML.
func mdText(s string) string {
	s = strings.Join(strings.Fields(sanitize(strings.ReplaceAll(s, "\n", " "))), " ")
	return mdEscaper.Replace(s)
}

// mdCode writes s as an inline code span whose backtick fence is longer than
// any run of backticks in s.
func mdCode(s string) string {
	s = sanitize(s)
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || s == "" {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdFence writes lines as a fenced code block whose fence is longer than
// any run of backticks in them, so no line can close it.
func mdFence(lines []string) string {
	n := 3
	for _, l := range lines {
		n = max(n, longestRun(l, '`')+1)
	}
	fence := strings.Repeat("`", n)
	var b strings.Builder
	b.WriteString(fence + "text\n")
	for _, l := range lines {
		b.WriteString(sanitize(l))
		b.WriteByte('\n')
	}
	b.WriteString(fence + "\n")
	return b.String()
}

// mdLink writes a catalog link as an autolink when it is a plain http(s)
// URL, and as escaped text otherwise.
func mdLink(u string) string {
	if (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) && !strings.ContainsAny(u, "<> \t\r\n\"'`") && sanitize(u) == u {
		return "<" + u + ">"
	}
	return mdText(u)
}

func longestRun(s string, c byte) int {
	best, cur := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
}
