package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/classify/envcheck"
)

// SARIF 2.1.0, only the parts triage fills. Field names and nesting follow
// the OASIS schema; required properties have no omitempty.

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	projectURL   = "https://github.com/buildlog/buildlog"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations,omitempty"`
	Results     []sarifResult     `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string           `json:"id"`
	Name                 string           `json:"name,omitempty"`
	ShortDescription     *sarifText       `json:"shortDescription,omitempty"`
	Help                 *sarifText       `json:"help,omitempty"`
	HelpURI              string           `json:"helpUri,omitempty"`
	DefaultConfiguration *sarifRuleConfig `json:"defaultConfiguration,omitempty"`
	Properties           *sarifRuleProps  `json:"properties,omitempty"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags     []string `json:"tags,omitempty"`
	Priority int      `json:"priority"`
	Retry    string   `json:"retry,omitempty"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	RelatedLocations    []sarifLocation    `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string  `json:"partialFingerprints,omitempty"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          *sarifResultProps  `json:"properties,omitempty"`
}

type sarifResultProps struct {
	Primary bool              `json:"primary"`
	Count   int               `json:"count"`
	Step    string            `json:"step,omitempty"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Outcome is how the build of the result's log ended; Build is the
	// index of the build the line belongs to, Recovered tells an error that
	// a succeeded build went past.
	Outcome   classify.Outcome `json:"outcome,omitempty"`
	Build     int              `json:"build"`
	Recovered bool             `json:"recovered,omitempty"`
	// Score and Fingerprint are set on the likely lines of an
	// unexplained failure.
	Score       float64 `json:"score,omitempty"`
	Fingerprint string  `json:"fingerprint,omitempty"`
}

// unexplainedRule is the SARIF rule of the likely error lines of a failed
// build that no catalog rule explains.
const unexplainedRule = "unexplained_failure"

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int        `json:"startLine"`
	StartColumn int        `json:"startColumn,omitempty"`
	EndLine     int        `json:"endLine,omitempty"`
	Snippet     *sarifText `json:"snippet,omitempty"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

// sarifRenderer collects results from every input into one run.
type sarifRenderer struct {
	w       *bufio.Writer
	cat     *classify.Catalog
	results []sarifResult
	inv     sarifInvocation
	index   map[string]int
}

func (s *sarifRenderer) ruleIndex() map[string]int {
	if s.index == nil {
		s.index = map[string]int{}
		for i, r := range s.cat.Rules {
			s.index[r.ID] = i
		}
	}
	return s.index
}

func (s *sarifRenderer) result(res *result) error {
	uri := sarifURI(res.source)
	if res.err != nil {
		s.inv.Notifications = append(s.inv.Notifications, sarifNotification{
			Level: "error", Message: sarifText{Text: res.err.Error()},
		})
	}
	if res.report == nil {
		return nil
	}
	for _, w := range res.report.Warnings {
		n := sarifNotification{Level: "warning", Message: sarifText{Text: w.String()}}
		if w.Line > 0 {
			n.Locations = []sarifLocation{{sarifPhysical{sarifArtifact{uri}, sarifRegion{StartLine: w.Line}}}}
		}
		s.inv.Notifications = append(s.inv.Notifications, n)
	}
	index := s.ruleIndex()
	for _, is := range res.report.Issues {
		msg := is.Title
		if is.Remediation != "" {
			msg += "\n\n" + is.Remediation
		}
		r := sarifResult{
			RuleID:    is.ID,
			RuleIndex: index[is.ID],
			Level:     sarifLevel(is.Severity),
			Message:   sarifText{Text: msg},
			Locations: []sarifLocation{{sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: uri},
				Region: sarifRegion{
					StartLine: max(is.Line, 1),
					EndLine:   max(is.EndLine, is.Line, 1),
					Snippet:   &sarifText{Text: is.Text},
				},
			}}},
			PartialFingerprints: map[string]string{"buildlogIssue/v1": fingerprint(is)},
			Properties:          &sarifResultProps{Primary: is.Primary, Count: is.Count, Step: is.Step, Fields: is.Fields, Outcome: res.report.Outcome, Build: is.Build, Recovered: is.Recovered},
		}
		if src := is.Source; src != nil {
			loc := sarifLocation{sarifPhysical{sarifArtifact{sarifURI(src.File)}, sarifRegion{StartLine: max(src.Line, 1), StartColumn: src.Column}}}
			if is.Group == envcheck.Group { // a definition finding: its own file is the location
				loc.PhysicalLocation.Region.Snippet = &sarifText{Text: is.Text}
				r.Locations = []sarifLocation{loc}
			} else {
				r.RelatedLocations = []sarifLocation{loc}
			}
		}
		switch {
		case is.SuppressedBy != "":
			r.Suppressions = []sarifSuppression{{Kind: "external", Justification: "hidden by the root cause " + is.SuppressedBy + " found in the same log"}}
		case is.Recovered:
			r.Suppressions = []sarifSuppression{{Kind: "external", Justification: "recovered: the build succeeded all the same"}}
		}
		s.results = append(s.results, r)
	}
	for i, su := range res.report.Unexplained {
		level := "note"
		if i == 0 {
			level = "error"
		}
		sum := sha256.Sum256([]byte(su.Fingerprint))
		s.results = append(s.results, sarifResult{
			RuleID:    unexplainedRule,
			RuleIndex: len(s.cat.Rules),
			Level:     level,
			Message:   sarifText{Text: "The build failed and no rule explains why; this is one of its most likely error lines."},
			Locations: []sarifLocation{{sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: uri},
				Region:           sarifRegion{StartLine: max(su.Line, 1), Snippet: &sarifText{Text: su.Text}},
			}}},
			PartialFingerprints: map[string]string{"buildlogUnexplained/v1": hex.EncodeToString(sum[:8])},
			Properties:          &sarifResultProps{Step: su.Step, Outcome: res.report.Outcome, Score: su.Score, Fingerprint: su.Fingerprint},
		})
	}
	return nil
}

func (s *sarifRenderer) finish() error {
	rules := make([]sarifRule, 0, len(s.cat.Rules))
	for _, r := range s.cat.Rules {
		sr := sarifRule{
			ID:                   r.ID,
			Name:                 ruleName(r.ID),
			ShortDescription:     &sarifText{Text: r.Title},
			DefaultConfiguration: &sarifRuleConfig{Level: sarifLevel(r.Severity)},
			Properties:           &sarifRuleProps{Tags: []string{r.Group}, Priority: r.Priority, Retry: string(r.Retry)},
		}
		help := templateText(r.Remediation)
		if help == "" {
			help = r.Title
		}
		sr.Help = &sarifText{Text: help}
		if len(r.Links) > 0 {
			sr.HelpURI = r.Links[0]
		}
		rules = append(rules, sr)
	}
	rules = append(rules, sarifRule{
		ID:                   unexplainedRule,
		Name:                 ruleName(unexplainedRule),
		ShortDescription:     &sarifText{Text: "A build failed and no rule explains why"},
		Help:                 &sarifText{Text: "No catalog rule knows this failure. The lines shown are the most likely error lines, found without rules; a rule written for them makes the next report specific (triage cluster drafts one)."},
		DefaultConfiguration: &sarifRuleConfig{Level: "error"},
		Properties:           &sarifRuleProps{Tags: []string{"outcome"}},
	})
	results := s.results
	if results == nil {
		results = []sarifResult{}
	}
	s.inv.ExecutionSuccessful = true
	for _, n := range s.inv.Notifications {
		if n.Level == "error" {
			s.inv.ExecutionSuccessful = false
		}
	}
	log := sarifLog{
		Schema:  sarifSchema,
		Version: sarifVersion,
		Runs: []sarifRun{{
			Tool:        sarifTool{Driver: sarifDriver{Name: "triage", Version: version(), InformationURI: projectURL, Rules: rules}},
			Invocations: []sarifInvocation{s.inv},
			Results:     results,
		}},
	}
	return newEncoder(s.w, true).Encode(log)
}

func sarifLevel(s classify.Severity) string {
	switch s {
	case classify.SeverityError:
		return "error"
	case classify.SeverityWarning:
		return "warning"
	}
	return "note"
}

// sarifURI turns a log path into a URI reference: a relative path stays
// relative (to the directory triage ran in), an absolute one becomes a
// file URI, and standard input is "stdin".
func sarifURI(source string) string {
	if source == stdinName {
		return "stdin"
	}
	p := filepath.ToSlash(source)
	if filepath.IsAbs(source) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // a Windows drive letter
		}
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: p}).String()
}

// ruleName turns a snake_case id into the PascalCase name SARIF viewers show.
func ruleName(id string) string {
	var b strings.Builder
	for _, w := range strings.Split(id, "_") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

var templateRef = regexp.MustCompile(`\{\{\s*([^}|]*?)\s*(?:\|([^}]*))?\}\}`)

// templateText shows a remediation template without its fields: {{name}}
// becomes <name>, {{name|text}} becomes text (and {{name|}} nothing, as a
// report would print it for an empty default).
func templateText(s string) string {
	return strings.TrimSpace(templateRef.ReplaceAllStringFunc(s, func(ref string) string {
		m := templateRef.FindStringSubmatchIndex(ref)
		if m[4] >= 0 {
			return ref[m[4]:m[5]]
		}
		return "<" + ref[m[2]:m[3]] + ">"
	}))
}

// fingerprint identifies an issue across runs: the rule and its fields, not
// the line number, which moves whenever the log changes.
func fingerprint(is classify.Issue) string {
	sum := sha256.Sum256([]byte(is.Key()))
	return hex.EncodeToString(sum[:8])
}
