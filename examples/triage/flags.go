package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/buildlog/buildlog/classify"
)

const usageText = `usage: triage [flags] [FILE ...]
       triage --tee [flags] < LOG > LOG
       triage run [flags] -- CMD [ARG ...]
       triage lint [--no-default] PATH ...
       triage explain [--catalog PATH] [--no-default] ID
       triage explain [--catalog PATH] [--no-default] --line TEXT [ID]
       triage check [flags] PATH ...
       triage --env DEFINITION [flags] [FILE ...]
       triage version

triage classifies container-image build logs (stdin when no FILE or "-";
gzip is read transparently) and prints the root cause and what to do.

flags:
  --format F        text, json, jsonl, sarif, github, markdown or html (default text)
  --input I         auto, text or rawjson (BuildKit --progress=rawjson) (default auto)
  --tee             copy standard input to standard output as it arrives; report on stderr
  --report FILE     with --tee or run: write the report to FILE instead of stderr
  --live            with --tee or run: announce each issue on stderr as it is found
  --catalog PATH    catalog file or folder of *.yaml merged over the default (repeatable)
  --no-default      do not load the default catalog
  --fail-on S       error, warning, info or never: exit 1 when an issue reaches S (default error)
  --context N       raw lines kept around each match (default 3)
  --max-issues N    distinct issues kept per log (default 1000)
  --workers N       goroutines matching lines (default 0: every core for large files)
  -v                text: also show suppressed issues and scan warnings
  --color WHEN      auto, always or never (default auto; NO_COLOR disables colour)
  --progress P      auto or never (default auto: stderr is a terminal and CI is unset)
  --env PATH        link each issue to the line of this environment definition that asked for it
  --kind K          check: read every PATH as azureml-v2, azureml-v1, conda, requirements or dockerfile
  --now DATE        check: judge Python end of life at DATE (YYYY-MM-DD; default today)
  --skip IDS        check: do not run these checks (comma-separated, repeatable)
  --severity ID=S   check: give check ID the severity S (error, warning or info; repeatable)
  --version         print the version

exit status: 0 nothing reached --fail-on, 1 an issue did, 2 usage, catalog or read error
`

// config is the parsed command line of the classify command.
type config struct {
	format    string
	cat       catalogFlags
	failOn    string
	context   int
	maxIssues int
	workers   int
	verbose   bool
	color     string
	progress  string
	files     []string
	input     string   // auto, text or rawjson
	tee       bool     // pass standard input through to standard output
	live      bool     // announce issues on stderr as they are found
	report    string   // --tee and run: the report's file instead of stderr
	env       []string // --env: environment definitions to link issues to
	kind      string   // check: the kind of every PATH, "" to detect
	now       string   // check: the date Python end of life is judged at
	skip      []string // check: check ids not to run
	severity  []string // check: ID=SEVERITY overrides
}

// catalogFlags are the flags that choose the catalog, shared by every
// command that compiles one.
type catalogFlags struct {
	paths     []string
	noDefault bool
}

func (c *catalogFlags) register(fs *flag.FlagSet) {
	fs.Func("catalog", "catalog file or folder (repeatable)", func(s string) error {
		if s == "" {
			return errors.New("empty path")
		}
		c.paths = append(c.paths, s)
		return nil
	})
	fs.BoolVar(&c.noDefault, "no-default", false, "do not load the default catalog")
}

// check reports a catalog choice that leaves no rules at all.
func (c *catalogFlags) check() error {
	if c.noDefault && len(c.paths) == 0 {
		return errors.New("--no-default needs at least one --catalog")
	}
	return nil
}

// enumFlag is a string flag with a fixed set of values.
type enumFlag struct {
	p       *string
	allowed []string
}

func newEnum(fs *flag.FlagSet, name, def, help string, allowed ...string) *string {
	p := new(string)
	*p = def
	fs.Var(enumFlag{p, allowed}, name, help)
	return p
}

func (e enumFlag) String() string {
	if e.p == nil {
		return ""
	}
	return *e.p
}

func (e enumFlag) Set(s string) error {
	for _, a := range e.allowed {
		if s == a {
			*e.p = s
			return nil
		}
	}
	return fmt.Errorf("want %s", orList(e.allowed))
}

// orList joins words as "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// errHelp asks for the usage text on standard output and exit status 0.
var errHelp = errors.New("help requested")

// parseConfig reads the classify command line. It returns errHelp for -h
// and errVersion for --version.
func parseConfig(args []string) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("triage", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	format := newEnum(fs, "format", "text", "output format", "text", "json", "jsonl", "sarif", "github", "markdown", "html")
	input := newEnum(fs, "input", "auto", "input format", "auto", "text", "rawjson")
	fs.BoolVar(&c.tee, "tee", false, "pass the input through to stdout")
	fs.BoolVar(&c.live, "live", false, "announce issues on stderr as they are found")
	fs.StringVar(&c.report, "report", "", "with --tee or run: the report's file")
	failOn := newEnum(fs, "fail-on", "error", "least severity that fails", "error", "warning", "info", "never")
	color := newEnum(fs, "color", "auto", "colour", "auto", "always", "never")
	progress := newEnum(fs, "progress", "auto", "progress", "auto", "never")
	c.cat.register(fs)
	fs.IntVar(&c.context, "context", 3, "context lines")
	fs.IntVar(&c.maxIssues, "max-issues", classify.DefaultMaxIssues, "distinct issues kept")
	fs.IntVar(&c.workers, "workers", 0, "goroutines matching lines")
	fs.BoolVar(&c.verbose, "v", false, "verbose")
	showVersion := fs.Bool("version", false, "print the version")
	fs.Func("env", "environment definition to link issues to (repeatable)", func(s string) error { c.env = append(c.env, s); return nil })
	fs.StringVar(&c.kind, "kind", "", "check: kind of every PATH")
	fs.StringVar(&c.now, "now", "", "check: date (YYYY-MM-DD) for Python end of life")
	fs.Func("skip", "check: ids of checks not to run (comma-separated, repeatable)", func(s string) error {
		for _, id := range strings.Split(s, ",") {
			if id = strings.TrimSpace(id); id != "" {
				c.skip = append(c.skip, id)
			}
		}
		return nil
	})
	fs.Func("severity", "check: ID=SEVERITY, the severity of one check (repeatable)", func(s string) error {
		c.severity = append(c.severity, s)
		return nil
	})

	files, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	if *showVersion {
		return nil, errVersion
	}
	c.format, c.failOn, c.color, c.progress, c.input = *format, *failOn, *color, *progress, *input
	c.files = files
	switch {
	case c.context < 0:
		return nil, errors.New("--context must not be negative")
	case c.maxIssues < 1:
		return nil, errors.New("--max-issues must be at least 1")
	case c.workers < 0:
		return nil, errors.New("--workers must not be negative")
	}
	if err := c.cat.check(); err != nil {
		return nil, err
	}
	return c, nil
}

var errVersion = errors.New("version requested")

// parseInterspersed parses flags that may come before, between or after the
// positional arguments, as users of "triage build.log --format json" expect.
// "--" ends the flags; "-" is a positional argument (standard input).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// usageError prints a one-line usage problem and returns exit status 2.
func usageError(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "triage: %v (see triage -h)\n", err)
	return exitFailure
}
