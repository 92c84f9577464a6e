package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/classify/envcheck"
)

// runCheck is "triage check PATH…": the environment definition checks,
// rendered like a log's issues, each at its definition file and line.
func runCheck(args []string, stdout, stderr io.Writer, env func(string) string) int {
	cfg, err := parseConfig(args)
	switch {
	case errors.Is(err, errHelp):
		fmt.Fprint(stdout, usageText)
		return exitOK
	case err != nil:
		return usageError(stderr, err)
	case len(cfg.files) == 0:
		return usageError(stderr, errors.New("check needs at least one PATH"))
	}
	flagOpts, err := checkOptions(cfg)
	if err != nil {
		return usageError(stderr, err)
	}
	m, adj, err := compileForChecks(cfg.cat)
	if err != nil {
		printCatalogError(stderr, err)
		return exitFailure
	}
	opts := adj.Add(flagOpts) // the command line wins over the files
	out := bufio.NewWriter(stdout)
	rend := checkRenderer(cfg, m, opts, out, stdout, stderr, env)
	status := exitOK
	var writeErr error
	for _, path := range cfg.files {
		res := checkOne(cfg, path, opts)
		if res.err != nil {
			fmt.Fprintf(stderr, "triage: %s\n", oneLine(res.err.Error()))
			status = exitFailure
		} else if status == exitOK && reaches(res.report, cfg.failOn) {
			status = exitFound
		}
		if writeErr == nil {
			writeErr = rend.result(res)
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

func checkOptions(cfg *config) (envcheck.Options, error) {
	var o envcheck.Options
	if cfg.now != "" {
		t, err := time.Parse("2006-01-02", cfg.now)
		if err != nil {
			return o, fmt.Errorf("--now %q: want YYYY-MM-DD", cfg.now)
		}
		o.Now = t
	}
	known := map[string]bool{}
	for _, c := range envcheck.Checks() {
		known[c.ID] = true
	}
	for _, id := range cfg.skip {
		if !known[id] {
			return o, fmt.Errorf("--skip %s: no such check (triage check lists ids in its findings; see the README)", id)
		}
		o.Disable = append(o.Disable, id)
	}
	for _, kv := range cfg.severity {
		id, sev, ok := strings.Cut(kv, "=")
		if !ok {
			return o, fmt.Errorf("--severity %q: want ID=SEVERITY", kv)
		}
		if !known[id] {
			return o, fmt.Errorf("--severity %s: no such check", id)
		}
		s, err := classify.ParseSeverity(sev)
		if err != nil {
			return o, fmt.Errorf("--severity %s: %v", kv, err)
		}
		if o.Severity == nil {
			o.Severity = map[string]classify.Severity{}
		}
		o.Severity[id] = s
	}
	return o, nil
}

func loadDefinition(cfg *config, path string) (*envcheck.Definition, error) {
	if cfg.kind != "" {
		k, err := envcheck.ParseKind(cfg.kind)
		if err != nil {
			return nil, err
		}
		return envcheck.LoadKind(path, k)
	}
	return envcheck.Load(path)
}

// checkOne checks one definition path into a result the renderers take.
func checkOne(cfg *config, path string, opts envcheck.Options) *result {
	def, err := loadDefinition(cfg, path)
	if err != nil {
		return &result{source: path, err: err}
	}
	// log is for the html format: a definition has no build log to show
	return &result{source: path, definition: true, report: findingsReport(def.CheckWith(opts)), log: &logCopy{err: errors.New("this is an environment definition, not a build log; each issue names its source")}}
}

// findingsReport turns findings into a report: the first error finding is
// the primary issue.
func findingsReport(fs []envcheck.Finding) *classify.Report {
	rep := &classify.Report{}
	for _, f := range fs {
		rep.Issues = append(rep.Issues, f.Issue())
	}
	for i := range rep.Issues {
		if rep.Issues[i].Severity == classify.SeverityError {
			rep.Issues[i].Primary = true
			rep.Primary = &rep.Issues[i]
			break
		}
	}
	return rep
}

// checkRenderer is newRenderer, with the SARIF rules taken from the checks.
func checkRenderer(cfg *config, m *classify.Matcher, opts envcheck.Options, w *bufio.Writer, stdout, stderr io.Writer, env func(string) string) renderer {
	if cfg.format == "sarif" {
		return &sarifRenderer{w: w, cat: checksCatalog(opts)}
	}
	return newRenderer(cfg, m, w, stdout, stderr, env)
}

// checksCatalog describes the checks as catalog rules, for SARIF's rule
// list, with the severities and texts opts give them.
func checksCatalog(opts envcheck.Options) *classify.Catalog {
	cat := &classify.Catalog{}
	for _, c := range envcheck.Checks() {
		c = opts.Adjust(c)
		r := &classify.Rule{ID: c.ID, Group: envcheck.Group, Title: c.Title, Severity: c.Severity,
			Remediation: c.Remediation, Links: c.Links, Retry: classify.RetryPermanent}
		cat.Rules = append(cat.Rules, r)
	}
	return cat
}

// hasEnvFlag reports whether the classify command line has --env.
func hasEnvFlag(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "--env" || a == "-env" || strings.HasPrefix(a, "--env=") || strings.HasPrefix(a, "-env=") {
			return true
		}
	}
	return false
}

// runClassifyWithEnv classifies logs like runClassify and links each issue
// to the environment definitions given with --env.
func runClassifyWithEnv(args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	cfg, err := parseConfig(args)
	if err != nil {
		return usageError(stderr, err)
	}
	if cfg.tee {
		return usageError(stderr, errors.New("--env does not work with --tee"))
	}
	flagOpts, err := checkOptions(cfg)
	if err != nil {
		return usageError(stderr, err)
	}
	m, adj, err := compileForChecks(cfg.cat, classify.WithContextLines(cfg.context), classify.WithMaxIssues(cfg.maxIssues), classify.WithWorkers(cfg.workers))
	if err != nil {
		printCatalogError(stderr, err)
		return exitFailure
	}
	opts := adj.Add(flagOpts) // the command line wins over the files
	def, err := envcheck.Load(cfg.env...)
	if err != nil {
		fmt.Fprintf(stderr, "triage: --env: %s\n", oneLine(err.Error()))
		return exitFailure
	}
	findings := def.CheckWith(opts)
	files := cfg.files
	if len(files) == 0 {
		files = []string{"-"}
	}
	out := bufio.NewWriter(stdout)
	rend := newRenderer(cfg, m, out, stdout, stderr, env)
	status := exitOK
	var writeErr error
	for _, name := range files {
		res := classifyOne(m, cfg, name, stdin, false, stderr, func(*progress, string, classify.Issue) {})
		if res.err != nil {
			fmt.Fprintf(stderr, "triage: %s\n", oneLine(res.err.Error()))
			status = exitFailure
		} else if status == exitOK && reaches(res.report, cfg.failOn) {
			status = exitFound
		}
		envcheck.Link(res.report, def, findings)
		if writeErr == nil && cfg.format == "jsonl" && res.report != nil {
			for _, is := range res.report.Issues {
				if writeErr = streamIssue(rend, res.source, is); writeErr != nil {
					break
				}
			}
		}
		if writeErr == nil {
			writeErr = rend.result(res)
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

// sourceText is an issue's definition position, with the check that
// predicted it when there is one.
func sourceText(is classify.Issue) string {
	s := is.Source.String()
	if p := is.Fields["predicted_by"]; p != "" {
		s += " (predicted by " + p + ")"
	}
	return s
}
