package envcheck

import (
	"fmt"
	"regexp"
	"strings"
)

// Dep is one dependency of a conda file or a requirements file.
type Dep struct {
	Raw     string // as written
	Name    string // normalised lower case
	Version string // version constraint, "" when none
	Pip     bool   // a pip requirement (from requirements or a conda pip: list)
	Option  bool   // an options line (-r, --index-url, ...)
	Unknown bool   // a path, URL or ${VAR}: whether it is pinned cannot be told
	Pos     Pos
	Err     string // why the spec is invalid, "" when valid
}

var (
	condaName   = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.\-+]*`)
	versionText = regexp.MustCompile(`^[A-Za-z0-9_.*+!,|<>=~()^$ \-]*$`)
)

// parseMatchSpec reads a conda MatchSpec (CEP 29) far enough to find its
// name and version and to reject what conda rejects.
func parseMatchSpec(s string) Dep {
	d := Dep{Raw: s}
	t := strings.TrimSpace(s)
	if strings.ContainsAny(t, `"'`) {
		d.Err = "quotes are kept literally in a MatchSpec"
	}
	if k := strings.LastIndex(t, "::"); k >= 0 {
		t = t[k+2:]
	}
	if k := strings.IndexByte(t, '['); k >= 0 {
		if !strings.HasSuffix(t, "]") {
			d.Err = "unbalanced brackets"
		}
		t = strings.TrimSpace(t[:k])
	}
	name := condaName.FindString(t)
	if name == "" {
		if d.Err == "" {
			d.Err = "no package name"
		}
		return d
	}
	d.Name = strings.ToLower(name)
	rest := t[len(name):]
	if strings.HasPrefix(rest, " ") {
		f := strings.Fields(rest)
		d.Version = f[0]
		if len(f) > 2 {
			d.Err = "more than name, version and build"
		}
		if f[0] == "==" || f[0] == "=" || f[0] == ">=" || f[0] == "<=" {
			d.Err = "invalid version spec: " + f[0] + " (a space after the operator makes the version a build string)"
		}
	} else {
		rest = strings.TrimSpace(rest)
		if strings.HasPrefix(rest, "=") && !strings.HasPrefix(rest, "==") {
			parts := strings.Split(rest[1:], "=")
			d.Version = parts[0]
			if len(parts) > 2 {
				d.Err = "more than name, version and build"
			}
			if d.Version == "" && d.Err == "" {
				d.Err = "invalid version spec: " + rest
			}
		} else {
			d.Version = rest
		}
	}
	v := strings.TrimSpace(d.Version)
	if d.Err == "" && v != "" {
		switch {
		case !versionText.MatchString(v):
			d.Err = fmt.Sprintf("invalid character in version %q", v)
		case strings.HasSuffix(v, ",") || strings.HasSuffix(v, "|"):
			d.Err = fmt.Sprintf("invalid version %q: cannot join single expression", v)
		case strings.Trim(v, "<>=!~") == "":
			d.Err = "invalid version spec: " + v
		case strings.Count(v, "(") != strings.Count(v, ")"):
			d.Err = "parentheses mismatch"
		}
	}
	d.Version = v
	return d
}

var (
	pipName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._\-]*`)
	pipOps  = regexp.MustCompile(`^(===|==|!=|~=|<=|>=|<|>)\s*[A-Za-z0-9_.*+!\-]+$`)
)

// parsePipSpec reads one pip requirement or options line.
func parsePipSpec(s string) Dep {
	d := Dep{Raw: s, Pip: true}
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "-") {
		d.Option = true
		return d
	}
	if strings.Contains(t, "://") || strings.HasPrefix(t, ".") || strings.HasPrefix(t, "/") ||
		strings.HasSuffix(t, ".whl") || strings.HasSuffix(t, ".tar.gz") || strings.HasSuffix(t, ".zip") ||
		strings.Contains(t, "${") || strings.Contains(t, " @ ") {
		d.Unknown = true
		if n := pipName.FindString(t); n != "" && strings.Contains(t, " @ ") {
			d.Name = normalisePip(n)
		}
		return d
	}
	if k := strings.IndexByte(t, ';'); k >= 0 {
		t = strings.TrimSpace(t[:k])
	}
	if k := strings.Index(t, " -"); k >= 0 { // per-requirement options: --hash, --config-settings
		t = strings.TrimSpace(t[:k])
	}
	name := pipName.FindString(t)
	if name == "" {
		d.Err = "no package name"
		return d
	}
	d.Name = normalisePip(name)
	rest := strings.TrimSpace(t[len(name):])
	if strings.HasPrefix(rest, "[") {
		k := strings.IndexByte(rest, ']')
		if k < 0 {
			d.Err = "unbalanced brackets"
			return d
		}
		rest = strings.TrimSpace(rest[k+1:])
	}
	d.Version = rest
	if rest == "" {
		return d
	}
	if strings.HasPrefix(rest, "=") && !strings.HasPrefix(rest, "==") {
		d.Err = "a single '=' is conda syntax; pip wants '=='"
		return d
	}
	for _, clause := range strings.Split(rest, ",") {
		if !pipOps.MatchString(strings.TrimSpace(clause)) {
			d.Err = fmt.Sprintf("invalid version specifier %q", rest)
			return d
		}
	}
	return d
}

func normalisePip(n string) string {
	return strings.NewReplacer("_", "-", ".", "-").Replace(strings.ToLower(n))
}

// pinned reports whether a dependency has a version constraint (paths,
// URLs, options and ${VAR} count as constrained: they cannot be told).
func (d Dep) pinned() bool {
	if d.Option || d.Unknown {
		return true
	}
	return d.Version != "" && d.Version != "*"
}

// RequirementsFile is a parsed pip requirements file.
type RequirementsFile struct {
	Path     string
	Deps     []Dep
	Includes []Dep // -r and -c lines, with the file named in Name
}

// ParseRequirements parses a pip requirements file: continuation lines,
// comments, options lines and requirement specifiers.
func ParseRequirements(file string, b []byte) (*RequirementsFile, error) {
	if len(b) > MaxFileBytes {
		return nil, refuse(Pos{File: file}, "file larger than %d bytes", MaxFileBytes)
	}
	if err := checkText(file, b); err != nil {
		return nil, err
	}
	r := &RequirementsFile{Path: file}
	lines := strings.Split(strings.TrimPrefix(string(b), "\uFEFF"), "\n")
	for i := 0; i < len(lines); i++ {
		start := i
		l := strings.TrimSuffix(lines[i], "\r")
		for strings.HasSuffix(l, `\`) && i+1 < len(lines) {
			i++
			l = l[:len(l)-1] + strings.TrimSuffix(lines[i], "\r")
		}
		// comments: '#' at the start or after whitespace
		if strings.HasPrefix(l, "#") {
			continue
		}
		if k := strings.Index(l, " #"); k >= 0 {
			l = l[:k]
		}
		if k := strings.Index(l, "\t#"); k >= 0 {
			l = l[:k]
		}
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		col := strings.Index(l, t) + 1
		d := parsePipSpec(t)
		d.Pos = Pos{File: file, Line: start + 1, Column: col}
		if d.Option {
			f := strings.Fields(strings.Replace(t, "=", " ", 1))
			if len(f) >= 2 && (f[0] == "-r" || f[0] == "--requirement" || f[0] == "-c" || f[0] == "--constraint") {
				inc := d
				inc.Name = f[1]
				r.Includes = append(r.Includes, inc)
			}
		}
		r.Deps = append(r.Deps, d)
	}
	return r, nil
}
