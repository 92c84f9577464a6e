package classify

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
)

// SchemaVersion is the catalog schema this package reads.
const SchemaVersion = 1

// MaxCatalogBytes is the largest catalog file ParseCatalog and LoadCatalog
// accept. Real catalogs are a few hundred kilobytes; anything far larger is a
// mistake or an attack, and is refused before it is read whole.
const MaxCatalogBytes = 8 << 20

// Severity says how bad an issue is. The zero value means "not set"; rules
// read from YAML default to SeverityError.
type Severity int

const (
	SeverityInfo Severity = iota + 1
	SeverityWarning
	SeverityError
)

var severityNames = map[Severity]string{SeverityInfo: "info", SeverityWarning: "warning", SeverityError: "error"}

// ParseSeverity turns "error", "warning" or "info" into a Severity.
func ParseSeverity(s string) (Severity, error) {
	for k, v := range severityNames {
		if v == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("%w: severity %q (want error, warning or info)", ErrBadValue, s)
}

func (s Severity) String() string {
	if n, ok := severityNames[s]; ok {
		return n
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// Retry is a rule's advice on whether rebuilding without changes may help.
type Retry string

const (
	RetryUnknown   Retry = "unknown"   // the log does not tell
	RetryTransient Retry = "transient" // a rebuild may succeed: network, rate limit, a busy service
	RetryPermanent Retry = "permanent" // the build definition must change first
)

// Catalog is a set of rules plus catalog-wide settings. It is plain data:
// build it in Go or read it from YAML with ParseCatalog or LoadCatalog, then
// give it to Compile. Several catalogs combine with Merge.
type Catalog struct {
	// Rules in catalog order. Order breaks ties in ranking and output.
	Rules []*Rule
	// Definitions are named sub-patterns, written {{name}} inside patterns.
	Definitions map[string]Pattern
	// Ignore lists patterns for noise lines that no rule may match.
	Ignore []Pattern
	// Redact lists extra patterns whose matches are masked in every output,
	// on top of the built-in secret patterns.
	Redact []Pattern
	// Disable names rules of earlier catalogs that Merge removes.
	Disable []Ref

	// gone holds the ids and groups of rules that Merge removed, so that a
	// rule that suppresses one of them is not an error.
	gone map[string]bool
}

// Ref is a rule id or group name written somewhere in a catalog.
type Ref struct {
	Name string
	Pos  Pos
}

// Pattern is one regular expression with the place it was written. The syntax
// is regexp2's in RE2-compatible mode: Go's regexp syntax plus lookaround,
// atomic groups and backreferences. Named groups, (?<name>…) or (?P<name>…),
// become an issue's fields.
type Pattern struct {
	Expr string
	Pos  Pos

	// The fields below are for a rule's patterns only, written as a
	// mapping instead of a string, when one alternative needs settings of
	// its own.

	// Literals replace the rule's (or the extracted) prefilter literals.
	Literals []string
	// Sequence replaces the rule's sequence when HasSequence is set; an
	// empty Sequence makes this alternative a single-line match.
	Sequence    []Step
	HasSequence bool
}

// Rule is one known failure signature.
type Rule struct {
	ID       string   // stable snake_case id, never reused
	Group    string   // tool or stage: docker, conda, pip, apt, compiler, system…
	Title    string   // a short sentence naming the failure
	Severity Severity // error, warning or info
	Priority int      // higher wins when choosing the primary issue

	// Patterns are alternatives; the first that matches a line is used.
	Patterns []Pattern
	// Literals, when set, replace the literals Compile would extract from
	// Patterns for the prefilter. Each must appear (ASCII case-insensitively)
	// in every line a pattern matches.
	Literals []string
	// Exclude vetoes a match when any of its patterns also matches the line.
	Exclude []Pattern
	// Sequence, when set, turns the rule into a multi-line rule: after a line
	// matched Patterns, each step must match in order within its distance.
	Sequence []Step
	// Collect gathers the lines that follow a match into a list field.
	Collect *Collect
	// Unless drops a match when its pattern is found within its distance
	// after the match: "Failed to connect" followed by "Will retry" is not
	// a failure yet.
	Unless *Step

	Remediation string   // template over fields: {{name}} or {{name|default text}}
	Links       []string // documentation for the failure
	Retry       Retry
	Suppresses  []Ref // ids or groups this root cause hides when both are found
	Fallback    bool  // reported only when nothing more specific was found
	// Outcome makes the rule an outcome marker: a line it matches tells
	// how the build ended (OutcomeSucceeded, OutcomeFailed,
	// OutcomeCancelled) or that a new build starts (OutcomeStarted).
	Outcome Outcome
	// NoIssue, written issue: false, makes a marker rule give no issue: it
	// only marks the outcome.
	NoIssue bool
	// KeepOnSuccess, written keep_on_success: true, keeps the rule's
	// error-severity issues unrecovered on a build that succeeded.
	KeepOnSuccess bool
	Context       Context
	Examples      Examples
	Override      bool // replaces an earlier rule of the same id on purpose
	// Patch changes an earlier rule of the same id, for example a default
	// rule, without copying it: the single values it sets (group, title,
	// severity, priority, remediation, retry, fallback, context, literals,
	// sequence, collect, unless) replace the earlier rule's, and the lists it
	// sets (patterns, exclude, links, suppresses, examples) are added to the
	// earlier rule's. A patch needs only its id and what it changes.
	Patch bool

	Pos Pos // where the rule starts

	keyPos map[string]Pos // where each key of the rule was written
}

// Step is one later line of a multi-line rule.
type Step struct {
	Pattern Pattern
	// Within is the largest distance in lines from the previous step's line
	// (0 means 1: the next line).
	Within int

	withinPos Pos // where within was written
}

// Collect gathers the lines after a match that match Pattern into the list
// field Field: the first named group of Pattern, or the whole match. Blank
// lines are skipped; the first other line that does not match ends the list,
// and so do Max items or Within lines.
type Collect struct {
	Pattern Pattern
	Field   string
	Max     int // 0 means 20
	Within  int // 0 means 20

	pos Pos // where the collect mapping starts
}

// Context is how many raw lines around a match an issue keeps as evidence.
type Context struct {
	Before int
	After  int
}

// Examples are a rule's own test cases, run by Compile.
type Examples struct {
	Match   []Example
	NoMatch []Example
}

// Example is a log excerpt (one line, or several for multi-line rules) and,
// for a match, the fields the rule must capture from it.
type Example struct {
	Text   string
	Fields map[string]string
	Pos    Pos
}

// Keys returns the keys the rule was written with in YAML and where each
// was written; nil for a rule built in Go. A patch only changes what it
// wrote, so tools that read patches of their own (classify/envcheck's
// patches of definition checks) need to know which keys those are.
func (r *Rule) Keys() map[string]Pos {
	if len(r.keyPos) == 0 {
		return nil
	}
	return maps.Clone(r.keyPos)
}

func (r *Rule) posOf(key string) Pos {
	if p, ok := r.keyPos[key]; ok {
		return p
	}
	return r.Pos
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$`)

// ParseCatalog reads one catalog file. name is used in error positions. All
// problems found are returned together as an ErrorList. Like go/parser, it
// returns what it could read even when there are errors, so that Compile can
// report further problems in the same pass; such a partial catalog is for
// diagnosis only.
func ParseCatalog(name string, data []byte) (*Catalog, error) {
	if len(data) > MaxCatalogBytes {
		return &Catalog{}, ErrorList{{Pos: Pos{File: name}, Err: fmt.Errorf("%w: %d bytes (limit %d)", ErrCatalogTooLarge, len(data), MaxCatalogBytes)}}
	}
	p := parser{file: name}
	c := p.parse(data)
	validate(c, &p.errs, false)
	return c, p.errs.Err()
}

// Merge combines catalogs in order into a new one. A later catalog may
// disable rules of earlier ones by id and replace a rule whose Override is
// set; any other repeated rule id or definition name is an error (the first
// one is kept). A disable that names no earlier rule is kept in the result's
// Disable, so that a team catalog loaded on its own can be merged over the
// default later; Compile reports one that is still unresolved. The result
// shares nothing with the inputs, which are not changed.
func Merge(cats ...*Catalog) (*Catalog, error) {
	out := &Catalog{Definitions: map[string]Pattern{}}
	index := map[string]int{}
	var errs ErrorList
	for _, c := range cats {
		if c == nil {
			continue
		}
		c = c.Clone()
		for k := range c.gone {
			if out.gone == nil {
				out.gone = map[string]bool{}
			}
			out.gone[k] = true
		}
		for _, d := range c.Disable {
			i, ok := index[d.Name]
			if !ok {
				out.Disable = append(out.Disable, d)
				continue
			}
			if out.gone == nil {
				out.gone = map[string]bool{}
			}
			out.gone[d.Name] = true
			out.gone[out.Rules[i].Group] = true
			out.Rules[i] = nil
			delete(index, d.Name)
		}
		for name, def := range c.Definitions {
			if old, ok := out.Definitions[name]; ok {
				errs.add(def.Pos, "", ErrBadValue, "definition %q is already defined at %s", name, old.Pos)
				continue
			}
			out.Definitions[name] = def
		}
		out.Ignore = append(out.Ignore, c.Ignore...)
		out.Redact = append(out.Redact, c.Redact...)
		for _, r := range c.Rules {
			if r == nil {
				continue
			}
			if i, ok := index[r.ID]; ok {
				switch {
				case r.Patch && !r.Override:
					out.Rules[i] = out.Rules[i].patched(r)
					continue
				case r.Override:
					out.Rules[i] = r
					continue
				}
				errs.add(r.posOf("id"), r.ID, ErrDuplicateID, "also defined at %s (set override: true to replace it)", out.Rules[i].Pos)
				continue
			}
			index[r.ID] = len(out.Rules)
			out.Rules = append(out.Rules, r)
		}
	}
	rules := out.Rules[:0]
	for _, r := range out.Rules {
		if r != nil {
			rules = append(rules, r)
		}
	}
	out.Rules = rules
	return out, errs.Err()
}

// sets reports whether a patch sets key: written in its YAML, or, for a
// rule built in Go, not the zero value.
func (r *Rule) sets(key string, nonZero bool) bool {
	if len(r.keyPos) > 0 {
		_, ok := r.keyPos[key]
		return ok
	}
	return nonZero
}

// patched returns r with patch p applied (see Rule.Patch).
func (r *Rule) patched(p *Rule) *Rule {
	o := r.Clone()
	if o.keyPos == nil {
		o.keyPos = map[string]Pos{}
	}
	set := func(key string, nonZero bool, apply func()) {
		if p.sets(key, nonZero) {
			apply()
			if pos, ok := p.keyPos[key]; ok {
				o.keyPos[key] = pos
			}
		}
	}
	set("group", p.Group != "", func() { o.Group = p.Group })
	set("title", p.Title != "", func() { o.Title = p.Title })
	set("severity", p.Severity != 0, func() { o.Severity = p.Severity })
	set("priority", p.Priority != 0, func() { o.Priority = p.Priority })
	set("remediation", p.Remediation != "", func() { o.Remediation = p.Remediation })
	set("retry", p.Retry != "", func() { o.Retry = p.Retry })
	set("fallback", p.Fallback, func() { o.Fallback = p.Fallback })
	set("outcome", p.Outcome != "", func() { o.Outcome = p.Outcome })
	set("issue", p.NoIssue, func() { o.NoIssue = p.NoIssue })
	set("keep_on_success", p.KeepOnSuccess, func() { o.KeepOnSuccess = p.KeepOnSuccess })
	set("context", p.Context != (Context{}), func() { o.Context = p.Context })
	set("literals", len(p.Literals) > 0, func() { o.Literals = p.Literals })
	set("sequence", len(p.Sequence) > 0, func() { o.Sequence = p.Sequence })
	set("collect", p.Collect != nil, func() { o.Collect = p.Collect })
	set("unless", p.Unless != nil, func() { o.Unless = p.Unless })
	// The patch's own position stays with the rule, so that CompileFiles
	// runs the examples of a default rule a user's file patched.
	o.keyPos["patch"] = p.posOf("patch")
	o.Patterns = append(o.Patterns, p.Patterns...)
	o.Exclude = append(o.Exclude, p.Exclude...)
	o.Links = append(o.Links, p.Links...)
	o.Suppresses = append(o.Suppresses, p.Suppresses...)
	o.Examples.Match = append(o.Examples.Match, p.Examples.Match...)
	o.Examples.NoMatch = append(o.Examples.NoMatch, p.Examples.NoMatch...)
	return o
}

// Clone returns a deep copy of c, sharing nothing with it.
func (c *Catalog) Clone() *Catalog {
	if c == nil {
		return nil
	}
	out := &Catalog{
		Ignore:  clonePatterns(c.Ignore),
		Redact:  clonePatterns(c.Redact),
		Disable: slices.Clone(c.Disable),
		gone:    maps.Clone(c.gone),
	}
	if c.Definitions != nil {
		out.Definitions = make(map[string]Pattern, len(c.Definitions))
		for k, v := range c.Definitions {
			out.Definitions[k] = v.clone()
		}
	}
	if c.Rules != nil {
		out.Rules = make([]*Rule, len(c.Rules))
		for i, r := range c.Rules {
			out.Rules[i] = r.Clone()
		}
	}
	return out
}

// Clone returns a deep copy of r.
func (r *Rule) Clone() *Rule {
	if r == nil {
		return nil
	}
	o := *r
	o.Patterns = clonePatterns(r.Patterns)
	o.Literals = slices.Clone(r.Literals)
	o.Exclude = clonePatterns(r.Exclude)
	o.Sequence = cloneSteps(r.Sequence)
	if r.Collect != nil {
		col := *r.Collect
		col.Pattern = col.Pattern.clone()
		o.Collect = &col
	}
	if r.Unless != nil {
		u := *r.Unless
		u.Pattern = u.Pattern.clone()
		o.Unless = &u
	}
	o.Links = slices.Clone(r.Links)
	o.Suppresses = slices.Clone(r.Suppresses)
	o.Examples = Examples{Match: cloneExamples(r.Examples.Match), NoMatch: cloneExamples(r.Examples.NoMatch)}
	o.keyPos = maps.Clone(r.keyPos)
	return &o
}

func (p Pattern) clone() Pattern {
	p.Literals = slices.Clone(p.Literals)
	p.Sequence = cloneSteps(p.Sequence)
	return p
}

func clonePatterns(ps []Pattern) []Pattern {
	if ps == nil {
		return nil
	}
	out := make([]Pattern, len(ps))
	for i, p := range ps {
		out[i] = p.clone()
	}
	return out
}

func cloneSteps(ss []Step) []Step {
	if ss == nil {
		return nil
	}
	out := make([]Step, len(ss))
	for i, st := range ss {
		st.Pattern = st.Pattern.clone()
		out[i] = st
	}
	return out
}

func cloneExamples(es []Example) []Example {
	if es == nil {
		return nil
	}
	out := make([]Example, len(es))
	for i, e := range es {
		e.Fields = maps.Clone(e.Fields)
		out[i] = e
	}
	return out
}

// Rule returns the rule with the given id, or nil.
func (c *Catalog) Rule(id string) *Rule {
	for _, r := range c.Rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}
