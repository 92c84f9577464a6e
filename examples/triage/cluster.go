package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/buildlog/buildlog/classify"
)

const clusterUsage = `usage: triage cluster [flags] DIR|FILE ...

Reads many build logs (folders are searched for *.log and *.log.gz), takes
the unexplained lines of each failed build no rule explains (its likely
error lines, best first, without the build's own failure markers such as
"ERROR: failed to solve"), and groups them: lines with the same fingerprint
first, then similar fingerprints by template mining (a Drain-style tree).
Groups are ranked by how many builds they cover; each comes with example
builds, its template and a draft catalog rule.

  --format F          text or json (default text)
  --top N             unexplained lines taken from each build (default 1)
  --min-builds N      least builds a group needs to be shown (default 2)
  --max-clusters N    show at most N groups (default 0: all)
  --examples N        example builds shown per group (default 3)
  --drafts FILE       write the draft rules of the groups shown as one catalog
                      (check it with triage lint FILE)
  --depth N           tree depth: root, token count, then N-2 first tokens (default 4)
  --similarity S      least share of equal tokens to join a group, 0 to 1 (default 0.5)
  --max-children N    children of a tree node, beyond which tokens go to <*> (default 100)
  --catalog PATH      catalog file or folder merged over the default (repeatable)
  --no-default        do not load the default catalog
  --workers N         logs read at once (default: the number of cores)
  --progress P        auto or never (default auto: stderr is a terminal and CI is unset)

exit status: 0 done, 2 usage, catalog or read error
`

type clusterConfig struct {
	format      string
	top         int
	minBuilds   int
	maxClusters int
	examples    int
	drafts      string
	depth       int
	sim         float64
	maxChildren int
	cat         catalogFlags
	workers     int
	progress    string
	paths       []string
}

func parseClusterConfig(args []string) (*clusterConfig, error) {
	c := &clusterConfig{}
	fs := flag.NewFlagSet("triage cluster", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	format := newEnum(fs, "format", "text", "output format", "text", "json")
	progress := newEnum(fs, "progress", "auto", "progress", "auto", "never")
	fs.IntVar(&c.top, "top", 1, "lines per build")
	fs.IntVar(&c.minBuilds, "min-builds", 2, "least builds per group")
	fs.IntVar(&c.maxClusters, "max-clusters", 0, "most groups shown")
	fs.IntVar(&c.examples, "examples", 3, "example builds per group")
	fs.StringVar(&c.drafts, "drafts", "", "file for the draft rules")
	fs.IntVar(&c.depth, "depth", drainDepth, "tree depth")
	fs.Float64Var(&c.sim, "similarity", drainSimilarity, "similarity threshold")
	fs.IntVar(&c.maxChildren, "max-children", drainMaxChildren, "children per node")
	c.cat.register(fs)
	fs.IntVar(&c.workers, "workers", 0, "logs read at once")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	c.format, c.progress, c.paths = *format, *progress, paths
	switch {
	case len(c.paths) == 0:
		return nil, errors.New("cluster needs at least one log folder or file")
	case c.top < 1 || c.top > classify.MaxUnexplained:
		return nil, fmt.Errorf("--top must be from 1 to %d", classify.MaxUnexplained)
	case c.minBuilds < 1:
		return nil, errors.New("--min-builds must be at least 1")
	case c.maxClusters < 0 || c.examples < 0 || c.workers < 0:
		return nil, errors.New("--max-clusters, --examples and --workers must not be negative")
	case c.depth < 3:
		return nil, errors.New("--depth must be at least 3")
	case !(c.sim >= 0 && c.sim <= 1):
		return nil, errors.New("--similarity must be from 0 to 1")
	case c.maxChildren < 2:
		return nil, errors.New("--max-children must be at least 2")
	}
	if err := c.cat.check(); err != nil {
		return nil, err
	}
	return c, nil
}

// clusterExample is one unexplained line of one build.
type clusterExample struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Step string `json:"step,omitempty"`
	Text string `json:"text"`
	key  int64  // file index and line, for a choice that does not depend on timing
}

// maxKeptExamples bounds the lines kept per fingerprint and per group.
const maxKeptExamples = 5

// fpEntry gathers the builds whose unexplained lines have one fingerprint.
type fpEntry struct {
	fingerprint string
	tokens      []string
	builds      []int64 // file index << 20 | build index
	examples    []clusterExample
}

// keep adds an example, keeping the first ones in file and line order.
func (e *fpEntry) keep(ex clusterExample) {
	i := sort.Search(len(e.examples), func(i int) bool { return e.examples[i].key >= ex.key })
	if i >= maxKeptExamples {
		return
	}
	e.examples = append(e.examples, clusterExample{})
	copy(e.examples[i+1:], e.examples[i:])
	e.examples[i] = ex
	if len(e.examples) > maxKeptExamples {
		e.examples = e.examples[:maxKeptExamples]
	}
}

// clusterOut is one group of the output.
type clusterOut struct {
	Rank         int              `json:"rank"`
	Builds       int              `json:"builds"`
	Share        float64          `json:"share"` // of the unexplained builds
	Fingerprints int              `json:"fingerprints"`
	Template     string           `json:"template"`
	Files        []string         `json:"files"` // example builds
	Examples     []clusterExample `json:"examples"`
	ID           string           `json:"id"`
	Pattern      string           `json:"pattern"`
	Verified     bool             `json:"verified"` // the pattern matches every example
	Draft        string           `json:"draft"`    // the rule as catalog YAML
	DraftNote    string           `json:"draft_note,omitempty"`
	tokens       []string
	members      []int   // fpEntry indices
	keys         []int64 // its builds: file index << 20 | build index
}

type clusterReport struct {
	Logs         int          `json:"logs"`
	FailedBuilds int          `json:"failed_builds"`
	Unexplained  int          `json:"unexplained_builds"`
	Lines        int          `json:"lines"`            // unexplained lines taken
	Clustered    int          `json:"clustered_builds"` // builds in at least one group shown
	Coverage     float64      `json:"coverage"`         // clustered / unexplained
	Groups       int          `json:"groups"`           // before --min-builds and --max-clusters
	Parameters   clusterParam `json:"parameters"`
	Clusters     []clusterOut `json:"clusters"`
}

type clusterParam struct {
	Top         int     `json:"top"`
	Depth       int     `json:"depth"`
	Similarity  float64 `json:"similarity"`
	MaxChildren int     `json:"max_children"`
	MinBuilds   int     `json:"min_builds"`
}

// clusterLogs reads the files and groups their unexplained lines.
func clusterLogs(m *classify.Matcher, cfg *clusterConfig, files []string, prog *batchProgress) (*clusterReport, []error) {
	var mu sync.Mutex
	byFP := map[string]*fpEntry{}
	rep := &clusterReport{Logs: len(files), Clusters: []clusterOut{},
		Parameters: clusterParam{Top: cfg.top, Depth: cfg.depth, Similarity: cfg.sim, MaxChildren: cfg.maxChildren, MinBuilds: cfg.minBuilds}}
	errs := make([]error, len(files))
	cat := m.Catalog()
	scanLogs(m, files, cfg.workers, prog, func(fi int, r *classify.Report, err error) {
		errs[fi] = err
		if r == nil {
			return
		}
		// The lines of each failed build no rule explains, without the
		// build's own failure markers: they say that it failed, not why.
		type taken struct {
			key   int64
			lines []classify.Suspect
		}
		var builds []taken
		failed := 0
		for bi, bd := range r.Builds {
			if bd.Outcome != classify.OutcomeFailed {
				continue
			}
			failed++
			if len(bd.Unexplained) == 0 {
				continue
			}
			tk := taken{key: int64(fi)<<20 | int64(min(bi, 1<<20-1))}
			for _, su := range bd.Unexplained {
				// (a marker's line scores at most 1.5: the others need no look)
				if len(tk.lines) < cfg.top && (su.Score > 1.5 || !isMarker(m, cat, su.Text)) {
					tk.lines = append(tk.lines, su)
				}
			}
			builds = append(builds, tk)
		}
		mu.Lock()
		defer mu.Unlock()
		rep.FailedBuilds += failed
		for _, tk := range builds {
			rep.Unexplained++
			for _, su := range tk.lines {
				rep.Lines++
				e := byFP[su.Fingerprint]
				if e == nil {
					e = &fpEntry{fingerprint: su.Fingerprint, tokens: asciiFields(su.Fingerprint)}
					byFP[su.Fingerprint] = e
				}
				if n := len(e.builds); n == 0 || e.builds[n-1] != tk.key {
					e.builds = append(e.builds, tk.key)
				}
				e.keep(clusterExample{File: files[fi], Line: su.Line, Step: su.Step, Text: su.Text, key: int64(fi)<<32 | int64(su.Line)})
			}
		}
	})
	entries := make([]*fpEntry, 0, len(byFP))
	for _, e := range byFP {
		entries = append(entries, e)
	}
	sort.Slice(entries, func(i, j int) bool {
		if len(entries[i].builds) != len(entries[j].builds) {
			return len(entries[i].builds) > len(entries[j].builds)
		}
		return entries[i].fingerprint < entries[j].fingerprint
	})
	d := newDrain(cfg.depth, cfg.sim, cfg.maxChildren)
	for i, e := range entries {
		d.add(e.tokens, i)
	}
	rep.Groups = len(d.groups)
	var out []clusterOut
	for _, g := range d.groups {
		builds := map[int64]bool{}
		var keys []int64
		for _, k := range g.members {
			for _, b := range entries[k].builds {
				if !builds[b] {
					builds[b] = true
					keys = append(keys, b)
				}
			}
		}
		out = append(out, clusterOut{Builds: len(builds), Fingerprints: len(g.members), tokens: g.template, members: g.members,
			Template: strings.Join(g.template, " "), keys: keys})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Builds != out[j].Builds {
			return out[i].Builds > out[j].Builds
		}
		return out[i].Template < out[j].Template
	})
	clustered := map[int64]bool{} // a build with several lines may be in several groups
	for i := range out {
		c := &out[i]
		if c.Builds < cfg.minBuilds || cfg.maxClusters > 0 && len(rep.Clusters) >= cfg.maxClusters {
			continue
		}
		c.Rank = len(rep.Clusters) + 1
		for _, k := range c.keys {
			clustered[k] = true
		}
		finishCluster(c, entries, cfg, rep.Unexplained)
		rep.Clusters = append(rep.Clusters, *c)
	}
	rep.Clustered = len(clustered)
	if rep.Unexplained > 0 {
		rep.Coverage = float64(rep.Clustered) / float64(rep.Unexplained)
	}
	var list []error
	for _, err := range errs {
		if err != nil {
			list = append(list, err)
		}
	}
	return rep, list
}

// isMarker reports whether an outcome marker of the catalog fires on line.
func isMarker(m *classify.Matcher, cat *classify.Catalog, line string) bool {
	for _, t := range m.Explain(line).Traces {
		if t.Fired() {
			if r := cat.Rule(t.Rule); r != nil && r.Outcome != "" {
				return true
			}
		}
	}
	return false
}

// finishCluster chooses a cluster's examples and drafts its rule.
func finishCluster(c *clusterOut, entries []*fpEntry, cfg *clusterConfig, unexplained int) {
	if unexplained > 0 {
		c.Share = float64(c.Builds) / float64(unexplained)
	}
	// Examples: one from each fingerprint in turn, different texts.
	seen := map[string]bool{}
	for round := 0; round < maxKeptExamples && len(c.Examples) < maxKeptExamples; round++ {
		for _, k := range c.members {
			if ex := entries[k].examples; round < len(ex) && !seen[ex[round].Text] && len(c.Examples) < maxKeptExamples {
				seen[ex[round].Text] = true
				c.Examples = append(c.Examples, ex[round])
			}
		}
	}
	var all []clusterExample
	for _, k := range c.members {
		all = append(all, entries[k].examples...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].key < all[j].key })
	files := map[string]bool{}
	for _, ex := range all {
		if len(c.Files) >= cfg.examples {
			break
		}
		if !files[ex.File] {
			files[ex.File] = true
			c.Files = append(c.Files, ex.File)
		}
	}
	if c.Files == nil {
		c.Files = []string{}
	}
	spacey := make([]bool, len(c.tokens))
	for i, t := range c.tokens {
		if t != drainWildcard {
			continue
		}
		for _, k := range c.members {
			if tok := entries[k].tokens[i]; strings.Contains(tok, classify.MaskQuoted) || strings.Contains(tok, classify.MaskTime) {
				spacey[i] = true
			}
		}
	}
	c.ID = draftID(c.Rank, c.tokens)
	c.Pattern = draftPattern(c.tokens, spacey)
	c.Verified = verifyDraft(c)
	c.Draft = draftRule(c)
}

func runCluster(args []string, stdout, stderr io.Writer, env func(string) string) int {
	cfg, err := parseClusterConfig(args)
	switch {
	case errors.Is(err, errHelp):
		fmt.Fprint(stdout, clusterUsage)
		return exitOK
	case err != nil:
		return usageError(stderr, err)
	}
	m, err := compileCatalog(cfg.cat, classify.WithWorkers(1))
	if err != nil {
		printCatalogError(stderr, err)
		return exitFailure
	}
	files, err := expandLogs(cfg.paths)
	if err != nil {
		fmt.Fprintf(stderr, "triage: %s\n", oneLine(err.Error()))
		return exitFailure
	}
	prog := startBatchProgress(progressEnabled(cfg.progress, stderr, env), stderr, "cluster", len(files))
	rep, errs := clusterLogs(m, cfg, files, prog)
	prog.finish()
	status := exitOK
	for _, err := range errs {
		fmt.Fprintf(stderr, "triage: %s\n", oneLine(err.Error()))
		status = exitFailure
	}
	if cfg.drafts != "" {
		if err := os.WriteFile(cfg.drafts, []byte(draftCatalog(rep.Clusters)), 0o644); err != nil {
			fmt.Fprintf(stderr, "triage: %s\n", oneLine(err.Error()))
			return exitFailure
		}
	}
	out := bufio.NewWriter(stdout)
	if cfg.format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		writeClusterText(out, rep)
	}
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		fmt.Fprintf(stderr, "triage: writing output: %v\n", err)
		return exitFailure
	}
	return status
}

func writeClusterText(w io.Writer, r *clusterReport) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	verb := "cover"
	if len(r.Clusters) == 1 {
		verb = "covers"
	}
	p("%s, %s, %d with no rule to explain them; %s of %d or more builds %s %d of them (%s)\n",
		plural(r.Logs, "log"), plural(r.FailedBuilds, "failed build"), r.Unexplained,
		plural(len(r.Clusters), "group"), r.Parameters.MinBuilds, verb, r.Clustered, pct(r.Coverage))
	p("(%s per build; drain depth %d, similarity %g, max children %d)\n",
		plural(r.Parameters.Top, "line"), r.Parameters.Depth, r.Parameters.Similarity, r.Parameters.MaxChildren)
	for _, c := range r.Clusters {
		p("\n%d. %s (%s), %s\n", c.Rank, plural(c.Builds, "build"), pct(c.Share), plural(c.Fingerprints, "fingerprint"))
		p("   template  %s\n", sanitize(c.Template))
		p("   builds    %s\n", sanitize(strings.Join(c.Files, ", ")))
		for i, ex := range c.Examples {
			label := "         "
			if i == 0 {
				label = "lines    "
			}
			p("   %s %s:%d: %s\n", label, sanitize(ex.File), ex.Line, sanitize(ex.Text))
		}
		p("   draft\n")
		for _, line := range strings.Split(strings.TrimRight(c.Draft, "\n"), "\n") {
			p("   %s\n", sanitize(line))
		}
	}
	if len(r.Clusters) > 0 {
		p("\nwrite the drafts as one catalog with --drafts FILE, then check it with triage lint FILE\n")
	}
}

// asciiFields splits a fingerprint at ASCII blanks, the ones a draft's \s+
// matches (patterns are RE2-mode, where \s is ASCII): other spaces, such
// as the thin spaces pnpm prints around its error codes, stay inside their
// token and are quoted into the draft as they are.
func asciiFields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
	})
}
