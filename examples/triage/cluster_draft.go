package main

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/buildlog/buildlog/classify"
)

// This file turns a cluster's template into a draft catalog rule: a
// pattern with a named capture for each variable part, the cluster's real
// lines as match examples.

// fingerprintMasks are the masks of classify.Fingerprint, with the
// expression a draft pattern matches each with and the name of its capture.
var fingerprintMasks = []struct{ mask, expr, name string }{
	{classify.MaskNumber, `\d+`, "number"},
	{classify.MaskVersion, `[vV]?\d+(?:[.:]\d+)+(?:[A-Za-z]+\d*)?(?:[-+~.][A-Za-z0-9]+)*`, "version"},
	{classify.MaskHex, `[\w-]+`, "id"},
	{classify.MaskPath, `(?:[A-Za-z]:)?[^\s:'"(),;]+`, "path"},
	{classify.MaskURL, "[^\\s\"'`>)\\]]+", "url"},
	{classify.MaskHost, `[a-z0-9.-]+`, "host"},
	{classify.MaskTime, `\d[\d:.,/TZ+-]*(?: \d[\d:.,Z+-]*)?`, "time"},
	{classify.MaskTemp, `\w+`, "tmp"},
	{classify.MaskQuoted, `.+?`, "name"},
}

// draftPattern builds the pattern of a template: literal text quoted,
// spaces as \s+, each mask and wildcard a named capture. spacey[i] says
// that the wildcard at token i stood for text with spaces in it.
func draftPattern(template []string, spacey []bool) string {
	var b strings.Builder
	names := map[string]int{}
	capture := func(name, expr string) {
		names[name]++
		if k := names[name]; k > 1 {
			name = fmt.Sprintf("%s_%d", name, k)
		}
		fmt.Fprintf(&b, "(?<%s>%s)", name, expr)
	}
	for i, tok := range template {
		if i > 0 {
			b.WriteString(`\s+`)
		} else if isVariable(tok) && !startsLiteral(tok) {
			// no unbounded class at the start: a backtracking engine
			// would retry it from every position of a line
			b.WriteString(`(?<!\S)`)
		}
		if tok == drainWildcard {
			if i < len(spacey) && spacey[i] {
				capture("value", `.+?`)
			} else {
				capture("value", `\S+`)
			}
			continue
		}
		for tok != "" {
			at, k := -1, -1
			for j, m := range fingerprintMasks {
				if p := strings.Index(tok, m.mask); p >= 0 && (at < 0 || p < at) {
					at, k = p, j
				}
			}
			if at < 0 {
				b.WriteString(regexp.QuoteMeta(tok))
				break
			}
			b.WriteString(regexp.QuoteMeta(tok[:at]))
			capture(fingerprintMasks[k].name, fingerprintMasks[k].expr)
			tok = tok[at+len(fingerprintMasks[k].mask):]
		}
	}
	return b.String()
}

// startsLiteral reports whether a token starts with literal text, before
// any mask.
func startsLiteral(tok string) bool {
	if tok == drainWildcard {
		return false
	}
	for _, m := range fingerprintMasks {
		if strings.HasPrefix(tok, m.mask) {
			return false
		}
	}
	return true
}

// longestLiteral returns the longest run of literal text in a template's
// tokens, the prefilter's best literal.
func longestLiteral(template []string) string {
	best := ""
	for _, tok := range template {
		if tok == drainWildcard {
			continue
		}
		for _, part := range splitMasks(tok) {
			if len(part) > len(best) {
				best = part
			}
		}
	}
	return best
}

func splitMasks(tok string) []string {
	parts := []string{tok}
	for _, m := range fingerprintMasks {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, m.mask)...)
		}
		parts = next
	}
	return parts
}

// draftID makes a snake_case id from the template's first words.
func draftID(rank int, template []string) string {
	words := []string{fmt.Sprintf("draft_%02d", rank)}
	for _, tok := range template {
		if len(words) > 5 {
			break
		}
		if isVariable(tok) {
			continue
		}
		var w strings.Builder
		for _, c := range strings.ToLower(tok) {
			if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' && w.Len() > 0 {
				w.WriteRune(c)
			}
		}
		if w.Len() > 1 {
			words = append(words, w.String())
		}
	}
	return strings.Join(words, "_")
}

// yamlQuote writes s as a YAML scalar: single-quoted, or double-quoted
// with escapes when it holds characters single quotes cannot.
func yamlQuote(s string) string {
	plain := utf8.ValidString(s)
	for _, r := range s {
		if r < 0x20 && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 || r == 0xfeff || r == 0x2028 || r == 0x2029 {
			plain = false
		}
	}
	if plain {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r == 0xfeff || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += n
	}
	b.WriteByte('"')
	return b.String()
}

// draftRule writes a cluster's rule as an item of a catalog's rules list,
// indented for a file that starts "schema: 1\nrules:". A draft lint would
// not accept (no literal for the prefilter, or a pattern that misses one of
// the examples) is written commented out, with the reason.
func draftRule(c *clusterOut) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("  # cluster %d: %s, %s; template: %s\n", c.Rank, plural(c.Builds, "build"), plural(c.Fingerprints, "fingerprint"), sanitize(c.Template))
	p("  # rename the id, write the title and remediation, add links, no_match examples and suppresses\n")
	var why string
	switch {
	case len(longestLiteral(c.tokens)) < 4:
		why = "the template has no literal of 4 bytes for the prefilter: add words to the pattern, or literals"
	case !c.Verified:
		why = "the pattern does not match every example: edit it"
	}
	if why != "" {
		p("  # left commented out: %s\n", why)
	}
	title := c.Template
	if len(title) > 100 {
		title = title[:100]
		for !utf8.ValidString(title) {
			title = title[:len(title)-1]
		}
	}
	var r strings.Builder
	q := func(format string, args ...any) { fmt.Fprintf(&r, format, args...) }
	q("  - id: %s\n", c.ID)
	q("    group: draft\n")
	q("    title: %s\n", yamlQuote("TODO: "+title))
	q("    severity: error\n")
	q("    priority: 50\n")
	q("    retry: unknown\n")
	q("    patterns:\n")
	q("      - %s\n", yamlQuote(c.Pattern))
	q("    remediation: %s\n", yamlQuote("TODO: say what to do about: "+title))
	q("    examples:\n")
	q("      match:\n")
	for _, e := range c.Examples {
		q("        - %s\n", yamlQuote(e.Text))
	}
	rule := r.String()
	if why != "" {
		c.DraftNote = "left commented out: " + why
		lines := strings.Split(strings.TrimSuffix(rule, "\n"), "\n")
		for i, l := range lines {
			lines[i] = "  # " + strings.TrimPrefix(l, "  ")
		}
		rule = strings.Join(lines, "\n") + "\n"
	}
	b.WriteString(rule)
	return b.String()
}

// draftUsable reports whether a draft is written as a rule, not commented out.
func draftUsable(c *clusterOut) bool {
	return c.Verified && len(longestLiteral(c.tokens)) >= 4
}

// draftCatalog writes the drafts of clusters as one catalog file.
func draftCatalog(clusters []clusterOut) string {
	var b strings.Builder
	b.WriteString("# Draft rules for failures no rule of the catalog explains, written by\n")
	b.WriteString("# triage cluster. Check them with: triage lint FILE\n")
	usable := 0
	for i := range clusters {
		if draftUsable(&clusters[i]) {
			usable++
		}
	}
	if usable == 0 {
		b.WriteString("schema: 1\nrules: []\n")
	} else {
		b.WriteString("schema: 1\nrules:\n")
	}
	for i := range clusters {
		b.WriteByte('\n')
		b.WriteString(clusters[i].Draft)
	}
	return b.String()
}

// verifyDraft compiles the draft's pattern as a rule of its own and checks
// that it matches every example line.
func verifyDraft(c *clusterOut) bool {
	ex := classify.Examples{}
	for _, e := range c.Examples {
		ex.Match = append(ex.Match, classify.Example{Text: e.Text})
	}
	cat := &classify.Catalog{Rules: []*classify.Rule{{
		ID: c.ID, Group: "draft", Title: "draft", Severity: classify.SeverityError,
		Patterns: []classify.Pattern{{Expr: c.Pattern}}, Examples: ex,
	}}}
	_, err := classify.Compile(cat, classify.WithExamples())
	return err == nil
}
