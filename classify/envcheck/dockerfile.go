package envcheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Instruction is one Dockerfile instruction after continuation lines are
// joined.
type Instruction struct {
	Cmd      string   // lower case: "from", "run", ...
	Args     string   // the text after the instruction word and its flags, continuations joined
	JSON     []string // the exec (JSON) form's items, nil for the shell form
	Flags    []string // leading --flag=value words, quotes removed
	Heredocs []Heredoc
	Line     int // first physical line
	EndLine  int // last physical line, heredoc bodies included
	Column   int // column of the instruction word
	ArgsCol  int // column of the text after the instruction word on Line
}

// Heredoc is a here-document body following an instruction.
type Heredoc struct {
	Name string
	Body string // the body lines, each ended by "\n", without the terminator
	Line int    // first line of the body
}

// Dockerfile is a parsed Dockerfile.
type Dockerfile struct {
	Path         string
	Directives   map[string]string // parser directives (syntax, escape, check), keys in lower case
	Escape       byte
	Instructions []Instruction
	Lines        int // physical lines
}

var knownInstructions = map[string]bool{
	"add": true, "arg": true, "cmd": true, "copy": true, "entrypoint": true, "env": true,
	"expose": true, "from": true, "healthcheck": true, "label": true, "maintainer": true,
	"onbuild": true, "run": true, "shell": true, "stopsignal": true, "user": true,
	"volume": true, "workdir": true,
}

// The parser follows the rules of BuildKit's Dockerfile frontend, which is
// what builds the file: where BuildKit would refuse the file, so does
// ParseDockerfile (the build would fail there), and where BuildKit reads a
// line in a surprising way, ParseDockerfile reads it the same way, so that
// line numbers, heredoc bodies and exec forms match what the build sees.
// examples/dockerfilediff holds the differential test that checks this.

// cmdSpace is the white space that separates an instruction word from its
// arguments and the words of FROM, EXPOSE and the shell forms of COPY, ADD
// and VOLUME.
const cmdSpace = " \t\v\f\r"

// directiveSpace is the white space allowed around a directive's "=".
const directiveSpace = " \t\n\f\r"

// The parser directives the builder knows; any other "# key=value" comment
// ends the directives.
var knownDirectives = map[string]bool{"syntax": true, "escape": true, "check": true}

// ParseDockerfile parses Dockerfile text: parser directives, comments,
// continuation lines (with the escape directive), flags, JSON and shell
// forms and heredocs. It refuses, with a positioned error, what the builder
// refuses at parse time. It runs in time linear in the input.
func ParseDockerfile(file string, b []byte) (*Dockerfile, error) {
	if len(b) > MaxFileBytes {
		return nil, refuse(Pos{File: file}, "file larger than %d bytes", MaxFileBytes)
	}
	if err := checkText(file, b); err != nil {
		return nil, err
	}
	text := strings.TrimPrefix(string(b), "\uFEFF")
	lines := strings.Split(text, "\n")
	if len(lines) > MaxDockerfileLines {
		return nil, refuse(Pos{File: file, Line: MaxDockerfileLines + 1, Column: 1}, "Dockerfile longer than %d lines", MaxDockerfileLines)
	}
	if n := len(lines); lines[n-1] == "" {
		// a final newline ends the last line; it does not start another
		lines = lines[:n-1]
	}
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], "\r")
	}
	d := &Dockerfile{Path: file, Directives: map[string]string{}, Escape: '\\', Lines: len(lines)}
	p := &dfParser{file: file, lines: lines}

	// Parser directives: the leading comment lines of the form "# key=value"
	// with a known key. Anything else, a blank line included, ends them.
	i := 0
	for ; i < len(lines); i++ {
		k, v, ok := directive(lines[i])
		if !ok || !knownDirectives[k] {
			break
		}
		if _, dup := d.Directives[k]; dup {
			return nil, &Error{Pos: Pos{file, i + 1, 1}, Msg: "only one " + k + " parser directive can be used"}
		}
		d.Directives[k] = v
		if k == "escape" {
			switch v {
			case "`", `\`:
				d.Escape = v[0]
			default:
				return nil, &Error{Pos: Pos{file, i + 1, 1}, Msg: "invalid escape directive " + v + " (want \\ or `)"}
			}
		}
	}
	p.esc = d.Escape

	for i < len(lines) {
		start := i
		first := strings.TrimLeftFunc(lines[i], unicode.IsSpace)
		i++
		if first == "" || first[0] == '#' {
			continue
		}
		seg, more := p.cutContinuation(first)
		var sb strings.Builder
		sb.WriteString(seg)
		// Continuation lines keep their leading white space; comment lines
		// and blank lines inside a continuation are skipped.
		for more && i < len(lines) {
			l := lines[i]
			i++
			t := strings.TrimLeftFunc(l, unicode.IsSpace)
			if t == "" || t[0] == '#' {
				continue
			}
			seg, more = p.cutContinuation(l)
			sb.WriteString(seg)
		}
		line := sb.String()

		raw := lines[start]
		in := Instruction{Line: start + 1, EndLine: i, Column: len(raw) - len(first) + 1}
		word := first
		if k := strings.IndexAny(first, cmdSpace); k >= 0 {
			word = first[:k]
		}
		rest := first[len(word):]
		in.ArgsCol = in.Column + len(word) + (len(rest) - len(strings.TrimLeft(rest, cmdSpace)))

		heredocs, err := p.command(line, &in, 0)
		if err != nil {
			return nil, p.errAt(start, err)
		}
		if heredocs && strings.Contains(line, "<<") {
			docs, err := heredocWords(line)
			if err != nil {
				return nil, p.errAt(start, err)
			}
			for _, h := range docs {
				hd := Heredoc{Name: h.name, Line: i + 1}
				var body strings.Builder
				done := false
				for i < len(lines) {
					l := lines[i]
					i++
					t := l
					if h.chomp {
						t = strings.TrimLeft(t, "\t")
					}
					if t == h.name {
						done = true
						break
					}
					body.WriteString(l)
					body.WriteByte('\n')
				}
				if !done {
					return nil, &Error{Pos: Pos{file, start + 1, 1}, Msg: "unterminated heredoc " + h.name}
				}
				hd.Body = body.String()
				in.Heredocs = append(in.Heredocs, hd)
			}
			in.EndLine = i
		}
		d.Instructions = append(d.Instructions, in)
	}
	if len(d.Instructions) == 0 {
		return nil, &Error{Pos: Pos{File: file, Line: 1, Column: 1}, Msg: "the Dockerfile has no instructions"}
	}
	return d, nil
}

type dfParser struct {
	file  string
	lines []string
	esc   byte
}

// errTooDeep is returned for substitutions or ONBUILD triggers nested
// deeper than MaxNestingDepth; the file is refused.
var errTooDeep = errors.New("nested too deeply")

func (p *dfParser) errAt(line int, err error) error {
	if err == errTooDeep {
		return refuse(Pos{p.file, line + 1, 1}, "substitutions or ONBUILD triggers nested deeper than %d levels", MaxNestingDepth)
	}
	return &Error{Pos: Pos{p.file, line + 1, 1}, Msg: err.Error()}
}

// directive reads a line as a parser directive "# key=value": an ASCII
// letter and letters or digits, then "=" and a value, white space around
// both trimmed. The key is returned in lower case.
func directive(line string) (key, value string, ok bool) {
	l := strings.TrimLeftFunc(line, unicode.IsSpace)
	l, ok = strings.CutPrefix(l, "#")
	if !ok {
		return "", "", false
	}
	l = strings.TrimLeftFunc(l, unicode.IsSpace)
	k := 0
	for k < len(l) && (isASCIILetter(l[k]) || k > 0 && l[k] >= '0' && l[k] <= '9') {
		k++
	}
	after := strings.TrimLeft(l[k:], directiveSpace)
	if k == 0 || !strings.HasPrefix(after, "=") || len(after) == 1 {
		return "", "", false
	}
	v := after[1:]
	t := strings.Trim(v, directiveSpace)
	if t == "" {
		// only white space after "=": the value is its last character,
		// which the builder then refuses as an escape token
		t = v[len(v)-1:]
	}
	return strings.ToLower(l[:k]), t, true
}

func isASCIILetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

// cutContinuation reports whether a line ends in the escape character (white
// space after it allowed) that is not itself escaped, and returns the line
// without it and the white space after it.
func (p *dfParser) cutContinuation(l string) (string, bool) {
	t := strings.TrimRight(l, " \t")
	n := len(t)
	if n > 0 && t[n-1] == p.esc && (n == 1 || t[n-2] != p.esc) {
		return t[:n-1], true
	}
	return l, false
}

var errNotStrings = errors.New("when using JSON array syntax, arrays must be comprised of strings only")

// command parses a joined instruction line into in (Cmd, Flags, Args,
// JSON) and reports whether heredocs may follow it.
func (p *dfParser) command(line string, in *Instruction, depth int) (bool, error) {
	word, flags, args := p.split(line)
	in.Cmd = strings.ToLower(word)
	in.Flags = flags
	in.Args = args
	var err error
	switch in.Cmd {
	case "run", "cmd", "entrypoint", "shell", "add", "copy", "volume":
		in.JSON, err = maybeJSON(args)
	case "healthcheck":
		// HEALTHCHECK [flags] TYPE [command]: the command may be JSON
		after := ""
		if k := strings.IndexFunc(args, unicode.IsSpace); k >= 0 {
			after = strings.TrimLeftFunc(args[k:], unicode.IsSpace)
		}
		in.JSON, err = maybeJSON(after)
	case "env", "label":
		err = p.checkNameVal(args, word)
	case "onbuild":
		if args == "" {
			return false, nil
		}
		// the trigger is parsed as an instruction of its own; a RUN, COPY
		// or ADD trigger in shell form takes heredocs
		if depth >= MaxNestingDepth {
			return false, errTooDeep
		}
		var sub Instruction
		if _, err := p.command(args, &sub, depth+1); err != nil {
			return false, err
		}
		return (sub.Cmd == "run" || sub.Cmd == "copy" || sub.Cmd == "add") && sub.JSON == nil, nil
	}
	if err != nil {
		return false, err
	}
	return (in.Cmd == "run" || in.Cmd == "copy" || in.Cmd == "add") && in.JSON == nil, nil
}

// split cuts a joined line into the instruction word, its leading flags and
// the rest.
func (p *dfParser) split(line string) (word string, flags []string, args string) {
	t := strings.TrimSpace(line)
	k := strings.IndexAny(t, cmdSpace)
	if k < 0 {
		return t, nil, ""
	}
	flags, args = leadingFlags(strings.TrimLeft(t[k:], cmdSpace), rune(p.esc))
	return t[:k], flags, strings.TrimSpace(args)
}

// flagSpace separates flag words: ASCII white space only.
const flagSpace = " \t\n\v\f\r"

// leadingFlags takes the words that start with "--" off the front of s. In a
// flag word, quotes group text (and are dropped) and the escape character
// takes the next character as it is; a bare "--" ends the flags. Only ASCII
// white space separates flags, as for the builder.
func leadingFlags(s string, esc rune) ([]string, string) {
	var flags []string
	pos := 0
	for {
		for pos < len(s) && strings.IndexByte(flagSpace, s[pos]) >= 0 {
			pos++
		}
		if pos >= len(s) {
			return flags, ""
		}
		if !strings.HasPrefix(s[pos:], "--") {
			return flags, s[pos:]
		}
		var b strings.Builder
		quoted := false // a quote was seen: an empty word still counts
		quote := rune(0)
		for pos < len(s) {
			r, w := utf8.DecodeRuneInString(s[pos:])
			if quote == 0 && r < utf8.RuneSelf && strings.IndexByte(flagSpace, byte(r)) >= 0 {
				break
			}
			pos += w
			switch {
			case quote == 0 && (r == '\'' || r == '"'):
				quote, quoted = r, true
				continue
			case quote != 0 && r == quote:
				quote = 0
				continue
			case r == esc:
				if pos >= len(s) {
					continue
				}
				r, w = utf8.DecodeRuneInString(s[pos:])
				pos += w
			}
			b.WriteRune(r)
		}
		f := b.String()
		if pos >= len(s) {
			if f != "--" && (quoted || f != "") {
				flags = append(flags, f)
			}
			return flags, ""
		}
		if f == "--" {
			return flags, s[pos:]
		}
		if quoted || f != "" {
			flags = append(flags, f)
		}
	}
}

// maybeJSON reads s as the exec form: a JSON array of strings. Text that is
// not a JSON array is the shell form (nil); an array holding anything but
// strings is an error, as for the builder.
func maybeJSON(s string) ([]string, error) {
	if !strings.HasPrefix(s, "[") {
		return nil, nil
	}
	var v []any
	if json.Unmarshal([]byte(s), &v) != nil {
		return nil, nil
	}
	out := make([]string, len(v))
	for i, x := range v {
		str, ok := x.(string)
		if !ok {
			return nil, errNotStrings
		}
		out[i] = str
	}
	return out, nil
}

// checkNameVal checks ENV and LABEL arguments the way the builder does:
// either "name value" or only name=value words.
func (p *dfParser) checkNameVal(s, word string) error {
	words := p.argWords(s)
	if len(words) == 0 {
		return nil
	}
	if !strings.Contains(words[0], "=") {
		if !strings.ContainsAny(s, cmdSpace) {
			return fmt.Errorf("%s must have two arguments", strings.ToUpper(word))
		}
		return nil
	}
	for _, w := range words {
		if !strings.Contains(w, "=") {
			return fmt.Errorf("syntax error: can't find = in %q; must be of the form name=value", w)
		}
	}
	return nil
}

// argWords splits s at white space outside quotes, keeping the quotes and
// escapes in the words.
func (p *dfParser) argWords(s string) []string {
	esc := rune(p.esc)
	var words []string
	var b strings.Builder
	inWord, quoted := false, false
	quote := rune(0)
	for pos := 0; pos < len(s); {
		r, w := utf8.DecodeRuneInString(s[pos:])
		pos += w
		if quote == 0 {
			if unicode.IsSpace(r) {
				if inWord && (quoted || b.Len() > 0) {
					words = append(words, b.String())
				}
				b.Reset()
				inWord, quoted = false, false
				continue
			}
			inWord = true
			if r == '\'' || r == '"' {
				quote, quoted = r, true
			}
		} else if r == quote {
			quote = 0
		} else if r == esc && quote == '\'' {
			b.WriteRune(r)
			continue
		}
		if r == esc {
			if pos >= len(s) {
				quote = 0
				continue
			}
			b.WriteRune(r)
			r, w = utf8.DecodeRuneInString(s[pos:])
			pos += w
		}
		b.WriteRune(r)
	}
	if inWord && (quoted || b.Len() > 0) {
		words = append(words, b.String())
	}
	return words
}

type heredocWord struct {
	name  string
	chomp bool // <<-: leading tabs are stripped from the terminator line
}

// heredocWords finds the heredocs a RUN, COPY or ADD line opens. Like the
// builder it splits the whole line into shell words (quotes and $
// substitutions respected, the escape character always "\") and takes the
// words that start with "<<", "<<-" or digits and "<<"; a line the word
// splitter cannot read opens none. The name is the rest of the word with
// its quotes removed.
func heredocWords(line string) ([]heredocWord, error) {
	words, err := shellWords(line, true, true)
	if err == errTooDeep {
		return nil, err
	}
	var out []heredocWord
	for _, w := range words {
		k := 0
		for k < len(w) && w[k] >= '0' && w[k] <= '9' {
			k++
		}
		rest, ok := strings.CutPrefix(w[k:], "<<")
		if !ok {
			continue
		}
		rest, chomp := strings.CutPrefix(rest, "-")
		rest = strings.TrimLeft(rest, directiveSpace)
		if rest == "" || strings.Contains(rest, "<") {
			continue
		}
		names, err := shellWords(rest, false, false)
		if err != nil {
			return nil, err
		}
		if len(names) != 1 {
			continue
		}
		raw, err := shellWords(rest, true, false)
		if err != nil {
			return nil, err
		}
		if len(raw) != 1 {
			return nil, fmt.Errorf("inconsistent heredoc word %s", rest)
		}
		out = append(out, heredocWord{name: names[0], chomp: chomp})
	}
	return out, nil
}

// shLexer splits text into shell words the way the builder's word splitter
// does with no variables set: "$name" and "${...}" stay as written, quotes
// and escapes are kept (raw) or removed. It mirrors two quirks of that
// splitter so that the same words come out: the text a "$" substitution
// gives is split again at white space, and a "${name op word}" substitution
// throws away the part of the current word before it.
type shLexer struct {
	s        string
	pos      int
	rawQuote bool
	rawEsc   bool
	word     *strings.Builder // the word being built, shared by nested scans
	depth    int
}

const lexEOF = -1

var errLex = errors.New("cannot split the line into shell words")

// shellWords splits s into words; rawQuote keeps quote characters and
// rawEsc keeps escape characters in them.
func shellWords(s string, rawQuote, rawEsc bool) ([]string, error) {
	// the builder's splitter skips a byte order mark at the start of its text
	s = strings.TrimPrefix(s, "\uFEFF")
	l := &shLexer{s: s, rawQuote: rawQuote, rawEsc: rawEsc, word: &strings.Builder{}}
	_, words, err := l.scan(lexEOF, rawEsc, false)
	return words, err
}

func (l *shLexer) peek() rune {
	if l.pos >= len(l.s) {
		return lexEOF
	}
	r, _ := utf8.DecodeRuneInString(l.s[l.pos:])
	return r
}

func (l *shLexer) next() rune {
	if l.pos >= len(l.s) {
		return lexEOF
	}
	r, w := utf8.DecodeRuneInString(l.s[l.pos:])
	l.pos += w
	return r
}

type shWords struct {
	b     *strings.Builder
	words []string
	in    bool
}

func (w *shWords) char(r rune) {
	if !unicode.IsSpace(r) {
		w.raw(r)
	} else if w.in && w.b.Len() != 0 {
		w.words = append(w.words, w.b.String())
		w.b.Reset()
		w.in = false
	}
}

func (w *shWords) raw(r rune) { w.b.WriteRune(r); w.in = true }

func (w *shWords) rawString(s string) { w.b.WriteString(s); w.in = true }

func (w *shWords) done() []string {
	if w.b.Len() > 0 {
		w.words = append(w.words, w.b.String())
		w.b.Reset()
		w.in = false
	}
	return w.words
}

// scan reads up to stop (or the end) and returns the text read and its
// words. rawEsc keeps escape characters in the text; patternEsc doubles them
// inside quotes (the operand of ${name#word} and friends).
func (l *shLexer) scan(stop rune, rawEsc, patternEsc bool) (string, []string, error) {
	var out strings.Builder
	l.word.Reset()
	w := shWords{b: l.word}
	if rawEsc != l.rawEsc {
		old := l.rawEsc
		l.rawEsc = rawEsc
		defer func() { l.rawEsc = old }()
	}
loop:
	for l.peek() != lexEOF {
		ch := l.peek()
		if stop != lexEOF && ch == stop {
			l.next()
			return out.String(), w.done(), nil
		}
		switch ch {
		case '$':
			s, err := l.dollar()
			if err != nil {
				return "", nil, err
			}
			out.WriteString(s)
			for _, r := range s {
				w.char(r)
			}
		case '<':
			s := l.angle()
			out.WriteString(s)
			w.rawString(s)
		case '\'', '"':
			s, err := l.quoted(patternEsc)
			if err != nil {
				return "", nil, err
			}
			out.WriteString(s)
			w.rawString(s)
		default:
			ch = l.next()
			if ch == '\\' {
				if l.rawEsc {
					w.raw(ch)
					out.WriteRune(ch)
				}
				if ch = l.next(); ch == lexEOF {
					break loop
				}
				w.raw(ch)
			} else {
				w.char(ch)
			}
			out.WriteRune(ch)
		}
	}
	if stop != lexEOF {
		return "", nil, errLex
	}
	return out.String(), w.done(), nil
}

// quoted reads a single- or double-quoted string.
func (l *shLexer) quoted(patternEsc bool) (string, error) {
	var out strings.Builder
	q := l.next()
	if l.rawQuote {
		out.WriteRune(q)
	}
	for {
		switch ch := l.peek(); {
		case ch == lexEOF:
			return "", errLex
		case ch == q:
			l.next()
			if l.rawQuote {
				out.WriteRune(q)
			}
			return out.String(), nil
		case q == '\'':
			l.next()
			if patternEsc && ch == '\\' {
				out.WriteRune(ch)
			}
			out.WriteRune(ch)
		case ch == '$':
			s, err := l.dollar()
			if err != nil {
				return "", err
			}
			out.WriteString(s)
		default:
			l.next()
			if ch == '\\' {
				switch l.peek() {
				case lexEOF:
					continue
				case '"', '$', '\\':
					if l.rawEsc {
						out.WriteRune(ch)
					}
					ch = l.next()
				default:
					if l.rawEsc && (!l.rawQuote || patternEsc) {
						out.WriteRune(ch)
					}
				}
			}
			out.WriteRune(ch)
		}
	}
}

// dollar reads a "$" substitution; with no variables set it gives back the
// substitution as written (its operands read as words).
func (l *shLexer) dollar() (string, error) {
	l.depth++
	defer func() { l.depth-- }()
	if l.depth > MaxNestingDepth {
		return "", errTooDeep
	}
	l.next()
	if l.peek() != '{' {
		name := l.name()
		if name == "" {
			return "$", nil
		}
		return "$" + name, nil
	}
	l.next()
	switch l.peek() {
	case lexEOF, '{', '}', ':':
		return "", errLex
	}
	name := l.name()
	ch := l.next()
	op := string(ch)
	colon := false
	switch ch {
	case '}':
		return "${" + name + "}", nil
	case ':':
		colon = true
		ch = l.next()
		op += string(ch)
		fallthrough
	case '+', '-', '?', '#', '%':
		pattern := ch == '#' || ch == '%'
		if colon && pattern {
			return "", errLex
		}
		word, _, err := l.scan('}', pattern, pattern)
		if err != nil {
			return "", err
		}
		return "${" + name + op + word + "}", nil
	case '/':
		if l.peek() == '/' {
			l.next()
		}
		pat, _, err := l.scan('/', true, true)
		if err != nil {
			return "", err
		}
		repl, _, err := l.scan('}', true, false)
		if err != nil {
			return "", err
		}
		return "${" + name + "/" + pat + "/" + repl + "}", nil
	}
	return "", errLex
}

// name reads a variable name: digits, one special character, or letters,
// digits and "_".
func (l *shLexer) name() string {
	var b strings.Builder
	for ch := l.peek(); ch != lexEOF; ch = l.peek() {
		if b.Len() == 0 && unicode.IsDigit(ch) {
			for unicode.IsDigit(l.peek()) {
				b.WriteRune(l.next())
			}
			return b.String()
		}
		if b.Len() == 0 && strings.ContainsRune("@*#?-$!0", ch) {
			l.next()
			return string(ch)
		}
		if !unicode.IsLetter(ch) && !unicode.IsDigit(ch) && ch != '_' {
			break
		}
		b.WriteRune(l.next())
	}
	return b.String()
}

// angle reads "<", or "<<" with the blanks after it (they stay in the word).
func (l *shLexer) angle() string {
	l.next()
	if l.peek() != '<' {
		return "<"
	}
	l.next()
	start := l.pos
	for ch := l.peek(); ch == ' ' || ch == '\t' || ch == '\r'; ch = l.peek() {
		l.next()
	}
	return "<<" + l.s[start:l.pos]
}

// Stage is one FROM of a Dockerfile with its ARGs substituted.
type Stage struct {
	Image     string // after ARG substitution; may still hold "$" when unknown
	Name      string // AS name
	FromStage bool   // Image names an earlier stage
	Inst      *Instruction
}

// maxArgValue bounds the value of an ARG after substitution; no image
// reference comes close to it.
const maxArgValue = 4096

// Stages resolves FROM lines, substituting ARGs declared before the first
// FROM (with their defaults) and recognising earlier stage names. An ARG
// declared without a default is unknown (it may be given at build time).
func (d *Dockerfile) Stages() []Stage {
	args := map[string]string{}
	names := map[string]bool{}
	var out []Stage
	for k := range d.Instructions {
		in := &d.Instructions[k]
		switch in.Cmd {
		case "arg":
			if len(out) > 0 {
				continue
			}
			for _, w := range strings.Fields(in.Args) {
				n, v, ok := strings.Cut(w, "=")
				if !ok {
					continue
				}
				if v := expand(strings.Trim(v, `"'`), args); len(v) <= maxArgValue {
					args[n] = v
				} else {
					// an ARG that doubles its predecessor on each line
					// would grow without bound; past the limit it is
					// unknown, as if given at build time
					delete(args, n)
				}
			}
		case "from":
			f := fields(in.Args)
			if len(f) == 0 {
				continue
			}
			st := Stage{Image: expand(f[0], args), Inst: in}
			if len(f) >= 3 && strings.EqualFold(f[1], "as") {
				st.Name = strings.ToLower(f[2])
			}
			st.FromStage = names[strings.ToLower(st.Image)] || strings.EqualFold(st.Image, "scratch")
			if st.Name != "" {
				names[st.Name] = true
			}
			out = append(out, st)
		}
	}
	return out
}

// fields splits s at runs of the builder's argument white space.
func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(cmdSpace, r) })
}

// expand substitutes $X, ${X}, ${X:-d} and ${X-d}; unknown names are kept.
func expand(s string, vars map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		if s[i+1] == '{' {
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				b.WriteString(s[i:])
				break
			}
			expr := s[i+2 : i+end]
			name, def := expr, ""
			hasDef, colon := false, false
			if k := strings.Index(expr, ":-"); k >= 0 {
				name, def, hasDef, colon = expr[:k], expr[k+2:], true, true
			} else if k := strings.IndexByte(expr, '-'); k >= 0 {
				name, def, hasDef = expr[:k], expr[k+1:], true
			}
			v, ok := vars[name]
			switch {
			case ok && (v != "" || !colon):
				// ${X-d} keeps an empty X; ${X:-d} does not
				b.WriteString(v)
			case hasDef:
				b.WriteString(def)
			default:
				b.WriteString(s[i : i+end+1])
			}
			i += end
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == '_' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= '0' && s[j] <= '9') {
			j++
		}
		if v, ok := vars[s[i+1:j]]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[i:j])
		}
		i = j - 1
	}
	return b.String()
}
