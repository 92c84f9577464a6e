package envcheck

import (
	"strings"

	"github.com/buildlog/buildlog/classify"
	"go.yaml.in/yaml/v3"
)

// place is a value of the definition that a log issue can name.
type place struct {
	kind  string // "package", "image", "channel", "word"
	value string // normalised
	pos   Pos
}

func (d *Definition) places() []place {
	var out []place
	addDeps := func(deps []Dep) {
		for _, x := range deps {
			if x.Name != "" {
				out = append(out, place{"package", normalisePip(x.Name), x.Pos})
			}
		}
	}
	addConda := func(c *condaFile) {
		if c == nil {
			return
		}
		addDeps(c.deps)
		addDeps(c.pip)
		if c.channels != nil {
			for _, ch := range c.channels.Content {
				out = append(out, place{"channel", strings.ToLower(ch.Value), npos(c.path, ch)})
			}
		}
	}
	for _, f := range d.Files {
		addConda(f.conda)
		if f.reqs != nil {
			addDeps(f.reqs.Deps)
		}
		if f.node != nil {
			var img *yaml.Node
			if f.Kind == KindEnvV2 {
				img = get(f.node, "image")
			} else if f.Kind == KindEnvV1 {
				img = getAny(get(f.node, "docker"), "baseImage", "base_image")
			}
			if s := str(img); s != "" {
				out = append(out, place{"image", normImage(s), npos(f.Path, img)})
			}
		}
		if f.docker != nil {
			for _, st := range f.docker.Stages() {
				if !st.FromStage {
					out = append(out, place{"image", normImage(st.Image), Pos{f.Path, st.Inst.Line, st.Inst.ArgsCol}})
				}
			}
			for _, in := range f.docker.Instructions {
				if in.Cmd != "run" {
					continue
				}
				for _, w := range strings.Fields(in.Args) {
					w = strings.Trim(w, `"'`)
					out = append(out, place{"word", w, Pos{f.Path, in.Line, in.Column}})
					if n := pipName.FindString(w); n != "" && n != w {
						out = append(out, place{"package", normalisePip(n), Pos{f.Path, in.Line, in.Column}})
					}
				}
			}
		}
	}
	return out
}

// normImage drops a docker.io/library/ prefix and lower-cases.
func normImage(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, p := range []string{"docker.io/", "index.docker.io/", "registry-1.docker.io/"} {
		s = strings.TrimPrefix(s, p)
	}
	return strings.TrimPrefix(s, "library/")
}

func imageRepo(s string) string {
	if k := strings.IndexByte(s, '@'); k >= 0 {
		s = s[:k]
	}
	if k := strings.LastIndexByte(s, ':'); k > strings.LastIndexByte(s, '/') {
		s = s[:k]
	}
	return s
}

// Link gives each issue of a log's report whose captured package, image,
// channel or file appears in the definition the position of that value
// (Issue.Source). When a check of the definition predicted the failure,
// the issue's fields gain predicted_by with that check's id. It returns
// how many issues were linked.
func Link(rep *classify.Report, def *Definition, findings []Finding) int {
	if rep == nil || def == nil {
		return 0
	}
	places := def.places()
	n := 0
	for i := range rep.Issues {
		is := &rep.Issues[i]
		p, ok := linkOne(is, places)
		for _, f := range findings {
			if f.Predicts != is.ID {
				continue
			}
			if !ok || (f.File == p.File && f.Line == p.Line) {
				if is.Fields == nil {
					is.Fields = map[string]string{}
				}
				is.Fields["predicted_by"] = f.ID
				if !ok {
					p, ok = f.Pos, true
				}
				break
			}
		}
		if ok {
			is.Source = &classify.Source{File: p.File, Line: p.Line, Column: p.Column}
			n++
		}
	}
	if rep.Primary != nil {
		for i := range rep.Issues {
			if rep.Issues[i].Primary {
				rep.Primary = &rep.Issues[i]
			}
		}
	}
	return n
}

func linkOne(is *classify.Issue, places []place) (Pos, bool) {
	for _, key := range []string{"package", "packages", "spec", "requirement", "name"} {
		for _, v := range splitList(is.Fields[key]) {
			name := pipName.FindString(strings.TrimLeft(v, "-"))
			if k := strings.LastIndex(v, "::"); k >= 0 {
				name = pipName.FindString(v[k+2:])
			}
			if name == "" {
				continue
			}
			name = normalisePip(name)
			for _, p := range places {
				if p.kind == "package" && p.value == name {
					return p.pos, true
				}
			}
		}
	}
	if img := is.Fields["image"]; img != "" {
		want := normImage(img)
		if t := is.Fields["tag"]; t != "" && !strings.Contains(want[strings.LastIndexByte(want, '/')+1:], ":") {
			want += ":" + strings.ToLower(t)
		}
		for _, p := range places {
			if p.kind == "image" && p.value == want {
				return p.pos, true
			}
		}
		for _, p := range places {
			if p.kind == "image" && imageRepo(p.value) == imageRepo(want) {
				return p.pos, true
			}
		}
	}
	if ch := strings.ToLower(is.Fields["channel"]); ch != "" {
		for _, p := range places {
			if p.kind == "channel" && (p.value == ch || strings.HasSuffix(ch, "/"+p.value)) {
				return p.pos, true
			}
		}
	}
	if f := is.Fields["file"]; f != "" {
		// conda_bare_redirection: the shell took "=2.0" of "pkg<=2.0" as a file
		for _, p := range places {
			if p.kind == "word" && len(p.value) > len(f) && strings.HasSuffix(p.value, f) && strings.ContainsAny(p.value[:len(p.value)-len(f)], "<>") {
				return p.pos, true
			}
		}
		for _, p := range places {
			if p.kind == "word" && strings.Contains(p.value, f) && strings.ContainsAny(p.value, "<>") {
				return p.pos, true
			}
		}
	}
	return Pos{}, false
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
