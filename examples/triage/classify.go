package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/buildlog/buildlog/classify"
)

// result is the outcome for one input: its report (possibly partial) and
// the error that stopped reading it, if any.
type result struct {
	source string
	report *classify.Report // nil when the input could not be opened
	err    error
	log    *logCopy // the log's lines, kept for formats that show them
	// definition is set for an environment definition (triage check): it
	// has findings, but no lines and no build outcome.
	definition bool
}

// renderer writes one output format: result is called after each input.
// A format that streams also implements streamer, and one that writes
// something after the last input implements finisher.
type renderer interface {
	result(res *result) error
}

// streamer is a renderer that writes each distinct issue as soon as it is
// found (jsonl).
type streamer interface {
	issue(source string, is classify.Issue) error
}

// finisher is a renderer with something to write once all inputs are done
// (the closing bracket of a JSON array, a SARIF log, a summary).
type finisher interface {
	finish() error
}

// The formats that stream or finish, checked by the compiler (a misspelt
// method would otherwise silently drop their output).
var (
	_ streamer = (*jsonlRenderer)(nil)
	_ finisher = (*jsonRenderer)(nil)
	_ finisher = (*sarifRenderer)(nil)
	_ finisher = (*githubRenderer)(nil)
	_ finisher = (*markdownRenderer)(nil)
	_ finisher = (*htmlRenderer)(nil)
)

// streamIssue writes is if rend streams; other formats ignore it.
func streamIssue(rend renderer, source string, is classify.Issue) error {
	if s, ok := rend.(streamer); ok {
		return s.issue(source, is)
	}
	return nil
}

// finishRender ends rend's output, if it has an end to write.
func finishRender(rend renderer) error {
	if f, ok := rend.(finisher); ok {
		return f.finish()
	}
	return nil
}

// newRenderer returns the renderer of the chosen format, writing to w, a
// buffer over stdout.
func newRenderer(cfg *config, m *classify.Matcher, w *bufio.Writer, stdout, stderr io.Writer, env func(string) string) renderer {
	switch cfg.format {
	case "json":
		return &jsonRenderer{w: w}
	case "jsonl":
		return &jsonlRenderer{w: w}
	case "sarif":
		return &sarifRenderer{w: w, cat: m.Catalog()}
	case "github":
		return &githubRenderer{w: w, stderr: stderr, env: env}
	case "markdown":
		return &markdownRenderer{w: w}
	case "html":
		return &htmlRenderer{w: w, m: m}
	}
	return newTextRenderer(w, useColor(cfg.color, stdout, env), cfg.verbose, env)
}

func runClassify(args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	cfg, err := parseConfig(args)
	switch {
	case errors.Is(err, errHelp):
		fmt.Fprint(stdout, usageText)
		return exitOK
	case errors.Is(err, errVersion):
		return runVersion(nil, stdout, stderr)
	case err != nil:
		return usageError(stderr, err)
	}
	m, err := compileCatalog(cfg.cat, classify.WithContextLines(cfg.context), classify.WithMaxIssues(cfg.maxIssues), classify.WithWorkers(cfg.workers))
	if err != nil {
		printCatalogError(stderr, err)
		return exitFailure
	}
	if cfg.tee {
		return runTee(cfg, m, stdin, stdout, stderr, env)
	}
	files := cfg.files
	if len(files) == 0 {
		files = []string{"-"}
	}
	out := bufio.NewWriter(stdout)
	rend := newRenderer(cfg, m, out, stdout, stderr, env)
	showProgress := progressEnabled(cfg.progress, stderr, env)
	streaming := cfg.format == "jsonl"

	status := exitOK
	var writeErr error
	for _, name := range files {
		res := classifyOne(m, cfg, name, stdin, showProgress, stderr, func(p *progress, source string, is classify.Issue) {
			if !streaming || writeErr != nil {
				return
			}
			p.pause(func() {
				if writeErr = streamIssue(rend, source, is); writeErr == nil {
					writeErr = out.Flush()
				}
			})
		})
		if res.err != nil {
			fmt.Fprintf(stderr, "triage: %s\n", oneLine(res.err.Error()))
			status = exitFailure
		} else if status == exitOK && reaches(res.report, cfg.failOn) {
			status = exitFound
		}
		if writeErr == nil {
			writeErr = rend.result(res)
		}
		if writeErr == nil && streaming {
			writeErr = out.Flush()
		}
	}
	if writeErr == nil {
		writeErr = finishRender(rend)
	}
	if writeErr == nil {
		writeErr = out.Flush()
	}
	if writeErr != nil {
		fmt.Fprintf(stderr, "triage: writing output: %v\n", writeErr)
		return exitFailure
	}
	return status
}

// reaches reports whether the report has an unsuppressed issue of at least
// the --fail-on severity that was not recovered, or shows a failed build.
// Errors a succeeded build recovered from do not count.
func reaches(rep *classify.Report, failOn string) bool {
	if rep == nil || failOn == "never" {
		return false
	}
	least, err := classify.ParseSeverity(failOn)
	if err != nil {
		return false
	}
	if rep.Outcome == classify.OutcomeFailed {
		return true
	}
	for _, is := range rep.Issues {
		if is.SuppressedBy == "" && !is.Recovered && is.Severity >= least {
			return true
		}
	}
	return false
}

// classifyOne reads one input and classifies it. For a streaming format,
// emit receives each distinct issue as soon as it is found.
func classifyOne(m *classify.Matcher, cfg *config, name string, stdin io.Reader, showProgress bool, stderr io.Writer, emit func(*progress, string, classify.Issue)) *result {
	src, err := openSource(name, stdin)
	if err != nil {
		display := name
		if name == "-" {
			display = stdinName
		}
		var pe *os.PathError
		if !errors.As(err, &pe) && !strings.HasPrefix(err.Error(), display+":") {
			err = fmt.Errorf("%s: %w", display, err)
		}
		return &result{source: display, err: err}
	}
	defer src.close()
	p := startProgress(showProgress, stderr, src)
	res := &result{source: src.name}
	var emitIssue func(classify.Issue)
	if cfg.format == "jsonl" {
		emitIssue = func(is classify.Issue) { emit(p, src.name, is) }
	}
	res.log = newLogCopyFor(cfg)
	res.report, err = classifySource(m, cfg, src.r, emitIssue, res.log)
	p.finish()
	if err != nil {
		res.err = fmt.Errorf("%s: %s", src.name, strings.TrimPrefix(err.Error(), "classify: "))
	}
	return res
}

// streamLog classifies r with a Session, handing each distinct issue to emit
// as soon as it is found, and returns the ranked report at the end.
func streamLog(m *classify.Matcher, r io.Reader, emit func(classify.Issue)) (*classify.Report, error) {
	s := m.NewSession()
	var readErr error
	for is, err := range s.ScanDistinct(context.Background(), r) {
		if err != nil {
			readErr = err
			break
		}
		emit(is)
	}
	return s.Report(), readErr
}

// moreImportant orders issues for a reader: the primary first, then by
// severity, priority and line.
func moreImportant(a, b *classify.Issue) bool {
	if a.Primary != b.Primary {
		return a.Primary
	}
	if a.Severity != b.Severity {
		return a.Severity > b.Severity
	}
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	return a.Line < b.Line
}

// plural writes "1 issue" or "3 issues".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
