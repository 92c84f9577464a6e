package envcheck

import (
	"encoding/json"
	"strings"
)

// Instruction is one Dockerfile instruction after continuation lines are
// joined.
type Instruction struct {
	Cmd      string   // lower case: "from", "run", ...
	Args     string   // the text after the instruction word, continuations joined
	JSON     []string // the exec (JSON) form's items, nil for the shell form
	Flags    []string // leading --flag=value words
	Heredocs []Heredoc
	Line     int // first physical line
	EndLine  int
	Column   int // column of the instruction word
	ArgsCol  int // column of Args on Line
}

// Heredoc is a here-document body following an instruction.
type Heredoc struct {
	Name string
	Body string
	Line int
}

// Dockerfile is a parsed Dockerfile.
type Dockerfile struct {
	Path         string
	Directives   map[string]string
	Escape       byte
	Instructions []Instruction
	Lines        int
}

var knownInstructions = map[string]bool{
	"add": true, "arg": true, "cmd": true, "copy": true, "entrypoint": true, "env": true,
	"expose": true, "from": true, "healthcheck": true, "label": true, "maintainer": true,
	"onbuild": true, "run": true, "shell": true, "stopsignal": true, "user": true,
	"volume": true, "workdir": true,
}

// ParseDockerfile parses Dockerfile text: parser directives, comments,
// continuation lines (with the escape directive), JSON and shell forms and
// heredocs. It runs in time linear in the input.
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
	for i := range lines {
		lines[i] = strings.TrimSuffix(lines[i], "\r")
	}
	d := &Dockerfile{Path: file, Directives: map[string]string{}, Escape: '\\', Lines: len(lines)}
	i := 0
	// Parser directives: "# key=value" lines before anything else.
	for ; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(l, "#") {
			break
		}
		kv := strings.TrimSpace(l[1:])
		k, v, ok := strings.Cut(kv, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || strings.ContainsAny(k, " \t") || k == "" {
			break
		}
		if _, dup := d.Directives[k]; dup {
			break
		}
		d.Directives[k] = strings.TrimSpace(v)
		if k == "escape" {
			switch strings.TrimSpace(v) {
			case "`":
				d.Escape = '`'
			case "\\":
			default:
				return nil, &Error{Pos: Pos{file, i + 1, 1}, Msg: "invalid escape directive " + v + " (want \\ or `)"}
			}
		}
	}
	esc := string(d.Escape)
	for i < len(lines) {
		raw := lines[i]
		trimmed := strings.TrimLeft(raw, " \t")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			i++
			continue
		}
		in := Instruction{Line: i + 1, Column: len(raw) - len(trimmed) + 1}
		word := trimmed
		if k := strings.IndexAny(trimmed, " \t"); k >= 0 {
			word = trimmed[:k]
		}
		rest := trimmed[len(word):]
		in.ArgsCol = in.Column + len(word) + (len(rest) - len(strings.TrimLeft(rest, " \t")))
		var sb strings.Builder
		cur := rest
		for {
			t := strings.TrimRight(cur, " \t")
			if strings.HasSuffix(t, esc) && !strings.HasSuffix(t, esc+esc) || (strings.HasSuffix(t, esc) && d.Escape == '`') {
				sb.WriteString(t[:len(t)-1])
				i++
				// skip comment and empty lines inside a continuation
				for i < len(lines) {
					nt := strings.TrimLeft(lines[i], " \t")
					if strings.HasPrefix(nt, "#") || nt == "" {
						i++
						continue
					}
					break
				}
				if i >= len(lines) {
					break
				}
				cur = lines[i]
				continue
			}
			sb.WriteString(cur)
			break
		}
		in.EndLine = min(i+1, len(lines))
		i++
		in.Cmd = strings.ToLower(word)
		in.Args = strings.TrimSpace(sb.String())
		// flags
		args := in.Args
		for strings.HasPrefix(args, "--") {
			f, r, _ := strings.Cut(args, " ")
			in.Flags = append(in.Flags, f)
			args = strings.TrimLeft(r, " \t")
		}
		if in.Cmd != "onbuild" {
			in.Args = args
		}
		if strings.HasPrefix(in.Args, "[") {
			var items []string
			if json.Unmarshal([]byte(in.Args), &items) == nil {
				in.JSON = items
			}
		}
		// heredocs: <<EOF, <<-EOF, <<"EOF", <<'EOF'
		if in.JSON == nil && (in.Cmd == "run" || in.Cmd == "copy" || in.Cmd == "add") {
			for _, name := range heredocNames(in.Args) {
				h := Heredoc{Name: name, Line: i + 1}
				var body strings.Builder
				for i < len(lines) {
					l := lines[i]
					i++
					if strings.TrimLeft(l, "\t") == name {
						break
					}
					body.WriteString(l)
					body.WriteByte('\n')
				}
				h.Body = body.String()
				in.Heredocs = append(in.Heredocs, h)
				in.EndLine = i
			}
		}
		d.Instructions = append(d.Instructions, in)
	}
	return d, nil
}

func heredocNames(s string) []string {
	var out []string
	for {
		k := strings.Index(s, "<<")
		if k < 0 || len(out) > 8 {
			return out
		}
		s = s[k+2:]
		s = strings.TrimPrefix(s, "-")
		q := byte(0)
		if s != "" && (s[0] == '"' || s[0] == '\'') {
			q = s[0]
			s = s[1:]
		}
		j := 0
		for j < len(s) && (s[j] == '_' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= '0' && s[j] <= '9') {
			j++
		}
		if j == 0 {
			continue
		}
		out = append(out, s[:j])
		s = s[j:]
		if q != 0 && s != "" && s[0] == q {
			s = s[1:]
		}
	}
}

// Stage is one FROM of a Dockerfile with its ARGs substituted.
type Stage struct {
	Image     string // after ARG substitution; may still hold "$" when unknown
	Name      string // AS name
	FromStage bool   // Image names an earlier stage
	Inst      *Instruction
}

// Stages resolves FROM lines, substituting ARGs declared before the first
// FROM (with their defaults) and recognising earlier stage names.
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
				n, v, _ := strings.Cut(w, "=")
				args[n] = strings.Trim(v, `"'`)
			}
		case "from":
			f := strings.Fields(in.Args)
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
			hasDef := false
			if k := strings.Index(expr, ":-"); k >= 0 {
				name, def, hasDef = expr[:k], expr[k+2:], true
			} else if k := strings.IndexByte(expr, '-'); k >= 0 {
				name, def, hasDef = expr[:k], expr[k+1:], true
			}
			if v, ok := vars[name]; ok && v != "" {
				b.WriteString(v)
			} else if hasDef {
				b.WriteString(def)
			} else if ok {
			} else {
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
