package envcheck

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Kind is the kind of a definition file.
type Kind int

const (
	KindUnknown      Kind = iota
	KindEnvV2             // Azure ML v2 environment YAML
	KindEnvV1             // Azure ML v1 azureml_environment.json
	KindConda             // conda environment file
	KindRequirements      // pip requirements file
	KindDockerfile        // Dockerfile
)

var kindNames = map[Kind]string{KindEnvV2: "azureml-v2", KindEnvV1: "azureml-v1", KindConda: "conda", KindRequirements: "requirements", KindDockerfile: "dockerfile"}

func (k Kind) String() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return "unknown"
}

// ParseKind turns "azureml-v2", "azureml-v1", "conda", "requirements" or
// "dockerfile" into a Kind.
func ParseKind(s string) (Kind, error) {
	for k, n := range kindNames {
		if n == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown definition kind %q (want azureml-v2, azureml-v1, conda, requirements or dockerfile)", s)
}

// File is one loaded definition file.
type File struct {
	Path string // as given or joined to the referencing file's folder
	Kind Kind
	Size int
	BOM  string // "utf-8", "utf-16" or ""
	data []byte

	node   *yaml.Node
	conda  *condaFile
	reqs   *RequirementsFile
	docker *Dockerfile

	// context is the build context folder of a Dockerfile; "" when unknown.
	context string
	// env is the environment file that referenced this file, if any.
	env *File
	// refs are the files this one referenced, by role ("conda", "dockerfile").
	refs map[string]*File
}

// Definition is an environment definition: the files given and those they
// reference.
type Definition struct {
	Files []*File
	// findings met while loading (parse errors, refused paths).
	loadFindings []Finding
	byPath       map[string]*File
}

// Load reads the definition at path: a file of any kind, or a folder, in
// which azureml_environment.json, *.yml/*.yaml with $schema or
// dependencies:, requirements*.txt and Dockerfile* are read. Files that
// cannot be parsed become findings, not errors; the error is for a path
// that cannot be read at all.
func Load(paths ...string) (*Definition, error) {
	d := &Definition{byPath: map[string]*File{}}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			d.add(p, KindUnknown, nil)
			continue
		}
		names, err := filesIn(p)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			d.add(n, KindUnknown, nil)
		}
	}
	return d, nil
}

// Parse reads a definition file's bytes as the given kind (KindUnknown to
// detect it from name and content). Files it refers to are read relative to
// name's folder when they exist.
func Parse(name string, k Kind, b []byte) *Definition {
	d := &Definition{byPath: map[string]*File{}}
	if len(b) > MaxFileBytes {
		d.loadErr(refuse(Pos{File: name}, "file larger than %d bytes", MaxFileBytes))
		return d
	}
	d.addData(name, k, nil, b)
	return d
}

// LoadKind reads one file as the given kind.
func LoadKind(path string, k Kind) (*Definition, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	d := &Definition{byPath: map[string]*File{}}
	d.add(path, k, nil)
	return d, nil
}

func filesIn(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if p != dir && strings.HasPrefix(e.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if len(out) >= MaxFiles {
			return filepath.SkipAll
		}
		if kindByName(e.Name()) != KindUnknown || strings.HasSuffix(e.Name(), ".yml") || strings.HasSuffix(e.Name(), ".yaml") {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

func kindByName(name string) Kind {
	base := filepath.Base(name)
	lb := strings.ToLower(base)
	switch {
	case lb == "azureml_environment.json":
		return KindEnvV1
	case strings.HasPrefix(lb, "requirements") && strings.HasSuffix(lb, ".txt"), strings.HasSuffix(lb, ".requirements.txt"):
		return KindRequirements
	case strings.HasPrefix(lb, "dockerfile") || strings.HasSuffix(lb, ".dockerfile") || base == "BaseDockerfile":
		return KindDockerfile
	}
	return KindUnknown
}

// kindByContent tells a v2 environment YAML from a conda file.
func kindByContent(n *yaml.Node) Kind {
	if s := str(get(n, "$schema")); strings.Contains(s, "environment.schema.json") {
		return KindEnvV2
	}
	if get(n, "dependencies") != nil || get(n, "channels") != nil {
		return KindConda
	}
	if get(n, "image") != nil || get(n, "build") != nil || get(n, "conda_file") != nil {
		return KindEnvV2
	}
	return KindUnknown
}

func readLimited(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFileBytes {
		return nil, refuse(Pos{File: p}, "file larger than %d bytes", MaxFileBytes)
	}
	return b, nil
}

func (d *Definition) loadErr(err error) {
	e, ok := err.(*Error)
	if !ok {
		e = &Error{Msg: err.Error()}
	}
	if e.notUTF8 != "" {
		d.loadFindings = append(d.loadFindings, newFinding("definition_not_utf8", e.Pos, e.notUTF8, e.Msg))
		return
	}
	d.loadFindings = append(d.loadFindings, newFinding("definition_unreadable", e.Pos, "", e.Msg))
}

// add loads one file; from is the file that referenced it.
func (d *Definition) add(p string, k Kind, from *File) *File {
	clean := filepath.Clean(p)
	if f, ok := d.byPath[clean]; ok {
		return f
	}
	if len(d.Files) >= MaxFiles {
		d.loadErr(refuse(Pos{File: p}, "more than %d files in one definition", MaxFiles))
		return nil
	}
	b, err := readLimited(p)
	if err != nil {
		if e, ok := err.(*Error); ok {
			d.loadErr(e)
		} else {
			d.loadErr(&Error{Pos: Pos{File: p}, Msg: err.Error()})
		}
		return nil
	}
	return d.addData(p, k, from, b)
}

// addData parses one file's bytes.
func (d *Definition) addData(p string, k Kind, from *File, b []byte) *File {
	clean := filepath.Clean(p)
	f := &File{Path: p, Kind: k, Size: len(b), data: b, env: from, refs: map[string]*File{}}
	d.byPath[clean] = f
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		f.BOM = "utf-8"
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		f.BOM = "utf-16"
	}
	if f.Kind == KindUnknown {
		f.Kind = kindByName(p)
	}
	if f.BOM == "utf-16" {
		if f.Kind == KindUnknown {
			f.Kind = KindConda
		}
		// pip decodes a requirements file by its byte-order mark; conda,
		// Azure ML and BuildKit read their files as UTF-8 and fail. Either
		// way the file is not checked further.
		if f.Kind != KindRequirements {
			d.loadFindings = append(d.loadFindings, newFinding("definition_not_utf8", Pos{File: p, Line: 1, Column: 1}, fmt.Sprintf("0x%02x", b[0]),
				"the file is UTF-16 (it starts with a UTF-16 byte-order mark), which conda, Azure ML and BuildKit do not read"))
		}
		d.Files = append(d.Files, f)
		return f
	}
	switch f.Kind {
	case KindDockerfile:
		df, err := ParseDockerfile(p, b)
		if err != nil {
			d.loadErr(err)
			d.Files = append(d.Files, f)
			return f
		}
		f.docker = df
		f.context = filepath.Dir(p)
	case KindRequirements:
		r, err := ParseRequirements(p, b)
		if err != nil {
			d.loadErr(err)
			d.Files = append(d.Files, f)
			return f
		}
		f.reqs = r
		d.Files = append(d.Files, f)
		d.followIncludes(f, 0)
		return f
	default:
		if err := checkText(p, b); err != nil {
			d.loadErr(err)
			if f.Kind == KindUnknown {
				f.Kind = KindConda
			}
			d.Files = append(d.Files, f)
			return f
		}
		n, err := parseYAML(p, b)
		if err != nil {
			d.loadErr(err)
			if f.Kind == KindUnknown {
				f.Kind = KindConda
			}
			d.Files = append(d.Files, f)
			return f
		}
		f.node = n
		if f.Kind == KindUnknown {
			f.Kind = kindByContent(n)
			if f.Kind == KindUnknown {
				delete(d.byPath, clean)
				return nil // some other YAML file in the folder
			}
		}
		if f.Kind == KindConda {
			f.conda = readConda(p, n)
		}
	}
	d.Files = append(d.Files, f)
	switch f.Kind {
	case KindEnvV2:
		d.followV2(f)
	case KindEnvV1:
		d.followV1(f)
	}
	return f
}

// inside resolves ref against the folder of from and refuses a path that
// leaves that folder (by .., an absolute path or a symbolic link).
func (d *Definition) inside(from *File, ref string, at *yaml.Node) (string, bool) {
	dir := filepath.Dir(from.Path)
	if filepath.IsAbs(ref) || strings.HasPrefix(ref, "~") {
		d.loadFindings = append(d.loadFindings, newFinding("definition_path_outside_folder", npos(from.Path, at), ref, "refused to read "+ref+": an absolute path leaves the definition's folder"))
		return "", false
	}
	p := filepath.Join(dir, ref)
	rel, err := filepath.Rel(dir, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		d.loadFindings = append(d.loadFindings, newFinding("definition_path_outside_folder", npos(from.Path, at), ref, "refused to read "+ref+": it leaves the definition's folder"))
		return "", false
	}
	if real, err := filepath.EvalSymlinks(p); err == nil {
		if rd, err := filepath.EvalSymlinks(dir); err == nil {
			if r, err := filepath.Rel(rd, real); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
				d.loadFindings = append(d.loadFindings, newFinding("definition_path_outside_folder", npos(from.Path, at), ref, "refused to read "+ref+": a symbolic link leads out of the definition's folder"))
				return "", false
			}
		}
	}
	return p, true
}

func isURL(s string) bool {
	return strings.Contains(s, "://") || strings.HasPrefix(s, "git@") || strings.HasPrefix(s, "azureml:")
}

func (d *Definition) followV2(f *File) {
	if c := get(f.node, "conda_file"); c != nil && c.Kind == yaml.ScalarNode && str(c) != "" && !isURL(str(c)) {
		if p, ok := d.inside(f, str(c), c); ok {
			if _, err := os.Stat(p); err == nil {
				if cf := d.add(p, KindConda, f); cf != nil {
					f.refs["conda"] = cf
				}
			}
		}
	} else if c != nil && c.Kind == yaml.MappingNode {
		f.conda = readConda(f.Path, c)
	}
	b := get(f.node, "build")
	path := get(b, "path")
	if s := str(path); s != "" && !isURL(s) {
		ctx, ok := d.inside(f, s, path)
		if !ok {
			return
		}
		df := str(get(b, "dockerfile_path"))
		if df == "" {
			df = "Dockerfile"
		}
		dp := filepath.Join(ctx, df)
		if r, err := filepath.Rel(ctx, dp); err != nil || strings.HasPrefix(r, "..") {
			d.loadFindings = append(d.loadFindings, newFinding("definition_path_outside_folder", npos(f.Path, get(b, "dockerfile_path")), df, "refused to read "+df+": it leaves the build context"))
			return
		}
		if _, err := os.Stat(dp); err == nil {
			if x := d.add(dp, KindDockerfile, f); x != nil {
				x.context = ctx
				f.refs["dockerfile"] = x
			}
		}
	}
}

func (d *Definition) followV1(f *File) {
	dir := filepath.Dir(f.Path)
	py := get(f.node, "python")
	if cd := getAny(py, "condaDependencies", "conda_dependencies"); cd != nil && cd.Kind == yaml.MappingNode {
		f.conda = readConda(f.Path, cd)
	} else if p := filepath.Join(dir, "conda_dependencies.yml"); fileExists(p) {
		if cf := d.add(p, KindConda, f); cf != nil {
			f.refs["conda"] = cf
		}
	}
	if p := filepath.Join(dir, "BaseDockerfile"); fileExists(p) {
		if x := d.add(p, KindDockerfile, f); x != nil {
			f.refs["dockerfile"] = x
		}
	}
}

func (d *Definition) followIncludes(f *File, depth int) {
	for _, inc := range f.reqs.Includes {
		if depth >= MaxIncludeDepth || isURL(inc.Name) {
			continue
		}
		at := &yaml.Node{Line: inc.Pos.Line, Column: inc.Pos.Column}
		p, ok := d.inside(f, inc.Name, at)
		if !ok || !fileExists(p) {
			continue
		}
		if _, seen := d.byPath[filepath.Clean(p)]; seen {
			continue
		}
		if x := d.add(p, KindRequirements, f); x != nil && x.reqs != nil {
			f.refs["include:"+inc.Name] = x
		}
	}
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// condaFile is the part of a conda environment the checks read.
type condaFile struct {
	path     string
	node     *yaml.Node
	name     *yaml.Node
	channels *yaml.Node
	deps     []Dep
	pip      []Dep
	pipNode  *yaml.Node // the pip: key
	problems []Finding
}

func readConda(file string, n *yaml.Node) *condaFile {
	c := &condaFile{path: file, node: n}
	if n.Kind != yaml.MappingNode {
		c.problems = append(c.problems, newFinding("conda_dependencies_invalid", npos(file, n), "", "the conda specification is not a mapping"))
		return c
	}
	c.name = get(n, "name")
	c.channels = get(n, "channels")
	deps := get(n, "dependencies")
	if deps == nil {
		c.problems = append(c.problems, newFinding("conda_dependencies_invalid", npos(file, n), "dependencies", "missing required field 'dependencies'"))
		return c
	}
	if deps.Kind != yaml.SequenceNode {
		if !isNull(deps) {
			c.problems = append(c.problems, newFinding("conda_dependencies_invalid", npos(file, deps), "dependencies", "'dependencies' is not a list"))
		}
		return c
	}
	for _, it := range deps.Content {
		switch it.Kind {
		case yaml.ScalarNode:
			d := parseMatchSpec(it.Value)
			d.Pos = npos(file, it)
			if it.Tag != "!!str" && it.Tag != "" && it.Tag != "!" {
				d.Err = fmt.Sprintf("%q is an invalid type for a dependency (quote it)", it.Value)
			}
			c.deps = append(c.deps, d)
		case yaml.MappingNode:
			for i := 0; i+1 < len(it.Content); i += 2 {
				k, v := it.Content[i], it.Content[i+1]
				if k.Value != "pip" {
					c.problems = append(c.problems, newFinding("conda_dependencies_invalid", npos(file, k), k.Value, fmt.Sprintf("unknown installer section %q under dependencies", k.Value)))
					continue
				}
				c.pipNode = k
				if v.Kind != yaml.SequenceNode {
					continue
				}
				for _, p := range v.Content {
					d := parsePipSpec(p.Value)
					d.Pos = npos(file, p)
					c.pip = append(c.pip, d)
				}
			}
		default:
			c.problems = append(c.problems, newFinding("conda_dependencies_invalid", npos(file, it), "", "a dependency is neither a string nor a mapping"))
		}
	}
	return c
}
