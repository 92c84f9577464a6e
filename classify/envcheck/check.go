package envcheck

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/patterns"
	"go.yaml.in/yaml/v3"
)

// Group is the group of every check.
const Group = "environment"

// Check describes one definition check.
type Check struct {
	ID          string
	Title       string
	Severity    classify.Severity
	Remediation string // "{{value}}" stands for the offending value
	Links       []string
	// Predicts is the id of the log rule whose failure this check
	// foresees; empty for checks of the definition's own validity.
	Predicts string
	Examples Examples
}

// Examples are definitions that must and must not trigger a check. Each
// is a set of files by name; the first name in sorted order is loaded
// unless a folder is meant (then "." is given as a key with any value).
type Examples struct {
	Match   []map[string]string `yaml:"match"`
	NoMatch []map[string]string `yaml:"no_match"`
}

// Finding is one problem of a definition.
type Finding struct {
	Pos
	ID          string            `json:"id"`
	Severity    classify.Severity `json:"severity"`
	Title       string            `json:"title"`
	Message     string            `json:"message"`
	Value       string            `json:"value,omitempty"`
	Remediation string            `json:"remediation"`
	Links       []string          `json:"links"`
	Predicts    string            `json:"predicts,omitempty"`
}

func (f Finding) String() string {
	return fmt.Sprintf("%s: %s %s: %s", f.Pos, f.Severity, f.ID, f.Message)
}

// The checks' texts and data live with the rest of the catalog, in
// patterns/environment.
func readEnvironment(name string) []byte {
	b, err := fs.ReadFile(patterns.EnvironmentFS(), "environment/"+name)
	if err != nil {
		panic("envcheck: " + err.Error())
	}
	return b
}

type checkDoc struct {
	ID          string   `yaml:"id"`
	Title       string   `yaml:"title"`
	Severity    string   `yaml:"severity"`
	Remediation string   `yaml:"remediation"`
	Links       []string `yaml:"links"`
	Predicts    string   `yaml:"predicts"`
	Examples    Examples `yaml:"examples"`
}

// Data is the catalog data the checks depend on.
type Data struct {
	AsOf             string            `yaml:"as_of"`
	ReservedPrefixes []string          `yaml:"reserved_prefixes"`
	NameMaxLength    int               `yaml:"name_max_length"`
	DockerfileMax    int               `yaml:"dockerfile_max_bytes"`
	DeprecatedImages []string          `yaml:"deprecated_images"`
	PythonEOL        map[string]string `yaml:"python_end_of_life"` // "3.10": "2026-10"
	NotRecommended   int               `yaml:"not_recommended_months"`
	PEP668Images     []string          `yaml:"pep668_images"`
}

var (
	loadOnce sync.Once
	checks   []Check
	checkIdx = map[string]int{}
	data     Data
)

// load reads the embedded checks and data, once, when they are first
// needed: a program that links the package but checks no definition (triage
// classifying a log) does not pay for it at start-up.
func load() { loadOnce.Do(loadCatalog) }

func loadCatalog() {
	var docs struct {
		Checks []checkDoc `yaml:"checks"`
	}
	if err := yaml.Unmarshal(readEnvironment("checks.yaml"), &docs); err != nil {
		panic("envcheck: patterns/environment/checks.yaml: " + err.Error())
	}
	for _, c := range docs.Checks {
		sev, err := classify.ParseSeverity(c.Severity)
		if err != nil {
			panic("envcheck: " + c.ID + ": " + err.Error())
		}
		checkIdx[c.ID] = len(checks)
		checks = append(checks, Check{ID: c.ID, Title: c.Title, Severity: sev, Remediation: strings.TrimSpace(c.Remediation), Links: c.Links, Predicts: c.Predicts, Examples: c.Examples})
	}
	if err := yaml.Unmarshal(readEnvironment("data.yaml"), &data); err != nil {
		panic("envcheck: patterns/environment/data.yaml: " + err.Error())
	}
}

// Checks lists every check, in catalog order.
func Checks() []Check { load(); return append([]Check(nil), checks...) }

// DefaultData returns the catalog data the checks use.
func DefaultData() Data { load(); return data }

func newFinding(id string, p Pos, value, msg string) Finding {
	load()
	c, ok := checkIdx[id]
	if !ok {
		panic("envcheck: no check " + id)
	}
	ch := checks[c]
	return Finding{Pos: p, ID: id, Severity: ch.Severity, Title: ch.Title, Message: msg, Value: value,
		Remediation: strings.ReplaceAll(ch.Remediation, "{{value}}", value), Links: ch.Links, Predicts: ch.Predicts}
}

// Options change how Check runs.
type Options struct {
	// Now is the date Python end-of-life is judged at; zero means today.
	Now time.Time
	// Disable lists check ids to skip.
	Disable []string
	// Severity overrides the severity of checks by id.
	Severity map[string]classify.Severity
	// Text replaces the title and remediation of checks by id and adds
	// links to them (a team's wiki page, say).
	Text map[string]Text
	// Data replaces the catalog data when its AsOf is set.
	Data *Data
}

// Check runs every check with default options.
func (d *Definition) Check() []Finding { return d.CheckWith(Options{}) }

// CheckWith runs every check. Findings are sorted by file, line, column, id.
func (d *Definition) CheckWith(o Options) []Finding {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	load()
	dt := data
	if o.Data != nil && o.Data.AsOf != "" {
		dt = *o.Data
	}
	r := &run{def: d, opt: o, data: dt}
	r.out = append(r.out, d.loadFindings...)
	for _, f := range d.Files {
		r.file(f)
	}
	off := map[string]bool{}
	for _, id := range o.Disable {
		off[id] = true
	}
	var out []Finding
	seen := map[string]bool{}
	for _, f := range r.out {
		if off[f.ID] {
			continue
		}
		if s, ok := o.Severity[f.ID]; ok {
			f.Severity = s
		}
		if t, ok := o.Text[f.ID]; ok {
			t.apply(&f.Title, &f.Remediation, &f.Links, f.Value)
		}
		k := f.Pos.String() + "\x00" + f.ID + "\x00" + f.Message
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.ID < b.ID
	})
	return out
}

// Issue turns a finding into a classify.Issue, with its position in Source.
func (f Finding) Issue() classify.Issue {
	fields := map[string]string{}
	if f.Value != "" {
		fields["value"] = f.Value
	}
	if f.Predicts != "" {
		fields["predicts"] = f.Predicts
	}
	src := classify.Source{File: f.File, Line: f.Line, Column: f.Column}
	return classify.Issue{ID: f.ID, Group: Group, Title: f.Title, Severity: f.Severity, Line: f.Line, EndLine: f.Line,
		Text: f.Message, Fields: fields, Remediation: f.Remediation, Links: f.Links, Retry: classify.RetryPermanent, Count: 1, LastLine: f.Line, Source: &src}
}
