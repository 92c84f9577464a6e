package classify

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"time"

	"github.com/dlclark/regexp2/v2"
)

// Defaults for the settings of Compile.
const (
	DefaultMatchTimeout = 250 * time.Millisecond
	DefaultMaxLineBytes = 1 << 20
	DefaultMaxIssues    = 1000
	// verifyWindow is how much of each end of a very long line the regexes see.
	verifyWindow = 64 << 10
)

// Option is a setting given to Compile. Options are the only way to change
// how a Matcher behaves, so a compiled Matcher never changes.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	matchTimeout time.Duration
	maxLineBytes int
	contextLines int
	maxIssues    int
	workers      int
	redact       bool
	examples     bool             // run the catalog's examples in Compile
	keep         func(*Rule) bool // whose examples; nil: every rule's
	lazy         bool             // compile each pattern on first use
	foreign      func(string) bool
}

// WithMatchTimeout bounds the time one regular expression may spend on one
// line (default 250ms: patterns take microseconds, so only backtracking
// reaches it, even on a machine many times oversubscribed). A match that runs out of time counts as no match and
// leaves a warning in the report; the scan goes on. regexp2 checks its clock
// every 100ms, so an abort can take up to d + 100ms.
func WithMatchTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d > 0 {
			o.matchTimeout = d
		}
	})
}

// WithMaxLineBytes sets the longest line kept whole (default 1 MiB). A
// longer line is matched on its first n bytes, counted in Report.LinesCut,
// and the scan goes on.
func WithMaxLineBytes(n int) Option {
	return optionFunc(func(o *options) {
		if n > 0 {
			o.maxLineBytes = max(n, 256)
		}
	})
}

// WithContextLines makes every issue keep at least n raw lines before and
// after its match as context; rules that ask for more keep more.
func WithContextLines(n int) Option {
	return optionFunc(func(o *options) { o.contextLines = min(max(n, 0), maxContextLines) })
}

// WithMaxIssues bounds the distinct issues a Report keeps (default 1000);
// further distinct issues are only counted in Report.Folded.
func WithMaxIssues(n int) Option {
	return optionFunc(func(o *options) {
		if n > 0 {
			o.maxIssues = n
		}
	})
}

// WithExamples makes Compile also run the catalog's examples, as
// Matcher.Check does, and fail when one does not pass. Examples run even
// when other rules have errors, so one pass reports everything.
func WithExamples() Option { return WithExamplesOf(nil) }

// WithExamplesOf is WithExamples for the rules keep accepts, for example
// the rules of a user's files over an already tested default catalog.
func WithExamplesOf(keep func(*Rule) bool) Option {
	return optionFunc(func(o *options) { o.examples, o.keep = true, keep })
}

// WithLazyCompile compiles each pattern on first use rather than in
// Compile, which makes start-up several times faster. Use it only for
// catalogs already tested, such as an embedded catalog whose examples ran in
// CI: a pattern that Go's parser accepts but regexp2 rejects is then not
// reported but never matches, and the warning about declared literals that
// a match need not contain, which needs the compiled pattern, is not given.
func WithLazyCompile() Option {
	return optionFunc(func(o *options) { o.lazy = true })
}

// WithForeignIDs leaves to another tool the disables and patches that name
// an id owns reports true for: Compile drops them instead of reporting that
// no rule has the id. A team's catalog file can then adjust, with the same
// disable and patch keys, checks that are not log rules, such as
// classify/envcheck's definition checks (pass envcheck.IsCheck), and one
// file serves both.
func WithForeignIDs(owns func(id string) bool) Option {
	return optionFunc(func(o *options) { o.foreign = owns })
}

// WithoutExamples is the old name of WithLazyCompile, from when Compile ran
// the examples unless told otherwise; it now only selects lazy compilation.
//
// Deprecated: Compile runs no examples unless given WithExamples; use
// WithLazyCompile for lazy compilation.
func WithoutExamples() Option { return WithLazyCompile() }

// Matcher is a compiled catalog. It is immutable and safe for concurrent use
// by multiple goroutines; the state of one log lives in a Session. Like a
// regexp.Regexp it owns what it was compiled from: Compile copies the
// catalog, so changing the caller's catalog later changes nothing here.
type Matcher struct {
	catalog *Catalog // Compile's own copy
	rules   []*crule
	starts  []start // the rules' patterns: the prefilter's targets
	always  []int32 // starts without a usable literal: tried on every line
	pf      *prefilter
	ignore  []*regexp2.Regexp
	opt     options
	before  int // most context lines any rule keeps before a match
	warns   []*CatalogError
	byID    map[string]int
	red     redactor
	ranker  *Ranker
	// suppressors[i] lists the rules that hide rule i when both are found.
	suppressors [][]int32
}

// crule is a compiled rule: everything a scan reads, copied from the rule.
type crule struct {
	ID, Group, Title          string
	Priority                  int
	Links                     []string
	Retry                     Retry
	Fallback                  bool
	outcome                   Outcome  // an outcome marker's, or ""
	noIssue                   bool     // a marker only: no issue
	keep                      bool     // keep_on_success
	src                       *Rule    // in the Matcher's own copy of the catalog
	severity                  Severity // the rule's, error when not set
	index                     int
	exclude                   []*lazyRegexp
	unless                    *cstep
	multiline                 bool // some pattern has steps, or the rule collects
	collect                   *lazyRegexp
	collectKey                string // the named group of the collected item; "" for the whole match
	collectField              string
	collectMax, collectWithin int
	template                  []tmplPart
	broken                    bool // has errors: its examples are not run
	before                    int
	after                     int
}

type cstep struct {
	re     *lazyRegexp
	within int
	names  []string
}

// start is one of a rule's patterns.
type start struct {
	re    *regexp2.Regexp // nil until first use when compiled lazily
	lazy  *lazyRegexp
	rule  int32
	names []string // named groups
	lits  []string // the prefilter's literals; nil when it has none
	expr  string   // after definitions are expanded
	index int      // in Rule.Patterns
	steps []cstep  // later lines of a multi-line match
}

// Compile checks a catalog and builds a Matcher from it. Every problem is
// reported at once in an ErrorList, each with its position: invalid values
// (ids, literals, distances…), bad patterns, undefined definitions or
// template fields, unknown or cyclic suppressions, disables that name no
// rule, and, with WithExamples, failing examples. The catalog is copied, not
// kept.
func Compile(c *Catalog, opts ...Option) (*Matcher, error) {
	if c == nil {
		return nil, fmt.Errorf("classify: Compile: %w", ErrNilCatalog)
	}
	o := options{
		matchTimeout: DefaultMatchTimeout,
		maxLineBytes: DefaultMaxLineBytes,
		maxIssues:    DefaultMaxIssues,
		redact:       true,
	}
	for _, opt := range opts {
		opt.apply(&o)
	}
	c = c.Clone()
	if o.foreign != nil {
		dropForeign(c, o.foreign)
	}
	m := &Matcher{catalog: c, opt: o, byID: map[string]int{}}
	var errs ErrorList
	validate(c, &errs, true)
	defs := newExpander(c.Definitions, &errs)

	for _, r := range c.Rules {
		if r == nil {
			continue
		}
		if _, dup := m.byID[r.ID]; dup {
			continue // validate has reported it
		}
		m.compileRule(r, defs, &errs)
	}
	for _, p := range c.Ignore {
		if re, _ := m.compilePattern(p, "", defs, &errs); re != nil {
			m.ignore = append(m.ignore, re)
		}
	}
	m.red.off = !o.redact
	for _, p := range c.Redact {
		if re, _ := m.compilePattern(p, "", defs, &errs); re != nil {
			m.red.extra = append(m.red.extra, re)
		}
	}
	m.linkSuppressions(&errs)
	m.ranker = newRanker(m.rules, m.suppressors)

	lits := make([][]string, len(m.starts), len(m.starts)+1)
	for i, st := range m.starts {
		if st.lits == nil {
			m.always = append(m.always, int32(i))
		}
		lits[i] = st.lits
	}
	// One more target: the first and last lines of a private key block.
	lits = append(lits, []string{"private key-----"})
	m.pf = newPrefilter(lits)

	// Examples run even when other rules have errors, so that one pass
	// reports everything; rules that did not compile are skipped.
	if o.examples {
		errs = append(errs, m.Check(o.keep)...)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

// dropForeign removes from c the unresolved disables and patches of ids that
// another tool owns (see WithForeignIDs).
func dropForeign(c *Catalog, owns func(string) bool) {
	dis := c.Disable[:0]
	for _, d := range c.Disable {
		if !owns(d.Name) {
			dis = append(dis, d)
		}
	}
	c.Disable = dis
	rules := c.Rules[:0]
	for _, r := range c.Rules {
		if r == nil || !r.Patch || !owns(r.ID) {
			rules = append(rules, r)
		}
	}
	c.Rules = rules
}

// compileRule compiles one rule's patterns, steps, exclusions and template,
// adding its problems to errs.
func (m *Matcher) compileRule(r *Rule, defs *expander, errs *ErrorList) {
	m.byID[r.ID] = len(m.rules)
	cr := &crule{
		ID: r.ID, Group: r.Group, Title: r.Title, Priority: r.Priority,
		Links: r.Links, Retry: r.Retry, Fallback: r.Fallback,
		src: r, index: len(m.rules),
		outcome: r.Outcome, noIssue: r.NoIssue, keep: r.KeepOnSuccess,
	}
	if cr.Retry == "" {
		cr.Retry = RetryUnknown
	}
	errsBefore := len(*errs)
	m.rules = append(m.rules, cr)
	cr.before = max(r.Context.Before, m.opt.contextLines)
	cr.after = max(r.Context.After, m.opt.contextLines)
	m.before = max(m.before, cr.before)
	cr.severity = r.Severity
	if cr.severity == 0 {
		cr.severity = SeverityError
	}
	names := map[string]bool{}
	compileSteps := func(seq []Step) []cstep {
		var out []cstep
		for _, s := range seq {
			if re, groups := m.laterPattern(s.Pattern, r.ID, defs, errs); re != nil {
				st := cstep{re: re, within: max(s.Within, 1), names: groups}
				for _, n := range st.names {
					names[n] = true
				}
				out = append(out, st)
			}
		}
		return out
	}
	ruleSteps := compileSteps(r.Sequence)
	for pi, p := range r.Patterns {
		st := start{rule: int32(cr.index), index: pi, steps: ruleSteps}
		var tree *syntax.Regexp // the pattern's one parse for what Compile learns from its syntax
		if lazy, expr, t, ok := m.lazyPattern(p, r.ID, defs, errs); lazy != nil {
			st.lazy, st.expr, tree = lazy, expr, t
			st.names = capNames(tree)
		} else if !ok {
			continue
		} else {
			re, expr := m.compilePattern(p, r.ID, defs, errs)
			if re == nil {
				continue
			}
			st.re, st.expr, st.names = re, expr, groupNames(re)
			tree = parseTree(expr)
		}
		if p.HasSequence {
			st.steps = compileSteps(p.Sequence)
		}
		cr.multiline = cr.multiline || len(st.steps) > 0
		for _, n := range st.names {
			names[n] = true
		}
		switch {
		case len(p.Literals) > 0:
			st.lits = usableLiterals(p.Literals)
		case len(r.Literals) > 0:
			st.lits = usableLiterals(r.Literals)
		default:
			st.lits = treeLiterals(tree)
		}
		// Declared literals are a promise that every match holds one: a
		// string the pattern matches without any of them is a line that
		// would never reach the pattern. (With lazy compilation there is no
		// regular expression yet to confirm a witness; Check and triage
		// lint compile eagerly.)
		if declared := len(p.Literals) > 0 || len(r.Literals) > 0; declared && st.lits != nil && st.re != nil {
			re := st.re
			if w := unimpliedLiteral(tree, st.lits, func(s string) bool { ok, err := re.MatchString(s); return ok && err == nil }); w != "" {
				m.warns = append(m.warns, &CatalogError{Pos: p.Pos, Rule: r.ID,
					Err: fmt.Errorf("declared literals %q are not in every match: the pattern matches %q, which holds none of them, and the prefilter would never let such a line through; fix the literals, or give this pattern its own", st.lits, w)})
			}
		}
		if st.lits == nil {
			m.warns = append(m.warns, &CatalogError{Pos: p.Pos, Rule: r.ID,
				Err: fmt.Errorf("pattern has no literal of %d or more bytes that every match contains, so it runs on every line: add one or declare literals", minLiteral)})
		}
		if shortest(st.lits) == minLiteral {
			m.warns = append(m.warns, &CatalogError{Pos: p.Pos, Rule: r.ID,
				Err: fmt.Errorf("pattern's shortest literal is %d bytes: the prefilter reads every (shortest literal - 3)th position of a line, so this one literal makes it read every position, for the whole catalog; give one of %d or more bytes", minLiteral, minLiteral+1)})
		}
		if treeLeadingRepeat(tree) {
			m.warns = append(m.warns, &CatalogError{Pos: p.Pos, Rule: r.ID,
				Err: errors.New("pattern starts with an unbounded repetition of a class, which is tried from every position of a line (quadratic on long lines): put a look-behind such as (?<!\\S) or an anchor in front")})
		}
		m.starts = append(m.starts, st)
	}
	for _, p := range r.Exclude {
		if re, _ := m.laterPattern(p, r.ID, defs, errs); re != nil {
			cr.exclude = append(cr.exclude, re)
		}
	}
	if u := r.Unless; u != nil {
		if re, _ := m.laterPattern(u.Pattern, r.ID, defs, errs); re != nil {
			cr.unless = &cstep{re: re, within: max(u.Within, 1)}
		}
	}
	if col := r.Collect; col != nil {
		cr.multiline = true
		cr.collectField = col.Field
		cr.collectMax, cr.collectWithin = col.Max, col.Within
		if cr.collectMax == 0 {
			cr.collectMax = 20
		}
		if cr.collectWithin == 0 {
			cr.collectWithin = 20
		}
		if re, g := m.laterPattern(col.Pattern, r.ID, defs, errs); re != nil {
			cr.collect = re
			if len(g) > 0 {
				cr.collectKey = g[0]
			}
			names[col.Field] = true
		}
	}
	tmpl, undefined := parseTemplate(r.Remediation, names)
	for _, u := range undefined {
		errs.add(r.posOf("remediation"), r.ID, ErrUndefinedField, "{{%s}} is not captured by any pattern of the rule", u)
	}
	cr.template = tmpl
	cr.broken = len(*errs) > errsBefore
}

// MustCompile is like Compile but panics on error. It is meant for catalogs
// embedded in a program and tested, like regexp.MustCompile.
func MustCompile(c *Catalog, opts ...Option) *Matcher {
	m, err := Compile(c, opts...)
	if err != nil {
		panic("classify: Compile: " + err.Error())
	}
	return m
}

// Warnings returns problems that do not stop compilation, such as patterns
// the prefilter cannot help with.
func (m *Matcher) Warnings() []*CatalogError { return m.warns }

// Catalog returns a copy of the catalog the Matcher was compiled from, for
// tools that print or extend its rules; changing it changes nothing here.
func (m *Matcher) Catalog() *Catalog { return m.catalog.Clone() }

func lowerAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = lowerASCII(s)
	}
	return out
}

// compilePattern expands definitions and compiles one pattern with regexp2
// in RE2-compatible mode, with the match timeout set.
func (m *Matcher) compilePattern(p Pattern, rule string, defs *expander, errs *ErrorList) (*regexp2.Regexp, string) {
	expr, ok := defs.expand(p, rule)
	if !ok {
		return nil, ""
	}
	re, err := regexp2.Compile(caselessClasses(expr), regexp2.RE2)
	if err != nil {
		errs.add(p.Pos, rule, ErrInvalidPattern, "%s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		return nil, ""
	}
	re.MatchTimeout = m.opt.matchTimeout
	return re, expr
}

// lazyPattern prepares a pattern to be compiled on first use, which makes
// Compile several times faster for catalogs whose examples are not run (they
// were checked when the catalog was tested; a pattern that fails then never
// matches). It returns nil when the pattern must be compiled now: examples
// are run, or Go's parser cannot read it to find its group names. ok is false
// when the pattern's definitions cannot be expanded. tree is the pattern's parse,
// which Compile reads its group names, literals and shape from.
func (m *Matcher) lazyPattern(p Pattern, rule string, defs *expander, errs *ErrorList) (lazy *lazyRegexp, expr string, tree *syntax.Regexp, ok bool) {
	expr, ok = defs.expand(p, rule)
	if !ok || !m.opt.lazy {
		return nil, expr, nil, ok
	}
	if tree = parseTree(expr); tree == nil {
		return nil, expr, nil, true
	}
	return &lazyRegexp{expr: expr, timeout: m.opt.matchTimeout}, expr, tree, true
}

// laterPattern prepares a pattern that runs only after a rule's start
// pattern matched (a step, an exclude, an unless, a collect): compiled now,
// or under WithLazyCompile on first use. It returns the pattern's named
// groups, from the compiled pattern or from Go's parse of it; a pattern Go
// cannot parse is compiled now.
func (m *Matcher) laterPattern(p Pattern, rule string, defs *expander, errs *ErrorList) (*lazyRegexp, []string) {
	lazy, _, tree, ok := m.lazyPattern(p, rule, defs, errs)
	if lazy != nil {
		return lazy, capNames(tree)
	}
	if !ok {
		return nil, nil
	}
	re, _ := m.compilePattern(p, rule, defs, errs)
	if re == nil {
		return nil, nil
	}
	return compiledRegexp(re), groupNames(re)
}

// capNames returns the named groups of a parsed pattern, in order.
func capNames(tree *syntax.Regexp) []string {
	var out []string
	for _, n := range tree.CapNames() {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// compiledRegexp wraps a pattern compiled already.
func compiledRegexp(re *regexp2.Regexp) *lazyRegexp {
	l := &lazyRegexp{re: re}
	l.once.Do(func() {})
	return l
}

// lazyRegexp is a pattern compiled on first use, safely from any goroutine.
type lazyRegexp struct {
	once    sync.Once
	expr    string
	timeout time.Duration
	re      *regexp2.Regexp
}

func (l *lazyRegexp) get() *regexp2.Regexp {
	l.once.Do(func() {
		re, err := regexp2.Compile(caselessClasses(l.expr), regexp2.RE2)
		if err == nil {
			re.MatchTimeout = l.timeout
			l.re = re
		}
	})
	return l.re
}

// regexp returns the compiled pattern, compiling it on first use; nil if it
// does not compile.
func (st *start) regexp() *regexp2.Regexp {
	if st.re != nil {
		return st.re
	}
	return st.lazy.get()
}

// groupNames returns the named groups of re in order, without the numbered
// ones.
func groupNames(re *regexp2.Regexp) []string {
	var out []string
	for _, n := range re.GetGroupNames() {
		if n != "" && (n[0] < '0' || n[0] > '9') {
			out = append(out, n)
		}
	}
	return out
}

// expander replaces {{name}} in patterns by the named definition, wrapped in
// a non-capturing group, and reports undefined names and cycles.
type expander struct {
	defs map[string]Pattern
	done map[string]string
	errs *ErrorList
}

var defRef = regexp.MustCompile(`\{\{\s*([a-z][a-z0-9_]*)\s*\}\}`)

func newExpander(defs map[string]Pattern, errs *ErrorList) *expander {
	return &expander{defs: defs, done: map[string]string{}, errs: errs}
}

func (e *expander) expand(p Pattern, rule string) (string, bool) {
	return e.expandIn(p, rule, nil)
}

func (e *expander) expandIn(p Pattern, rule string, stack []string) (string, bool) {
	if !strings.Contains(p.Expr, "{{") {
		return p.Expr, true
	}
	ok := true
	out := defRef.ReplaceAllStringFunc(p.Expr, func(ref string) string {
		name := defRef.FindStringSubmatch(ref)[1]
		if v, done := e.done[name]; done {
			return "(?:" + v + ")"
		}
		def, found := e.defs[name]
		if !found {
			e.errs.add(p.Pos, rule, ErrUndefinedName, "{{%s}}", name)
			ok = false
			return ref
		}
		for i, s := range stack {
			if s == name {
				e.errs.add(def.Pos, "", ErrCycle, "definitions refer to each other: %s", strings.Join(append(stack[i:], name), " → "))
				ok = false
				return ref
			}
		}
		v, vok := e.expandIn(def, "", append(stack, name))
		if !vok {
			ok = false
			return ref
		}
		e.done[name] = v
		return "(?:" + v + ")"
	})
	return out, ok
}

// linkSuppressions resolves each rule's suppresses list to rule indices and
// rejects cycles.
func (m *Matcher) linkSuppressions(errs *ErrorList) {
	groups := map[string][]int{}
	for i, r := range m.rules {
		groups[r.Group] = append(groups[r.Group], i)
	}
	m.suppressors = make([][]int32, len(m.rules))
	edges := make([][]int, len(m.rules))
	for i, r := range m.rules {
		seen := map[int]bool{}
		for _, ref := range r.src.Suppresses {
			var targets []int
			if j, ok := m.byID[ref.Name]; ok {
				targets = []int{j}
			} else if g, ok := groups[ref.Name]; ok {
				targets = g
			} else if m.catalog.gone[ref.Name] {
				continue // a disabled rule, or the group it was the last of
			} else {
				errs.add(ref.Pos, r.ID, ErrUnknownID, "suppresses %q, which is neither a rule id nor a group", ref.Name)
				continue
			}
			for _, j := range targets {
				if j != i && !seen[j] {
					seen[j] = true
					edges[i] = append(edges[i], j)
					m.suppressors[j] = append(m.suppressors[j], int32(i))
				}
			}
		}
	}
	// Depth-first search for a cycle; report each cycle once.
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(m.rules))
	var path []int
	var visit func(i int)
	visit = func(i int) {
		color[i] = grey
		path = append(path, i)
		for _, j := range edges[i] {
			switch color[j] {
			case white:
				visit(j)
			case grey:
				var names []string
				k := len(path) - 1
				for path[k] != j {
					k--
				}
				for _, n := range path[k:] {
					names = append(names, m.rules[n].ID)
				}
				names = append(names, m.rules[j].ID)
				r := m.rules[j]
				errs.add(r.src.posOf("suppresses"), r.ID, ErrCycle, "suppressions form a cycle: %s", strings.Join(names, " → "))
			}
		}
		path = path[:len(path)-1]
		color[i] = black
	}
	for i := range m.rules {
		if color[i] == white {
			visit(i)
		}
	}
}
