package classify

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// maxYAMLDepth bounds the nesting of a catalog document. The schema needs
// five levels; anything much deeper is hostile input.
const maxYAMLDepth = 32

// parser turns one YAML file into a Catalog, collecting every problem with
// its position instead of stopping at the first.
type parser struct {
	file string
	errs ErrorList
	rule string // id of the rule being read, for error messages
}

func (p *parser) pos(n *yaml.Node) Pos { return Pos{File: p.file, Line: n.Line, Column: n.Column} }

func (p *parser) errorf(n *yaml.Node, kind error, format string, args ...any) {
	var pos Pos
	if n != nil {
		pos = p.pos(n)
	} else {
		pos = Pos{File: p.file}
	}
	p.errs.add(pos, p.rule, kind, format, args...)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

func (p *parser) parse(data []byte) *Catalog {
	c := &Catalog{Definitions: map[string]Pattern{}}
	if !utf8.Valid(data) {
		line, col := 1, 1
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
			i += size
		}
		p.errs.add(Pos{File: p.file, Line: line, Column: col}, "", ErrSyntax, "the file is not valid UTF-8")
		return c
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		pos := Pos{File: p.file}
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			// The YAML library gives only the line; no column is
			// better than a made-up one.
			pos.Line, _ = strconv.Atoi(m[1])
			msg = msg[len(m[0]):]
		} else {
			msg = strings.TrimPrefix(msg, "yaml: ")
		}
		p.errs.add(pos, "", ErrSyntax, "%s", msg)
		return c
	}
	if doc.Kind == 0 {
		return c // empty file: an empty catalog
	}
	if !p.check(&doc, 0) {
		return c
	}
	root := doc.Content[0]
	p.mapping(root, func(key string, k, v *yaml.Node) {
		switch key {
		case "schema":
			if n, ok := p.int(v); ok && n != SchemaVersion {
				p.errorf(v, ErrBadValue, "schema %d is not supported (this version reads schema %d)", n, SchemaVersion)
			}
		case "definitions":
			p.mapping(v, func(name string, k, v *yaml.Node) {
				if !identPattern.MatchString(name) {
					p.errorf(k, ErrBadValue, "definition name %q must be a snake_case word", name)
				}
				if s, ok := p.str(v); ok {
					c.Definitions[name] = Pattern{Expr: s, Pos: p.pos(v)}
				}
			})
		case "ignore":
			c.Ignore = p.patterns(v)
		case "redact":
			c.Redact = p.patterns(v)
		case "disable":
			c.Disable = p.refs(v)
		case "rules":
			if p.kind(v, yaml.SequenceNode, "a list of rules") {
				for _, rn := range v.Content {
					if r := p.parseRule(rn); r != nil {
						c.Rules = append(c.Rules, r)
					}
				}
			}
		default:
			p.errorf(k, ErrUnknownKey, "%q (want schema, definitions, ignore, redact, disable or rules)", key)
		}
	})
	return c
}

// check rejects aliases (which could expand exponentially) and documents
// nested deeper than any catalog needs.
func (p *parser) check(n *yaml.Node, depth int) bool {
	if depth > maxYAMLDepth {
		p.errorf(n, ErrSyntax, "document nested more than %d levels deep", maxYAMLDepth)
		return false
	}
	if n.Kind == yaml.AliasNode {
		p.errorf(n, ErrSyntax, "YAML aliases (*%s) are not supported in catalogs", n.Value)
		return false
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) != 1 {
		p.errorf(n, ErrSyntax, "expected one YAML document")
		return false
	}
	for _, c := range n.Content {
		if !p.check(c, depth+1) {
			return false
		}
	}
	return true
}

var identPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// ruleKeys are the keys a rule may have.
var ruleKeys = []string{"id", "group", "title", "severity", "priority", "patterns", "literals", "exclude",
	"sequence", "collect", "unless", "remediation", "links", "retry", "suppresses", "fallback", "context",
	"examples", "override", "patch", "outcome", "issue", "keep_on_success"}

// didYouMean suggests the known key closest to a mistyped one, or lists
// them all.
func didYouMean(key string, known []string) string {
	best, dist := "", 3
	for _, k := range known {
		if d := editDistance(key, k); d < dist {
			best, dist = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return " (want one of " + strings.Join(known, ", ") + ")"
}

// editDistance is the Levenshtein distance of two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		v := n.Value
		if len(v) > 60 {
			v = v[:60] + "…"
		}
		kinds := map[string]string{"!!str": "text", "!!int": "number", "!!float": "number", "!!bool": "true/false"}
		kind := kinds[n.Tag]
		if kind == "" {
			kind = "value"
		}
		return fmt.Sprintf("the %s %q", kind, v)
	}
	return "something else"
}

func (p *parser) kind(n *yaml.Node, k yaml.Kind, want string) bool {
	if n.Kind != k {
		p.errorf(n, ErrBadValue, "want %s, found %s", want, kindName(n))
		return false
	}
	return true
}

// mapping calls f for each key of a mapping node in order, reporting
// duplicate keys and non-string keys.
func (p *parser) mapping(n *yaml.Node, f func(key string, k, v *yaml.Node)) {
	if !p.kind(n, yaml.MappingNode, "a mapping") {
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, ErrBadValue, "want a plain key, found %s", kindName(k))
			continue
		}
		if seen[k.Value] {
			p.errorf(k, ErrBadValue, "key %q appears twice", k.Value)
			continue
		}
		seen[k.Value] = true
		f(k.Value, k, v)
	}
}

func (p *parser) str(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" || n.Tag == "!!map" || n.Tag == "!!seq" {
		p.errorf(n, ErrBadValue, "want a string, found %s", kindName(n))
		return "", false
	}
	return n.Value, true
}

func (p *parser) int(n *yaml.Node) (int, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		p.errorf(n, ErrBadValue, "want a whole number, found %s", kindName(n))
		return 0, false
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil {
		p.errorf(n, ErrBadValue, "want a whole number, found %q", n.Value)
		return 0, false
	}
	return v, true
}

func (p *parser) nonNegative(n *yaml.Node, max int) int {
	v, ok := p.int(n)
	if ok && (v < 0 || v > max) {
		p.errorf(n, ErrBadValue, "want a number from 0 to %d, found %d", max, v)
		return 0
	}
	return v
}

func (p *parser) bool(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		p.errorf(n, ErrBadValue, "want true or false, found %s", kindName(n))
		return false
	}
	return n.Value == "true" || n.Value == "True" || n.Value == "TRUE"
}

// strings reads a list of strings; a single string is a list of one.
func (p *parser) strings(n *yaml.Node, each func(s string, n *yaml.Node)) {
	if n.Kind == yaml.ScalarNode {
		if s, ok := p.str(n); ok {
			each(s, n)
		}
		return
	}
	if !p.kind(n, yaml.SequenceNode, "a list of strings") {
		return
	}
	for _, e := range n.Content {
		if s, ok := p.str(e); ok {
			each(s, e)
		}
	}
}

func (p *parser) patterns(n *yaml.Node) []Pattern {
	var out []Pattern
	p.strings(n, func(s string, n *yaml.Node) { out = append(out, Pattern{Expr: s, Pos: p.pos(n)}) })
	return out
}

// rulePatterns reads a rule's patterns: strings, or mappings with a
// pattern and its own literals or sequence.
func (p *parser) rulePatterns(n *yaml.Node) []Pattern {
	if n.Kind != yaml.SequenceNode {
		return p.patterns(n)
	}
	var out []Pattern
	for _, e := range n.Content {
		if e.Kind != yaml.MappingNode {
			if s, ok := p.str(e); ok {
				out = append(out, Pattern{Expr: s, Pos: p.pos(e)})
			}
			continue
		}
		var pat Pattern
		found := false
		p.mapping(e, func(key string, k, v *yaml.Node) {
			switch key {
			case "pattern":
				if s, ok := p.str(v); ok {
					pat.Expr, pat.Pos, found = s, p.pos(v), true
				}
			case "literals":
				pat.Literals = p.literals(v)
			case "sequence":
				pat.HasSequence = true
				if v.Kind == yaml.SequenceNode {
					for _, sn := range v.Content {
						pat.Sequence = append(pat.Sequence, p.parseStep(sn))
					}
				} else {
					p.errorf(v, ErrBadValue, "want a list of steps, found %s", kindName(v))
				}
			default:
				p.errorf(k, ErrUnknownKey, "%q in a pattern (want pattern, literals or sequence)", key)
			}
		})
		if !found {
			p.errorf(e, ErrMissing, "pattern")
			continue
		}
		out = append(out, pat)
	}
	return out
}

func (p *parser) literals(n *yaml.Node) []string {
	var out []string
	p.strings(n, func(s string, n *yaml.Node) { out = append(out, s) })
	return out
}

func (p *parser) refs(n *yaml.Node) []Ref {
	var out []Ref
	p.strings(n, func(s string, n *yaml.Node) { out = append(out, Ref{Name: s, Pos: p.pos(n)}) })
	return out
}

func (p *parser) parseRule(n *yaml.Node) *Rule {
	r := &Rule{Pos: p.pos(n), keyPos: map[string]Pos{}, Severity: SeverityError, Retry: RetryUnknown}
	p.rule = ""
	if n.Kind == yaml.MappingNode {
		// Find the id first so that every error of this rule can name it.
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "id" && n.Content[i+1].Kind == yaml.ScalarNode {
				p.rule = n.Content[i+1].Value
			}
		}
	}
	defer func() { p.rule = "" }()
	p.mapping(n, func(key string, k, v *yaml.Node) {
		r.keyPos[key] = p.pos(v)
		switch key {
		case "id":
			r.ID, _ = p.str(v)
		case "group":
			r.Group, _ = p.str(v)
		case "title":
			r.Title, _ = p.str(v)
		case "severity":
			if s, ok := p.str(v); ok {
				sev, err := ParseSeverity(s)
				if err != nil {
					p.errorf(v, ErrBadValue, "severity %q (want error, warning or info)", s)
				}
				r.Severity = sev
			}
		case "priority":
			r.Priority, _ = p.int(v)
		case "pattern", "patterns":
			r.Patterns = append(r.Patterns, p.rulePatterns(v)...)
		case "literals":
			r.Literals = p.literals(v)
		case "exclude":
			r.Exclude = p.patterns(v)
		case "sequence":
			if p.kind(v, yaml.SequenceNode, "a list of steps") {
				for _, sn := range v.Content {
					r.Sequence = append(r.Sequence, p.parseStep(sn))
				}
			}
		case "collect":
			r.Collect = p.parseCollect(v)
		case "unless":
			st := p.parseStep(v)
			r.Unless = &st
		case "remediation":
			r.Remediation, _ = p.str(v)
		case "links":
			p.strings(v, func(s string, n *yaml.Node) { r.Links = append(r.Links, s) })
		case "retry":
			if s, ok := p.str(v); ok {
				r.Retry = Retry(s)
			}
		case "suppresses":
			r.Suppresses = p.refs(v)
		case "fallback":
			r.Fallback = p.bool(v)
		case "outcome":
			if s, ok := p.str(v); ok {
				r.Outcome = Outcome(s)
			}
		case "issue":
			r.NoIssue = !p.bool(v)
		case "keep_on_success":
			r.KeepOnSuccess = p.bool(v)
		case "override":
			r.Override = p.bool(v)
		case "patch":
			r.Patch = p.bool(v)
		case "context":
			p.mapping(v, func(key string, k, v *yaml.Node) {
				switch key {
				case "before":
					r.Context.Before = p.nonNegative(v, maxContextLines)
				case "after":
					r.Context.After = p.nonNegative(v, maxContextLines)
				default:
					p.errorf(k, ErrUnknownKey, "%q in context (want before or after)", key)
				}
			})
		case "examples":
			p.mapping(v, func(key string, k, v *yaml.Node) {
				switch key {
				case "match":
					r.Examples.Match = p.parseExamples(v, true)
				case "no_match":
					r.Examples.NoMatch = p.parseExamples(v, false)
				default:
					p.errorf(k, ErrUnknownKey, "%q in examples (want match or no_match)", key)
				}
			})
		default:
			p.errorf(k, ErrUnknownKey, "%q in a rule%s", key, didYouMean(key, ruleKeys))
		}
	})
	if n.Kind != yaml.MappingNode {
		return nil
	}
	return r
}

func (p *parser) parseStep(n *yaml.Node) Step {
	s := Step{Within: 1}
	var found bool
	p.mapping(n, func(key string, k, v *yaml.Node) {
		switch key {
		case "pattern":
			if e, ok := p.str(v); ok {
				s.Pattern = Pattern{Expr: e, Pos: p.pos(v)}
				found = true
			}
		case "within":
			s.withinPos = p.pos(v)
			s.Within = p.nonNegative(v, maxWithin)
			if s.Within == 0 {
				p.errorf(v, ErrBadValue, "within must be at least 1")
			}
		default:
			p.errorf(k, ErrUnknownKey, "%q in a sequence step (want pattern or within)", key)
		}
	})
	if n.Kind == yaml.MappingNode && !found {
		p.errorf(n, ErrMissing, "pattern in a sequence step")
	}
	return s
}

func (p *parser) parseCollect(n *yaml.Node) *Collect {
	c := &Collect{Max: 20, Within: 20}
	p.mapping(n, func(key string, k, v *yaml.Node) {
		switch key {
		case "pattern":
			if e, ok := p.str(v); ok {
				c.Pattern = Pattern{Expr: e, Pos: p.pos(v)}
			}
		case "field":
			c.Field, _ = p.str(v)
		case "max":
			c.Max = p.nonNegative(v, maxCollect)
		case "within":
			c.Within = p.nonNegative(v, maxWithin)
		default:
			p.errorf(k, ErrUnknownKey, "%q in collect (want pattern, field, max or within)", key)
		}
	})
	if n.Kind != yaml.MappingNode {
		return nil
	}
	c.pos = p.pos(n)
	if c.Max == 0 || c.Within == 0 {
		p.errorf(n, ErrBadValue, "collect max and within must be at least 1")
	}
	return c
}

func (p *parser) parseExamples(n *yaml.Node, match bool) []Example {
	var out []Example
	if !p.kind(n, yaml.SequenceNode, "a list of examples") {
		return nil
	}
	for _, e := range n.Content {
		ex := Example{Pos: p.pos(e)}
		switch e.Kind {
		case yaml.ScalarNode:
			ex.Text, _ = p.str(e)
		case yaml.MappingNode:
			p.mapping(e, func(key string, k, v *yaml.Node) {
				switch key {
				case "text":
					ex.Text, _ = p.str(v)
					ex.Pos = p.pos(v)
				case "fields":
					if !match {
						p.errorf(k, ErrUnknownKey, "fields in a no_match example")
						return
					}
					ex.Fields = map[string]string{}
					p.mapping(v, func(name string, k, v *yaml.Node) {
						s, _ := p.str(v)
						ex.Fields[name] = s
					})
				default:
					p.errorf(k, ErrUnknownKey, "%q in an example (want text or fields)", key)
				}
			})
		default:
			p.errorf(e, ErrBadValue, "want an example line or a mapping with text and fields, found %s", kindName(e))
			continue
		}
		out = append(out, ex)
	}
	return out
}
