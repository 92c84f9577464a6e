package classify

import (
	"math/bits"
	"regexp/syntax"
	"sort"
	"strings"
)

// This file finds, for each pattern, a set of literals of which every line the
// pattern matches must contain at least one. The prefilter looks for those
// literals; a pattern whose literals are all absent is never run.

// minLiteral is the shortest literal the prefilter can use: it hashes the
// first four bytes of each literal.
const minLiteral = 4

// maxSetSize bounds the sets of strings built while walking a pattern, so that
// a pattern such as [a-z]{9} does not explode into billions of strings.
const maxSetSize = 64

// noLiteral is written in place of lookarounds and backreferences before
// parsing with regexp/syntax: it matches the empty string, so it never adds a
// literal, and as a star it breaks the run of literals around it.
const noLiteral = `(?:\x00*)`

// relax rewrites regexp2-only syntax into the syntax of Go's regexp so that
// the pattern can be parsed for literals. The result may match more lines than
// the original but never contains a literal the original does not require.
func relax(expr string) string {
	var b strings.Builder
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '\\' && i+1 < len(expr):
			n := expr[i+1]
			switch {
			case n >= '1' && n <= '9': // backreference
				j := i + 1
				for j < len(expr) && expr[j] >= '0' && expr[j] <= '9' {
					j++
				}
				b.WriteString(noLiteral)
				i = j
			case n == 'k' && i+2 < len(expr) && (expr[i+2] == '<' || expr[i+2] == '\'' || expr[i+2] == '{'):
				end := strings.IndexAny(expr[i+3:], ">'}")
				if end < 0 {
					b.WriteString(expr[i:])
					return b.String()
				}
				b.WriteString(noLiteral)
				i += 3 + end + 1
			default:
				b.WriteString(expr[i : i+2])
				i += 2
			}
		case c == '[':
			j := classEnd(expr, i)
			b.WriteString(expr[i:j])
			i = j
		case c == '(' && strings.HasPrefix(expr[i:], "(?"):
			rest := expr[i+2:]
			switch {
			case strings.HasPrefix(rest, "="), strings.HasPrefix(rest, "!"),
				strings.HasPrefix(rest, "<="), strings.HasPrefix(rest, "<!"):
				b.WriteString(noLiteral)
				i = groupEnd(expr, i)
			case strings.HasPrefix(rest, ">"):
				b.WriteString("(?:")
				i += 3
			case strings.HasPrefix(rest, "<"):
				b.WriteString("(?P<")
				i += 3
			case strings.HasPrefix(rest, "'"):
				end := strings.IndexByte(rest[1:], '\'')
				if end < 0 {
					b.WriteString(expr[i:])
					return b.String()
				}
				b.WriteString("(?P<" + rest[1:1+end] + ">")
				i += 2 + 1 + end + 1
			default:
				b.WriteString("(?")
				i += 2
			}
		case (c == '+') && i > 0 && isQuantifierEnd(expr[i-1]):
			// possessive quantifier: drop the extra +
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

func isQuantifierEnd(c byte) bool { return c == '*' || c == '+' || c == '?' || c == '}' }

// classEnd returns the index just past the character class starting at i.
func classEnd(expr string, i int) int {
	j := i + 1
	if j < len(expr) && expr[j] == '^' {
		j++
	}
	if j < len(expr) && expr[j] == ']' {
		j++
	}
	for j < len(expr) {
		switch expr[j] {
		case '\\':
			j += 2
			continue
		case '[':
			if strings.HasPrefix(expr[j:], "[:") {
				if k := strings.Index(expr[j+2:], ":]"); k >= 0 {
					j += 2 + k + 2
					continue
				}
			}
		case ']':
			return j + 1
		}
		j++
	}
	return len(expr)
}

// groupEnd returns the index just past the group that opens at i.
func groupEnd(expr string, i int) int {
	depth := 0
	for j := i; j < len(expr); {
		switch expr[j] {
		case '\\':
			j += 2
			continue
		case '[':
			j = classEnd(expr, j)
			continue
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
		j++
	}
	return len(expr)
}

// requiredLiterals returns a set of lower-case literals, each at least
// minLiteral bytes, such that every string the pattern matches contains one
// of them; nil if the pattern has no such set.
func requiredLiterals(expr string) []string {
	return treeLiterals(parseTree(expr))
}

// parseTree parses a pattern, relaxed, into the syntax tree that Compile
// learns everything else from (literals, group names, leading repetitions,
// witnesses): one parse per pattern. nil if it cannot be parsed.
func parseTree(expr string) *syntax.Regexp {
	re, err := syntax.Parse(relax(expr), syntax.Perl)
	if err != nil {
		return nil
	}
	return re
}

// treeLiterals is requiredLiterals of a parsed pattern.
func treeLiterals(re *syntax.Regexp) []string {
	if re == nil {
		return nil
	}
	req := analyze(re).best()
	if shortest(req) < minLiteral {
		return nil
	}
	return req
}

// info is what analyze knows about the strings a node matches. Each field is
// a set of lower-case strings, or nil when nothing useful is known:
//
//	exact   every match is one of these
//	prefix  every match starts with one of these
//	suffix  every match ends with one of these
//	req     every match contains one of these
type info struct {
	exact, prefix, suffix, req []string
}

// best is the best set of which every match contains a member.
func (in info) best() []string {
	return better(better(better(in.req, in.exact), in.prefix), in.suffix)
}

func exactInfo(set []string) info { return info{exact: set, prefix: set, suffix: set, req: set} }

// analyze walks a pattern's syntax tree.
func analyze(re *syntax.Regexp) info {
	switch re.Op {
	case syntax.OpLiteral:
		return exactInfo([]string{lowerASCII(string(re.Rune))})
	case syntax.OpCharClass:
		var set []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				set = append(set, lowerASCII(string(r)))
				if len(set) > maxSetSize {
					return info{}
				}
			}
		}
		return exactInfo(dedupe(set))
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return exactInfo([]string{""})
	case syntax.OpCapture:
		return analyze(re.Sub[0])
	case syntax.OpQuest:
		if sub := analyze(re.Sub[0]); sub.exact != nil && len(sub.exact) < maxSetSize {
			return exactInfo(dedupe(append([]string{""}, sub.exact...)))
		}
		return info{}
	case syntax.OpPlus:
		sub := analyze(re.Sub[0])
		return info{prefix: sub.prefix, suffix: sub.suffix, req: sub.best()}
	case syntax.OpRepeat:
		sub := analyze(re.Sub[0])
		switch {
		case re.Min == 0 && re.Max == 1 && sub.exact != nil && len(sub.exact) < maxSetSize:
			return exactInfo(dedupe(append([]string{""}, sub.exact...)))
		case re.Min == 0:
			return info{}
		case sub.exact != nil && re.Min == re.Max && re.Min <= 8:
			out := []string{""}
			for k := 0; k < re.Min && out != nil; k++ {
				out = cross(out, sub.exact)
			}
			if out != nil {
				return exactInfo(out)
			}
		}
		return info{prefix: sub.prefix, suffix: sub.suffix, req: sub.best()}
	case syntax.OpAlternate:
		var out info
		allExact, allPrefix, allSuffix, allReq := true, true, true, true
		for _, sub := range re.Sub {
			in := analyze(sub)
			allExact = allExact && in.exact != nil
			allPrefix = allPrefix && in.prefix != nil
			allSuffix = allSuffix && in.suffix != nil
			out.exact = append(out.exact, in.exact...)
			out.prefix = append(out.prefix, in.prefix...)
			out.suffix = append(out.suffix, in.suffix...)
			if b := in.best(); score(b) > 0 {
				out.req = append(out.req, b...)
			} else {
				allReq = false
			}
		}
		keep := func(ok bool, set []string) []string {
			if !ok || len(set) > maxSetSize {
				return nil
			}
			return dedupe(set)
		}
		return info{exact: keep(allExact, out.exact), prefix: keep(allPrefix, out.prefix),
			suffix: keep(allSuffix, out.suffix), req: keep(allReq, out.req)}
	case syntax.OpConcat:
		var out info
		run := []string{""} // the exact strings matched since the last inexact node
		first := true       // no inexact node seen yet
		for _, sub := range re.Sub {
			in := analyze(sub)
			if in.exact != nil {
				// The node alone may be a better literal than the run
				// grown by it (a run of 63 one-letter strings, say).
				out.req = better(out.req, in.exact)
				if next := cross(run, in.exact); next != nil {
					run = next
					continue
				}
				// Too many combinations: close the run, start anew.
				out.req = better(out.req, run)
				if first {
					out.prefix, first = run, false
				}
				run = in.exact
				continue
			}
			// An inexact node: the run joins its prefix; its suffix starts
			// the next run.
			head := run
			if in.prefix != nil {
				if c := cross(run, in.prefix); c != nil {
					head = c
				}
			}
			out.req = better(better(better(out.req, run), head), in.best())
			if first {
				out.prefix, first = head, false
			}
			run = []string{""}
			if in.suffix != nil {
				run = in.suffix
			}
		}
		out.req = better(out.req, run)
		if first {
			return exactInfo(run)
		}
		out.suffix = run
		return out
	}
	return info{}
}

// cross returns every a+b, or nil if that would be more than maxSetSize.
func cross(as, bs []string) []string {
	if len(as)*len(bs) > maxSetSize {
		return nil
	}
	out := make([]string, 0, len(as)*len(bs))
	for _, a := range as {
		for _, b := range bs {
			out = append(out, a+b)
		}
	}
	return dedupe(out)
}

// shortest returns the length of the shortest member of set (0 if empty).
func shortest(set []string) int {
	if len(set) == 0 {
		return 0
	}
	m := len(set[0])
	for _, s := range set[1:] {
		m = min(m, len(s))
	}
	return m
}

// score rates a literal set: longer literals are rarer, so fewer lines reach
// the regex; but each doubling of the set costs half a byte, since every
// member is looked for. Past 16 bytes, length gains nothing more. A member of
// exactly minLiteral bytes costs more than its own rarity: the shortest
// literal of the whole catalog sets the prefilter's stride (prefilter.go),
// and a 4-byte one makes it read every position of every line. Sets with a
// member shorter than minLiteral score 0: the prefilter cannot use them.
func score(set []string) int {
	n := shortest(set)
	if n < minLiteral {
		return 0 // the prefilter cannot use it
	}
	s := 4*min(n, 16) - 2*bits.Len(uint(len(set)-1))
	if n == minLiteral {
		s -= 8
	}
	return max(s, 1)
}

func better(a, b []string) []string {
	sa, sb := score(a), score(b)
	switch {
	case sb > sa:
		return b
	case sb == sa && sb > 0 && len(b) < len(a):
		return b
	}
	return a
}

func dedupe(set []string) []string {
	if len(set) < 2 {
		return set
	}
	sort.Strings(set)
	out := set[:1]
	for _, s := range set[1:] {
		if s != out[len(out)-1] {
			out = append(out, s)
		}
	}
	return out
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// caselessClasses rewrites a case-insensitive pattern so that classes which
// case folding cannot change — \S, \d, \w and their kind, and bracketed
// classes without letters such as [^/\s"] — are marked case-sensitive with
// (?-i:…). The pattern means the same, but regexp2 no longer computes the
// case variants of every character such a class holds, which took tens of
// milliseconds per pattern. Patterns without (?i are returned as they are.
func caselessClasses(expr string) string {
	if !strings.Contains(expr, "(?i") {
		return expr
	}
	var b strings.Builder
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '\\' && i+1 < len(expr):
			if strings.IndexByte("sSdDwW", expr[i+1]) >= 0 {
				b.WriteString("(?-i:" + expr[i:i+2] + ")")
			} else {
				b.WriteString(expr[i : i+2])
			}
			i += 2
		case c == '[':
			j := classEnd(expr, i)
			class := expr[i:j]
			if caseless(class) {
				b.WriteString("(?-i:" + class + ")")
			} else {
				b.WriteString(class)
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// caseless reports whether a bracketed class holds no character whose case
// can change: no letters, no escapes that name characters, nothing
// non-ASCII. \s, \d and \w inside are fine: they are closed under case.
func caseless(class string) bool {
	if strings.HasPrefix(class, "[[:") {
		return false
	}
	for i := 0; i < len(class); i++ {
		c := class[i]
		switch {
		case c >= 0x80:
			return false
		case c == '\\' && i+1 < len(class):
			if strings.IndexByte("sSdDwW\\-]^[./\"'`,:;!?#%&*+=<>|{}()@~ ", class[i+1]) < 0 {
				return false
			}
			i++
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			return false
		}
	}
	return true
}

// leadingRepeat reports whether a pattern starts with an unbounded
// repetition of a character class, with no anchor or look-behind before it,
// such as `(?<file>[\w./-]+)\.c:`. A backtracking engine tries such a
// pattern from every position of the line and runs the repetition to its
// end each time: quadratic work on a long line.
func leadingRepeat(expr string) bool { return treeLeadingRepeat(parseTree(expr)) }

// treeLeadingRepeat is leadingRepeat of a parsed pattern.
func treeLeadingRepeat(re *syntax.Regexp) bool {
	// A look-behind in front, relaxed to noLiteral, guards where a match
	// may start: the walk below then finds a repetition of \x00, not of a
	// class.
	if re == nil {
		return false
	}
	for {
		switch re.Op {
		case syntax.OpCapture:
			re = re.Sub[0]
			continue
		case syntax.OpConcat, syntax.OpAlternate:
			if re.Op == syntax.OpAlternate {
				for _, sub := range re.Sub {
					if leadingRepeatNode(sub) {
						return true
					}
				}
				return false
			}
			re = re.Sub[0]
			continue
		}
		return leadingRepeatNode(re)
	}
}

func leadingRepeatNode(re *syntax.Regexp) bool {
	for re.Op == syntax.OpCapture || re.Op == syntax.OpConcat && len(re.Sub) > 0 {
		re = re.Sub[0]
	}
	switch re.Op {
	case syntax.OpPlus, syntax.OpStar:
	case syntax.OpRepeat:
		if re.Max != -1 {
			return false
		}
	default:
		return false
	}
	switch re.Sub[0].Op {
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return true
	}
	return false
}

// witnesses returns a few strings that the pattern's syntax tree matches:
// the shortest-looking one first, then one through each other alternative,
// optional part and character class choice, one change at a time. They are
// candidates only (lookarounds and backreferences were relaxed away), to be
// confirmed with the real regular expression.
func witnesses(re *syntax.Regexp) []string {
	const most = 64
	switch re.Op {
	case syntax.OpLiteral:
		return []string{string(re.Rune)}
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return nil
		}
		return []string{string(pickRune(re.Rune))}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return []string{"x"}
	case syntax.OpCapture, syntax.OpPlus:
		return witnesses(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		return append([]string{""}, witnesses(re.Sub[0])...)
	case syntax.OpRepeat:
		sub := witnesses(re.Sub[0])
		if len(sub) == 0 {
			return nil
		}
		n := min(re.Min, 8)
		out := make([]string, 0, len(sub))
		for _, w := range sub {
			out = append(out, strings.Repeat(w, n))
		}
		if n == 0 {
			out = append(out, sub...)
		}
		return dedupe(out)
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			out = append(out, witnesses(sub)...)
		}
		return dedupe(out[:min(len(out), most)])
	case syntax.OpConcat:
		parts := make([][]string, len(re.Sub))
		for i, sub := range re.Sub {
			if parts[i] = witnesses(sub); len(parts[i]) == 0 {
				return nil
			}
		}
		join := func(i int, w string) string {
			var b strings.Builder
			for k, p := range parts {
				if k == i {
					b.WriteString(w)
				} else {
					b.WriteString(p[0])
				}
			}
			return b.String()
		}
		out := []string{join(-1, "")}
		for i, p := range parts {
			for _, w := range p[1:] {
				if len(out) == most {
					return out
				}
				out = append(out, join(i, w))
			}
		}
		return out
	}
	return []string{""}
}

// pickRune returns a rune of a class's ranges, a letter or digit if it has
// one (what a log line would hold), else its first.
func pickRune(ranges []rune) rune {
	for _, want := range [][2]rune{{'a', 'z'}, {'A', 'Z'}, {'0', '9'}, {'!', '~'}} {
		for i := 0; i+1 < len(ranges); i += 2 {
			lo, hi := max(ranges[i], want[0]), min(ranges[i+1], want[1])
			if lo <= hi {
				return lo
			}
		}
	}
	return ranges[0]
}

// unimpliedLiteral returns a string that matches accepts and that holds none
// of the lower-case lits, found among the witnesses of a parsed pattern, or ""
// when none is found (which does not prove there is none).
func unimpliedLiteral(tree *syntax.Regexp, lits []string, matches func(string) bool) string {
	if tree == nil {
		return ""
	}
	for _, w := range witnesses(tree.Simplify()) {
		if w == "" || strings.ContainsRune(w, 0) {
			continue
		}
		lw := lowerASCII(w)
		held := false
		for _, l := range lits {
			if strings.Contains(lw, l) {
				held = true
				break
			}
		}
		if !held && matches(w) {
			return w
		}
	}
	return ""
}
