package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/classify/envcheck"
)

// GitHub shows about ten annotations of a kind per step and drops the rest
// silently, so triage writes the most important few and puts the full report
// in the job summary, which holds at most 1 MiB.
const (
	maxAnnotations = 10
	maxSummary     = 1 << 20
)

// githubRenderer writes GitHub Actions workflow commands at the end, most
// important first, and appends the Markdown report to $GITHUB_STEP_SUMMARY.
type githubRenderer struct {
	w       *bufio.Writer
	stderr  io.Writer
	env     func(string) string
	results []*result
}

func (g *githubRenderer) result(res *result) error {
	g.results = append(g.results, res)
	return nil
}

type annotation struct {
	source string
	is     classify.Issue
}

func (g *githubRenderer) finish() error {
	// Most important first across every log: primaries, then by severity,
	// priority and line.
	var all []annotation
	for _, res := range g.results {
		if res.report == nil {
			continue
		}
		for _, is := range res.report.Active() {
			all = append(all, annotation{res.source, is})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return moreImportant(&all[i].is, &all[j].is) })
	// A failure no rule explains comes first: it is the build's outcome.
	for _, res := range g.results {
		if res.report != nil && len(res.report.Unexplained) > 0 {
			g.w.WriteString(unexplainedCommand(res.source, res.report.Unexplained))
		}
	}
	for i, a := range all {
		if i == maxAnnotations {
			fmt.Fprintf(g.w, "triage: %s not annotated; the job summary and --format text list every issue\n", plural(len(all)-i, "more issue"))
			break
		}
		g.w.WriteString(workflowCommand(a.source, a.is))
	}
	if path := g.env("GITHUB_STEP_SUMMARY"); path != "" {
		if err := appendFile(path, markdownReport(g.results, maxSummary)); err != nil {
			fmt.Fprintf(g.stderr, "triage: writing the job summary: %s\n", oneLine(err.Error()))
		}
	}
	return nil
}

// unexplainedCommand writes the annotation of a failed build that no rule
// explains, at its most likely error line, listing the likely lines.
func unexplainedCommand(source string, sus []classify.Suspect) string {
	var props []string
	if source != stdinName {
		props = append(props, "file="+escapeProperty(source))
	}
	props = append(props, fmt.Sprintf("line=%d", sus[0].Line), "title="+escapeProperty("Build failed; no rule explains why"))
	var msg strings.Builder
	msg.WriteString("the most likely error lines:")
	for _, su := range sus {
		fmt.Fprintf(&msg, "\nline %d: %s", su.Line, sanitize(cutRunes(su.Text, maxShownRunes)))
	}
	return "::error " + strings.Join(props, ",") + "::" + escapeData(msg.String()) + "\n"
}

// workflowCommand writes one annotation:
//
//	::error file=build.log,line=9,endLine=9,title=…::message
func workflowCommand(source string, is classify.Issue) string {
	cmd := "notice"
	title := is.Title + " (" + is.ID + ")"
	switch {
	case is.Recovered:
		cmd = "warning" // an error the build went past
		title = is.Title + " (" + is.ID + ", recovered)"
	case is.Severity == classify.SeverityError:
		cmd = "error"
	case is.Severity == classify.SeverityWarning:
		cmd = "warning"
	}
	var props []string
	if is.Source != nil { // annotate the definition line the issue comes from
		props = append(props, "file="+escapeProperty(is.Source.File), fmt.Sprintf("line=%d", is.Source.Line), fmt.Sprintf("col=%d", is.Source.Column))
	} else {
		if source != stdinName {
			props = append(props, "file="+escapeProperty(source))
		}
		props = append(props, fmt.Sprintf("line=%d", is.Line), fmt.Sprintf("endLine=%d", max(is.EndLine, is.Line)))
	}
	props = append(props, "title="+escapeProperty(title))

	var msg strings.Builder
	fmt.Fprintf(&msg, "line %d: %s", is.Line, sanitize(cutRunes(is.Text, maxShownRunes)))
	if is.Source != nil && is.Group != envcheck.Group {
		fmt.Fprintf(&msg, "\nlog: %s line %d\nsource: %s", sanitize(source), is.Line, sanitize(sourceText(is)))
	}
	if is.Step != "" {
		fmt.Fprintf(&msg, "\nstep: %s", sanitize(is.Step))
	}
	if is.Count > 1 {
		fmt.Fprintf(&msg, "\nseen %d times (last at line %d)", is.Count, is.LastLine)
	}
	if is.Remediation != "" {
		fmt.Fprintf(&msg, "\n%s", prose(is.Remediation))
	}
	fmt.Fprintf(&msg, "\nretry: %s", retryAdvice(is.Retry))
	return "::" + cmd + " " + strings.Join(props, ",") + "::" + escapeData(msg.String()) + "\n"
}

// escapeData escapes a workflow command's message the way the runner
// unescapes it, so that no character of it can end the command line.
var dataEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")

func escapeData(s string) string { return dataEscaper.Replace(s) }

// escapeProperty escapes a property value, which also must not hold the
// separators of the property list.
var propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")

func escapeProperty(s string) string { return propertyEscaper.Replace(sanitize(s)) }

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
