package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/buildlog/buildlog/classify"
)

const evalUsage = `usage: triage eval --labels FILE [flags] [DIR|FILE ...]

Classifies labelled build logs and scores the catalog against the labels.
FILE holds one log per line: PATH<TAB>ID,ID,... (the root cause first) or
PATH<TAB>none for a build that is clean; PATH is relative to FILE; blank
lines and lines starting with # are skipped. Every labelled log under the
DIRs (files named *.log or *.log.gz, searched recursively) or given as a
FILE is classified; logs without a label are counted and skipped. With no
DIR or FILE, every labelled log is.

  --labels FILE          the labels (required)
  --format F             text or json (default text)
  --catalog PATH         catalog file or folder merged over the default (repeatable)
  --no-default           do not load the default catalog
  --workers N            logs classified at once (default: the number of cores)
  --min-recall R         exit 1 when the recall over all rules is below R (0 to 1)
  --min-primary R        exit 1 when the share of right primary issues is below R (0 to 1)
  --max-false-alarms N   exit 1 when more than N clean builds show an error
  --progress P           auto or never (default auto: stderr is a terminal and CI is unset)
  -v                     text: also list every log the labels disagree with

The primary accuracy is the share of logs whose primary issue is the first
id of their label (no primary for none); the recall --min-recall checks is
over all rules (true positives over true positives and misses).

A reported issue is one that is not suppressed and not recovered. Per rule,
a true positive is a log whose labels and report both have the rule, a false
positive one whose report has it and labels do not, a miss one whose labels
have it and report does not. In a log labelled none only errors are scored
(warnings and notes are neither right nor wrong there), and any error, or a
primary issue, is a false alarm.

exit status: 0 every threshold met, 1 one was not, 2 usage, catalog, label or read error
`

// evalConfig is the parsed command line of triage eval.
type evalConfig struct {
	labels    string
	format    string
	cat       catalogFlags
	workers   int
	minRecall float64
	minPrim   float64
	maxFalse  int
	progress  string
	verbose   bool
	paths     []string
}

func parseEvalConfig(args []string) (*evalConfig, error) {
	c := &evalConfig{}
	fs := flag.NewFlagSet("triage eval", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&c.labels, "labels", "", "labels file")
	format := newEnum(fs, "format", "text", "output format", "text", "json")
	progress := newEnum(fs, "progress", "auto", "progress", "auto", "never")
	c.cat.register(fs)
	fs.IntVar(&c.workers, "workers", 0, "logs classified at once")
	fs.Float64Var(&c.minRecall, "min-recall", 0, "least recall")
	fs.Float64Var(&c.minPrim, "min-primary", 0, "least primary accuracy")
	fs.IntVar(&c.maxFalse, "max-false-alarms", -1, "most false alarms")
	fs.BoolVar(&c.verbose, "v", false, "verbose")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	c.format, c.progress, c.paths = *format, *progress, paths
	switch {
	case c.labels == "":
		return nil, errors.New("eval needs --labels FILE")
	case c.workers < 0:
		return nil, errors.New("--workers must not be negative")
	case c.minRecall < 0 || c.minRecall > 1 || math.IsNaN(c.minRecall):
		return nil, errors.New("--min-recall must be from 0 to 1")
	case c.minPrim < 0 || c.minPrim > 1 || math.IsNaN(c.minPrim):
		return nil, errors.New("--min-primary must be from 0 to 1")
	}
	if err := c.cat.check(); err != nil {
		return nil, err
	}
	return c, nil
}

// label is one line of a labels file.
type label struct {
	file string   // as written, relative to the labels file
	path string   // absolute, cleaned
	ids  []string // the root cause first; nil for none
	line int
}

// readLabels parses a labels file.
func readLabels(name string) ([]label, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dir, err := filepath.Abs(filepath.Dir(name))
	if err != nil {
		return nil, err
	}
	var out []label
	seen := map[string]int{}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(strings.TrimSpace(text), "#") {
			continue
		}
		file, ids, ok := strings.Cut(text, "\t")
		file = strings.TrimSpace(file)
		if !ok || file == "" {
			return nil, fmt.Errorf("%s:%d: want PATH<TAB>ID,ID,... or PATH<TAB>none", name, n)
		}
		l := label{file: file, line: n}
		l.path = filepath.Clean(filepath.Join(dir, filepath.FromSlash(file)))
		if filepath.IsAbs(file) {
			l.path = filepath.Clean(file)
		}
		ids = strings.TrimSpace(ids)
		if ids != "none" {
			for _, id := range strings.Split(ids, ",") {
				id = strings.TrimSpace(id)
				if id == "" || id == "none" {
					return nil, fmt.Errorf("%s:%d: empty id or none among ids in %q", name, n, ids)
				}
				if slicesContains(l.ids, id) {
					return nil, fmt.Errorf("%s:%d: id %s twice", name, n, id)
				}
				l.ids = append(l.ids, id)
			}
		}
		if first, dup := seen[l.path]; dup {
			return nil, fmt.Errorf("%s:%d: %s is labelled on line %d already", name, n, file, first)
		}
		seen[l.path] = n
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isLogName says whether a file found in a folder is a log to read.
func isLogName(name string) bool {
	return strings.HasSuffix(name, ".log") || strings.HasSuffix(name, ".log.gz")
}

// expandLogs lists the logs named by paths: files as given, folders
// searched recursively for *.log and *.log.gz, in lexical order.
func expandLogs(paths []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			add(p)
			continue
		}
		err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() && isLogName(d.Name()) {
				add(q)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scanLogs classifies files on up to workers goroutines, each log streamed
// through the matcher as triage reads any log, and hands each report to
// reduce (from the worker's goroutine) as soon as it is done, so that no
// more than workers reports are alive at once. reduce must keep only what
// it needs.
func scanLogs(m *classify.Matcher, files []string, workers int, prog *batchProgress, reduce func(i int, rep *classify.Report, err error)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, len(files)))
	cfg := &config{input: "auto"}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				rep, err := classifyFile(m, cfg, files[i])
				reduce(i, rep, err)
				prog.done()
			}
		}()
	}
	wg.Wait()
}

// classifyFile opens and classifies one log.
func classifyFile(m *classify.Matcher, cfg *config, name string) (*classify.Report, error) {
	src, err := openSource(name, nil)
	if err != nil {
		return nil, err
	}
	defer src.close()
	rep, err := classifySource(m, cfg, src.r, nil, nil)
	if err != nil {
		err = fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "classify: "))
	}
	return rep, err
}

// batchProgress draws "triage eval: 120/1000 logs" on standard error while
// many logs are read, as progress does for one; nil when not enabled.
type batchProgress struct {
	w     io.Writer
	what  string
	total int
	n     atomic.Int64
	stop  chan struct{}
	done_ chan struct{}
}

func startBatchProgress(enabled bool, w io.Writer, what string, total int) *batchProgress {
	if !enabled {
		return nil
	}
	p := &batchProgress{w: w, what: what, total: total, stop: make(chan struct{}), done_: make(chan struct{})}
	go func() {
		defer close(p.done_)
		drawn := false
		select {
		case <-time.After(progressDelay):
		case <-p.stop:
			return
		}
		t := time.NewTicker(progressInterval)
		defer t.Stop()
		for {
			fmt.Fprintf(p.w, "\r\x1b[Ktriage %s: %d/%d logs", p.what, p.n.Load(), p.total)
			drawn = true
			select {
			case <-t.C:
			case <-p.stop:
				if drawn {
					fmt.Fprint(p.w, "\r\x1b[K")
				}
				return
			}
		}
	}()
	return p
}

func (p *batchProgress) done() {
	if p != nil {
		p.n.Add(1)
	}
}

func (p *batchProgress) finish() {
	if p != nil {
		close(p.stop)
		<-p.done_
	}
}

// evalLog is what eval keeps of one classified log.
type evalLog struct {
	label
	display     string
	primary     string   // "" for none
	fallback    bool     // the primary is a fallback rule
	reported    []string // unsuppressed, unrecovered ids, in order of first line
	errors      []string // the error-severity ones
	fired       []string // every id of the report, suppressed ones too
	outcome     classify.Outcome
	unexplained int
	err         error
}

// reduceReport keeps what eval needs of a report.
func reduceReport(rep *classify.Report, cat *classify.Catalog) (l evalLog) {
	if rep == nil {
		return l
	}
	l.outcome = rep.Outcome
	l.unexplained = len(rep.Unexplained)
	if rep.Primary != nil {
		l.primary = rep.Primary.ID
		if r := cat.Rule(l.primary); r != nil && r.Fallback {
			l.fallback = true
		}
	}
	for _, is := range rep.Issues {
		if !slicesContains(l.fired, is.ID) {
			l.fired = append(l.fired, is.ID)
		}
		if is.SuppressedBy != "" || is.Recovered || slicesContains(l.reported, is.ID) {
			continue
		}
		l.reported = append(l.reported, is.ID)
		if is.Severity == classify.SeverityError && !slicesContains(l.errors, is.ID) {
			l.errors = append(l.errors, is.ID)
		}
	}
	return l
}

// scored returns the ids of the report that are scored against the labels:
// all reported ids, or only the errors in a log labelled none.
func (l *evalLog) scored() []string {
	if l.ids == nil {
		return l.errors
	}
	return l.reported
}

func (l *evalLog) expectedPrimary() string {
	if len(l.ids) == 0 {
		return "none"
	}
	return l.ids[0]
}

func (l *evalLog) reportedPrimary() string {
	if l.primary == "" {
		return "none"
	}
	return l.primary
}

func (l *evalLog) falseAlarm() bool {
	return l.ids == nil && (len(l.errors) > 0 || l.primary != "")
}

// Results of triage eval, as --format json writes them.
type evalReport struct {
	Labels          string          `json:"labels"`
	Logs            int             `json:"logs"`
	Clean           int             `json:"clean"` // logs labelled none
	Unlabelled      int             `json:"unlabelled"`
	Primary         evalRatio       `json:"primary"`
	FalseAlarms     []evalAlarm     `json:"false_alarms"`
	TruePositives   int             `json:"true_positives"`
	FalsePositives  int             `json:"false_positives"`
	Misses          int             `json:"misses"`
	Precision       *float64        `json:"precision"`
	Recall          *float64        `json:"recall"`
	Rules           []evalRule      `json:"rules"`
	Confusion       []evalConfusion `json:"confusion"`
	NeverFired      []string        `json:"never_fired"`
	LeftUnexplained []string        `json:"left_unexplained"` // failed, no specific primary, no unexplained lines
	OnlyUnexplained []string        `json:"only_unexplained"` // failed, no specific primary, unexplained lines
	Disagreements   []evalLogDiff   `json:"disagreements"`
	Failed          []string        `json:"failed_thresholds"`
}

type evalRatio struct {
	Right    int     `json:"right"`
	Of       int     `json:"of"`
	Accuracy float64 `json:"accuracy"`
}

type evalAlarm struct {
	File    string   `json:"file"`
	Primary string   `json:"primary"`
	Errors  []string `json:"errors"`
}

type evalRule struct {
	ID             string   `json:"id"`
	TruePositives  int      `json:"true_positives"`
	FalsePositives int      `json:"false_positives"`
	Misses         int      `json:"misses"`
	Precision      *float64 `json:"precision"`
	Recall         *float64 `json:"recall"`
	FalseFiles     []string `json:"false_positive_files,omitempty"`
	MissedFiles    []string `json:"missed_files,omitempty"`
}

type evalConfusion struct {
	Expected string   `json:"expected"`
	Reported string   `json:"reported"`
	Count    int      `json:"count"`
	Files    []string `json:"files"`
}

type evalLogDiff struct {
	File     string   `json:"file"`
	Expected []string `json:"expected"`
	Reported []string `json:"reported"`
	Primary  string   `json:"primary"`
}

func ratio(a, b int) *float64 {
	if b == 0 {
		return nil
	}
	f := float64(a) / float64(b)
	return &f
}

// score computes the results from the classified logs.
func score(labels string, logs []evalLog, unlabelled int, cat *classify.Catalog) *evalReport {
	r := &evalReport{Labels: labels, Logs: len(logs), Unlabelled: unlabelled,
		FalseAlarms: []evalAlarm{}, Rules: []evalRule{}, Confusion: []evalConfusion{}, NeverFired: []string{},
		LeftUnexplained: []string{}, OnlyUnexplained: []string{}, Disagreements: []evalLogDiff{}, Failed: []string{}}
	rules := map[string]*evalRule{}
	rule := func(id string) *evalRule {
		if rules[id] == nil {
			rules[id] = &evalRule{ID: id}
		}
		return rules[id]
	}
	fired := map[string]bool{}
	conf := map[[2]string]*evalConfusion{}
	for i := range logs {
		l := &logs[i]
		if l.ids == nil {
			r.Clean++
		}
		for _, id := range l.fired {
			fired[id] = true
		}
		got := l.scored()
		for _, id := range l.ids {
			if slicesContains(got, id) {
				rule(id).TruePositives++
			} else {
				e := rule(id)
				e.Misses++
				e.MissedFiles = append(e.MissedFiles, l.display)
			}
		}
		for _, id := range got {
			if !slicesContains(l.ids, id) {
				e := rule(id)
				e.FalsePositives++
				e.FalseFiles = append(e.FalseFiles, l.display)
			}
		}
		want, have := l.expectedPrimary(), l.reportedPrimary()
		if want == have {
			r.Primary.Right++
		} else {
			k := [2]string{want, have}
			if conf[k] == nil {
				conf[k] = &evalConfusion{Expected: want, Reported: have}
			}
			conf[k].Count++
			conf[k].Files = append(conf[k].Files, l.display)
		}
		if want != have || !sameSet(l.ids, got) {
			r.Disagreements = append(r.Disagreements, evalLogDiff{File: l.display, Expected: orNone(l.ids), Reported: orNone(got), Primary: have})
		}
		if l.falseAlarm() {
			r.FalseAlarms = append(r.FalseAlarms, evalAlarm{File: l.display, Primary: have, Errors: orNone(l.errors)})
		}
		if l.outcome == classify.OutcomeFailed && (l.primary == "" || l.fallback) {
			if l.unexplained == 0 {
				r.LeftUnexplained = append(r.LeftUnexplained, l.display)
			} else {
				r.OnlyUnexplained = append(r.OnlyUnexplained, l.display)
			}
		}
	}
	r.Primary.Of = len(logs)
	if len(logs) > 0 {
		r.Primary.Accuracy = float64(r.Primary.Right) / float64(len(logs))
	}
	for _, id := range sortedKeys(rules) {
		e := rules[id]
		e.Precision = ratio(e.TruePositives, e.TruePositives+e.FalsePositives)
		e.Recall = ratio(e.TruePositives, e.TruePositives+e.Misses)
		r.TruePositives += e.TruePositives
		r.FalsePositives += e.FalsePositives
		r.Misses += e.Misses
		r.Rules = append(r.Rules, *e)
	}
	r.Precision = ratio(r.TruePositives, r.TruePositives+r.FalsePositives)
	r.Recall = ratio(r.TruePositives, r.TruePositives+r.Misses)
	for _, c := range conf {
		r.Confusion = append(r.Confusion, *c)
	}
	sort.Slice(r.Confusion, func(i, j int) bool {
		a, b := r.Confusion[i], r.Confusion[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Expected != b.Expected {
			return a.Expected < b.Expected
		}
		return a.Reported < b.Reported
	})
	for _, ru := range cat.Rules {
		if !ru.NoIssue && !fired[ru.ID] {
			r.NeverFired = append(r.NeverFired, ru.ID)
		}
	}
	sort.Strings(r.NeverFired)
	return r
}

func orNone(ids []string) []string {
	if len(ids) == 0 {
		return []string{}
	}
	return ids
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slicesContains(b, x) {
			return false
		}
	}
	return true
}

// thresholds fills r.Failed with the thresholds the results do not meet.
func (r *evalReport) thresholds(c *evalConfig) {
	if c.minRecall > 0 {
		rec := 0.0
		if r.Recall != nil {
			rec = *r.Recall
		}
		if rec < c.minRecall {
			r.Failed = append(r.Failed, fmt.Sprintf("recall %s is below --min-recall %g", pct(rec), c.minRecall))
		}
	}
	if c.minPrim > 0 && r.Primary.Accuracy < c.minPrim {
		r.Failed = append(r.Failed, fmt.Sprintf("primary accuracy %s is below --min-primary %g", pct(r.Primary.Accuracy), c.minPrim))
	}
	if c.maxFalse >= 0 && len(r.FalseAlarms) > c.maxFalse {
		r.Failed = append(r.Failed, fmt.Sprintf("%s, more than --max-false-alarms %d", plural(len(r.FalseAlarms), "false alarm"), c.maxFalse))
	}
}

func pct(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }

func pctOf(p *float64) string {
	if p == nil {
		return "-"
	}
	return pct(*p)
}

func runEval(args []string, stdout, stderr io.Writer, env func(string) string) int {
	cfg, err := parseEvalConfig(args)
	switch {
	case errors.Is(err, errHelp):
		fmt.Fprint(stdout, evalUsage)
		return exitOK
	case err != nil:
		return usageError(stderr, err)
	}
	labels, err := readLabels(cfg.labels)
	if err != nil {
		fmt.Fprintf(stderr, "triage: %s\n", oneLine(err.Error()))
		return exitFailure
	}
	m, err := compileCatalog(cfg.cat, classify.WithWorkers(1))
	if err != nil {
		printCatalogError(stderr, err)
		return exitFailure
	}
	cat := m.Catalog()
	for _, l := range labels {
		for _, id := range l.ids {
			if cat.Rule(id) == nil {
				fmt.Fprintf(stderr, "triage: %s:%d: %s is not a rule of the catalog\n", cfg.labels, l.line, oneLine(id))
				return exitFailure
			}
		}
	}
	if len(cfg.paths) == 0 {
		for _, l := range labels {
			cfg.paths = append(cfg.paths, l.path)
		}
	}
	found, err := expandLogs(cfg.paths)
	if err != nil {
		fmt.Fprintf(stderr, "triage: %s\n", oneLine(err.Error()))
		return exitFailure
	}
	byPath := map[string]int{}
	for i, l := range labels {
		byPath[l.path] = i
	}
	var files []string
	var picked []int
	unlabelled := 0
	used := map[int]bool{}
	for _, f := range found {
		abs, err := filepath.Abs(f)
		if err != nil {
			fmt.Fprintf(stderr, "triage: %s\n", oneLine(err.Error()))
			return exitFailure
		}
		i, ok := byPath[filepath.Clean(abs)]
		if !ok {
			unlabelled++
			continue
		}
		if used[i] {
			continue
		}
		used[i] = true
		files = append(files, f)
		picked = append(picked, i)
	}
	// A label for a log inside the folders given that is not there is a
	// stale label.
	for i, l := range labels {
		if used[i] {
			continue
		}
		for _, p := range cfg.paths {
			if abs, err := filepath.Abs(p); err == nil && within(l.path, abs) {
				fmt.Fprintf(stderr, "triage: %s:%d: %s: no such log\n", cfg.labels, l.line, oneLine(l.file))
				return exitFailure
			}
		}
	}
	if len(files) == 0 {
		fmt.Fprintf(stderr, "triage: eval: none of the logs given is labelled in %s\n", cfg.labels)
		return exitFailure
	}
	logs := make([]evalLog, len(files))
	prog := startBatchProgress(progressEnabled(cfg.progress, stderr, env), stderr, "eval", len(files))
	scanLogs(m, files, cfg.workers, prog, func(i int, rep *classify.Report, err error) {
		l := reduceReport(rep, cat)
		l.label = labels[picked[i]]
		l.display = filepath.ToSlash(labels[picked[i]].file)
		l.err = err
		logs[i] = l
	})
	prog.finish()
	status := exitOK
	for _, l := range logs {
		if l.err != nil {
			fmt.Fprintf(stderr, "triage: %s\n", oneLine(l.err.Error()))
			status = exitFailure
		}
	}
	sort.SliceStable(logs, func(i, j int) bool { return logs[i].display < logs[j].display })
	rep := score(cfg.labels, logs, unlabelled, cat)
	rep.thresholds(cfg)
	out := bufio.NewWriter(stdout)
	if cfg.format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		writeEvalText(out, rep, cfg.verbose)
	}
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		fmt.Fprintf(stderr, "triage: writing output: %v\n", err)
		return exitFailure
	}
	for _, f := range rep.Failed {
		fmt.Fprintf(stderr, "triage eval: %s\n", f)
	}
	if status == exitOK && len(rep.Failed) > 0 {
		status = exitFound
	}
	return status
}

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// listFiles writes at most n names, then how many more there are.
func listFiles(files []string, n int) string {
	if len(files) <= n {
		return strings.Join(files, ", ")
	}
	return strings.Join(files[:n], ", ") + fmt.Sprintf(" and %d more", len(files)-n)
}

func writeEvalText(w io.Writer, r *evalReport, verbose bool) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("%s: %s (%d labelled none)", r.Labels, plural(r.Logs, "log"), r.Clean)
	if r.Unlabelled > 0 {
		p(", %d without a label skipped", r.Unlabelled)
	}
	p("\n\n")
	p("primary issue  %d of %d right (%s)\n", r.Primary.Right, r.Primary.Of, pct(r.Primary.Accuracy))
	p("false alarms   %d of %d clean builds\n", len(r.FalseAlarms), r.Clean)
	misses := fmt.Sprintf("%d misses", r.Misses)
	if r.Misses == 1 {
		misses = "1 miss"
	}
	p("issues         %s, %s, %s: precision %s, recall %s\n",
		plural(r.TruePositives, "true positive"), plural(r.FalsePositives, "false positive"), misses, pctOf(r.Precision), pctOf(r.Recall))

	width := len("rule")
	for _, ru := range r.Rules {
		width = max(width, len(ru.ID))
	}
	p("\n%-*s  %4s %4s %6s  %9s  %7s\n", width, "rule", "tp", "fp", "missed", "precision", "recall")
	for _, ru := range r.Rules {
		p("%-*s  %4d %4d %6d  %9s  %7s\n", width, sanitize(ru.ID), ru.TruePositives, ru.FalsePositives, ru.Misses, pctOf(ru.Precision), pctOf(ru.Recall))
	}
	if len(r.Confusion) > 0 {
		p("\nwrong primary issue (labelled -> reported):\n")
		for _, c := range r.Confusion {
			p("  %3d  %s -> %s: %s\n", c.Count, sanitize(c.Expected), sanitize(c.Reported), sanitize(listFiles(c.Files, 3)))
		}
	}
	if len(r.FalseAlarms) > 0 {
		p("\nfalse alarms (labelled none):\n")
		for _, a := range r.FalseAlarms {
			p("  %s: %s\n", sanitize(a.File), sanitize(strings.Join(a.Errors, ", ")))
		}
	}
	if len(r.NeverFired) > 0 {
		p("\nrules that never fired (%d): %s\n", len(r.NeverFired), strings.Join(r.NeverFired, ", "))
	}
	if len(r.LeftUnexplained) > 0 {
		p("\nfailed builds left unexplained (%d): %s\n", len(r.LeftUnexplained), sanitize(listFiles(r.LeftUnexplained, 10)))
	}
	if len(r.OnlyUnexplained) > 0 {
		p("\nfailed builds explained only by unexplained lines (%d): %s\n", len(r.OnlyUnexplained), sanitize(listFiles(r.OnlyUnexplained, 10)))
	}
	if verbose && len(r.Disagreements) > 0 {
		p("\nlogs the labels disagree with:\n")
		for _, d := range r.Disagreements {
			p("  %s: labelled %s, reported %s (primary %s)\n", sanitize(d.File), idList(d.Expected), idList(d.Reported), sanitize(d.Primary))
		}
	}
}

func idList(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return sanitize(strings.Join(ids, ","))
}
