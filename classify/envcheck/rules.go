package envcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

type run struct {
	def  *Definition
	opt  Options
	data Data
	out  []Finding
}

func (r *run) add(id string, p Pos, value, msg string) {
	r.out = append(r.out, newFinding(id, p, value, msg))
}

func (r *run) file(f *File) {
	if f.BOM == "utf-8" || f.BOM == "utf-16" && f.Kind == KindRequirements {
		r.add("definition_encoding", Pos{File: f.Path, Line: 1, Column: 1}, f.BOM, fmt.Sprintf("the file starts with a %s byte-order mark", strings.ToUpper(f.BOM)))
	}
	switch f.Kind {
	case KindEnvV2:
		if f.node != nil {
			r.envV2(f)
		}
	case KindEnvV1:
		if f.node != nil {
			r.envV1(f)
		}
	case KindConda:
		if f.conda != nil {
			r.conda(f.conda, f.env == nil || f.env.Kind != KindEnvV1)
			if f.env == nil {
				r.tos(f, r.siblingDockerfile(f))
			}
		}
	case KindRequirements:
		if f.reqs != nil {
			r.pipDeps(f.reqs.Deps)
		}
	case KindDockerfile:
		if f.docker != nil {
			r.dockerfile(f)
		}
	}
}

func (r *run) name(file string, n *yaml.Node) {
	s := str(n)
	if s == "" {
		return
	}
	p := npos(file, n)
	for _, pre := range r.data.ReservedPrefixes {
		if len(s) >= len(pre) && strings.EqualFold(s[:len(pre)], pre) {
			r.add("env_name_reserved_prefix", p, s, fmt.Sprintf("environment name %q starts with the reserved prefix %q", s, pre))
		}
	}
	if len(s) > r.data.NameMaxLength {
		r.add("env_name_too_long", p, strconv.Itoa(len(s)), fmt.Sprintf("environment name is %d characters long (at most %d)", len(s), r.data.NameMaxLength))
	}
}

func (r *run) envV2(f *File) {
	n := f.node
	r.name(f.Path, get(n, "name"))
	img, build := get(n, "image"), get(n, "build")
	switch {
	case !isNull(img) && !isNull(build):
		r.add("docker_too_many_options", npos(f.Path, keyNode(n, "build")), "image, build", "both image and build are set")
	case isNull(img) && isNull(build):
		r.add("docker_option_missing", npos(f.Path, n), "", "neither image nor build is set")
	}
	if s := str(img); s != "" {
		r.image(npos(f.Path, img), s)
	}
	if !isNull(build) {
		path := get(build, "path")
		if str(path) == "" {
			r.add("build_context_location_missing", npos(f.Path, keyNode(n, "build")), "", "build has no path")
		} else if !isURL(str(path)) && f.refs["dockerfile"] == nil {
			df := str(get(build, "dockerfile_path"))
			if df == "" {
				df = "Dockerfile"
			}
			at := get(build, "dockerfile_path")
			if at == nil {
				at = path
			}
			ctx := filepath.Join(filepath.Dir(f.Path), str(path))
			if st, err := os.Stat(ctx); err != nil || !st.IsDir() {
				r.add("environment_definition_not_found", npos(f.Path, path), str(path), fmt.Sprintf("build context %q does not exist", str(path)))
			} else if !strings.Contains(df, "..") {
				r.add("dockerfile_path_missing", npos(f.Path, at), df, fmt.Sprintf("no %s in build context %q", df, str(path)))
			}
		}
	}
	if c := get(n, "conda_file"); c != nil && c.Kind == yaml.ScalarNode && str(c) != "" && !isURL(str(c)) && f.refs["conda"] == nil {
		p := filepath.Join(filepath.Dir(f.Path), str(c))
		if !filepath.IsAbs(str(c)) && !strings.Contains(str(c), "..") && !fileExists(p) {
			r.add("environment_definition_not_found", npos(f.Path, c), str(c), fmt.Sprintf("conda file %q does not exist", str(c)))
		}
	}
	if f.conda != nil { // inline conda_file
		r.conda(f.conda, true)
	}
	if v := get(n, "version"); v != nil && v.Kind == yaml.ScalarNode && str(v) != "" {
		if !regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.\-]*$`).MatchString(str(v)) {
			r.add("environment_definition_not_found", npos(f.Path, v), str(v), fmt.Sprintf("version %q is not a valid environment version", str(v)))
		}
	}
	// a conda file in the build context that the Dockerfile never installs
	if df := f.refs["dockerfile"]; df != nil && df.docker != nil {
		r.tos(f, df)
	}
	if cf := f.refs["conda"]; cf != nil && cf.conda != nil {
		r.tos(cf, f.refs["dockerfile"])
	} else if f.conda != nil {
		r.tos(f, f.refs["dockerfile"])
	}
}

// siblingDockerfile is a Dockerfile loaded from the same folder, if any.
func (r *run) siblingDockerfile(f *File) *File {
	for _, x := range r.def.Files {
		if x.Kind == KindDockerfile && x.docker != nil && filepath.Dir(x.Path) == filepath.Dir(f.Path) {
			return x
		}
	}
	return nil
}

func (r *run) image(p Pos, s string) {
	if strings.Contains(s, "$") {
		return
	}
	name := s
	digest := false
	if k := strings.IndexByte(name, '@'); k >= 0 {
		name, digest = name[:k], true
	}
	tag := ""
	if k := strings.LastIndexByte(name, ':'); k > strings.LastIndexByte(name, '/') {
		name, tag = name[:k], name[k+1:]
	}
	bare := strings.TrimPrefix(strings.ToLower(name), "mcr.microsoft.com/")
	for _, dep := range r.data.DeprecatedImages {
		if bare == dep {
			r.add("base_image_deprecated", p, s, fmt.Sprintf("base image %s is deprecated", s))
			break
		}
	}
	if !digest && tag == "" {
		r.add("base_image_no_tag_or_digest", p, s, fmt.Sprintf("base image %s has neither a tag nor a digest", s))
	}
}

func (r *run) envV1(f *File) {
	n, file := f.node, f.Path
	r.name(file, get(n, "name"))
	docker := get(n, "docker")
	if isNull(docker) {
		r.add("docker_definition_missing", npos(file, n), "", "the definition has no docker section")
	} else {
		var set []string
		var at *yaml.Node
		for _, k := range []string{"baseImage", "baseDockerfile", "buildContext"} {
			if !empty(getAny(docker, k, snake(k))) {
				set = append(set, k)
				if at == nil || len(set) == 2 {
					at = keyNode(docker, k)
					if at == nil {
						at = keyNode(docker, snake(k))
					}
				}
			}
		}
		if len(set) > 1 {
			r.add("docker_too_many_options", npos(file, at), strings.Join(set, ", "), "more than one of baseImage, baseDockerfile and buildContext is set: "+strings.Join(set, ", "))
		} else if len(set) == 0 && f.refs["dockerfile"] == nil {
			r.add("docker_option_missing", npos(file, docker), "", "none of baseImage, baseDockerfile and buildContext is set")
		}
		if img := getAny(docker, "baseImage", "base_image"); str(img) != "" {
			r.image(npos(file, img), str(img))
		}
		r.registry(file, getAny(docker, "baseImageRegistry", "base_image_registry"))
		r.deprecatedDocker(file, docker)
		if bc := getAny(docker, "buildContext", "build_context"); !empty(bc) {
			r.buildContextV1(f, bc)
		}
		if bd := getAny(docker, "baseDockerfile", "base_dockerfile"); str(bd) != "" && len(str(bd)) > r.data.DockerfileMax {
			r.add("dockerfile_too_large", npos(file, bd), strconv.Itoa(len(str(bd))), fmt.Sprintf("baseDockerfile is %d bytes (at most %d)", len(str(bd)), r.data.DockerfileMax))
		}
	}
	if ev := getAny(n, "environmentVariables", "environment_variables"); !empty(ev) {
		msg := "environment variables are set in the environment definition"
		if get(ev, "EXAMPLE_ENV_VAR") != nil {
			msg = "the SDK's placeholder EXAMPLE_ENV_VAR is still in the environment definition"
		}
		r.add("runtime_variables_misplaced", npos(file, keyNode(n, "environmentVariables")), "", msg)
	}
	py := get(n, "python")
	if isNull(py) {
		r.add("python_section_missing", npos(file, n), "", "the definition has no python section")
	} else {
		um := getAny(py, "userManagedDependencies", "user_managed_dependencies")
		cd := getAny(py, "condaDependencies", "conda_dependencies")
		if str(um) != "true" && str(um) != "True" && isNull(cd) && f.refs["conda"] == nil {
			r.add("conda_dependencies_missing", npos(file, py), "", "dependencies are not user-managed, yet there is no conda specification")
		}
		if cd != nil && !isNull(cd) && cd.Kind != yaml.MappingNode {
			r.add("conda_dependencies_invalid", npos(file, cd), "", "condaDependencies is not the JSON form of a conda environment")
		}
		if b := getAny(py, "baseCondaEnvironment", "base_conda_environment"); str(b) != "" {
			r.add("base_conda_environment_not_recommended", npos(file, b), str(b), fmt.Sprintf("baseCondaEnvironment is set to %q", str(b)))
		}
		if f.conda != nil {
			r.conda(f.conda, false)
		}
	}
	if rs := get(n, "r"); !isNull(rs) {
		r.add("r_section_deprecated", npos(file, keyNode(n, "r")), "", "the definition has an R section")
		if gp := getAny(rs, "githubPackages", "github_packages"); gp != nil {
			for _, it := range gp.Content {
				if t := getAny(it, "authToken", "auth_token"); str(t) != "" {
					r.add("registry_secrets_in_definition", npos(file, t), "authToken", "a GitHub token is written in the definition")
				}
			}
		}
	}
	if bc := getAny(docker, "buildContext", "build_context"); !empty(bc) {
		var with []string
		for _, k := range []string{"environmentVariables", "r", "spark"} {
			v := get(n, k)
			if k == "spark" {
				if v != nil && (!empty(get(v, "packages")) || !empty(get(v, "repositories"))) {
					with = append(with, k)
				}
				continue
			}
			if !empty(v) {
				with = append(with, k)
			}
		}
		if !empty(getAny(py, "condaDependencies", "conda_dependencies")) {
			with = append(with, "python.condaDependencies")
		}
		if len(with) > 0 {
			r.add("build_context_attribute_conflict", npos(file, keyNode(docker, "buildContext")), strings.Join(with, ", "), "buildContext is set together with "+strings.Join(with, ", "))
		}
	}
}

func snake(k string) string {
	var b strings.Builder
	for _, c := range k {
		if c >= 'A' && c <= 'Z' {
			b.WriteByte('_')
			c += 'a' - 'A'
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (r *run) registry(file string, reg *yaml.Node) {
	if isNull(reg) {
		return
	}
	user, pass := getAny(reg, "username"), getAny(reg, "password")
	ident := getAny(reg, "registryIdentity", "registry_identity")
	hasUser, hasPass, hasIdent := str(user) != "", str(pass) != "", !empty(ident)
	if hasUser != hasPass {
		at := user
		if hasPass {
			at = pass
		}
		r.add("registry_credentials_incomplete", npos(file, at), "", "only one of username and password is set")
	}
	if (hasUser || hasPass) && hasIdent {
		r.add("registry_multiple_credentials", npos(file, ident), "", "both a username/password and a registry identity are set")
	}
	if hasPass {
		r.add("registry_secrets_in_definition", npos(file, pass), "password", "a registry password is written in the definition")
	}
}

func (r *run) deprecatedDocker(file string, docker *yaml.Node) {
	// The SDK writes these with default values; only other values count.
	defaults := map[string]func(*yaml.Node) bool{
		"enabled":       func(n *yaml.Node) bool { return str(n) == "false" || isNull(n) },
		"arguments":     func(n *yaml.Node) bool { return empty(n) },
		"sharedVolumes": func(n *yaml.Node) bool { return str(n) == "true" || isNull(n) },
		"gpuSupport":    func(n *yaml.Node) bool { return isNull(n) },
		"shmSize":       func(n *yaml.Node) bool { return isNull(n) || str(n) == "2g" },
	}
	for _, k := range []string{"enabled", "arguments", "sharedVolumes", "gpuSupport", "shmSize"} {
		v := getAny(docker, k, snake(k))
		if v == nil || defaults[k](v) {
			continue
		}
		kn := keyNode(docker, k)
		if kn == nil {
			kn = keyNode(docker, snake(k))
		}
		r.add("docker_deprecated_attribute", npos(file, kn), k, fmt.Sprintf("docker.%s is deprecated in the environment definition", k))
	}
}

var blobURL = regexp.MustCompile(`^https://[a-z0-9]{3,24}\.blob\.core\.windows\.net/[a-z0-9][a-z0-9-]{1,62}/.+`)

func (r *run) buildContextV1(f *File, bc *yaml.Node) {
	file := f.Path
	loc := get(bc, "location")
	if str(loc) == "" {
		r.add("build_context_location_missing", npos(file, bc), "", "buildContext has no location")
		return
	}
	lt := getAny(bc, "locationType", "location_type")
	if t := str(lt); t != "" && !strings.EqualFold(t, "storageAccount") {
		r.add("build_context_location_type_unsupported", npos(file, lt), t, fmt.Sprintf("buildContext.locationType is %q", t))
		return
	}
	if !blobURL.MatchString(str(loc)) {
		r.add("build_context_location_invalid", npos(file, loc), str(loc), fmt.Sprintf("%q is not a storage account URL with a container and a path", str(loc)))
	}
}

// conda checks one conda specification; full says whether CEP 24 file
// rules apply (a standalone file, not the v1 JSON copy).
func (r *run) conda(c *condaFile, full bool) {
	r.out = append(r.out, c.problems...)
	file := c.path
	if c.node == nil || c.node.Kind != yaml.MappingNode {
		return
	}
	if full {
		if s := str(c.name); s != "" && (strings.ContainsAny(s, "/ :#") || s == "base" || s == "root") {
			r.add("conda_dependencies_invalid", npos(file, c.name), s, fmt.Sprintf("conda environment name %q is not allowed", s))
		}
		if p := get(c.node, "platforms"); p != nil {
			for _, it := range p.Content {
				if it.Value == "noarch" {
					r.add("conda_dependencies_invalid", npos(file, it), "noarch", "noarch is not a platform")
				}
			}
		}
	}
	if empty(c.channels) {
		at := keyNode(c.node, "channels")
		if at == nil {
			at = c.node
		}
		r.add("conda_channels_missing", npos(file, at), "", "no channels are listed")
	}
	var pythons []Dep
	var pip *Dep
	for i := range c.deps {
		d := c.deps[i]
		if d.Err != "" {
			r.add("conda_dependencies_invalid", d.Pos, d.Raw, fmt.Sprintf("%q is not a valid MatchSpec: %s", d.Raw, d.Err))
			if d.Name == "python" {
				r.add("python_version_invalid", d.Pos, d.Raw, fmt.Sprintf("python spec %q does not parse: %s", d.Raw, d.Err))
			}
			continue
		}
		switch d.Name {
		case "python":
			pythons = append(pythons, d)
			continue
		case "pip":
			pip = &c.deps[i]
			if d.Version == "" {
				r.add("pip_not_pinned", d.Pos, d.Raw, "pip is listed without a version")
				continue
			}
		}
		if !d.pinned() {
			r.add("dependencies_unpinned", d.Pos, d.Raw, fmt.Sprintf("conda dependency %q has no version constraint", d.Raw))
		}
	}
	deps := keyNode(c.node, "dependencies")
	switch {
	case len(pythons) == 0:
		at := deps
		if at == nil {
			at = c.node
		}
		r.add("python_version_missing", npos(file, at), "", "no python dependency gives the Python version")
	case len(pythons) > 1:
		r.add("python_version_multiple", pythons[1].Pos, pythons[1].Raw, fmt.Sprintf("python is listed %d times", len(pythons)))
	}
	for _, p := range pythons {
		r.python(p)
	}
	if c.pipNode != nil && pip == nil {
		r.add("pip_not_specified", npos(file, c.pipNode), "", "a pip: list is given but pip is not a conda dependency")
	}
	r.pipDeps(c.pip)
}

var pyMinor = regexp.MustCompile(`^(?:==|=|~=|>=)?\s*(\d+)\.(\d+)`)

func (r *run) python(d Dep) {
	v := strings.TrimSpace(d.Version)
	if v == "" || v == "*" {
		return
	}
	m := pyMinor.FindStringSubmatch(v)
	if m == nil {
		if !regexp.MustCompile(`^[<>=!~]`).MatchString(v) && !regexp.MustCompile(`^\d+(\.\*)?$`).MatchString(v) {
			r.add("python_version_invalid", d.Pos, d.Raw, fmt.Sprintf("python version %q is not a version", v))
		}
		return
	}
	minor := m[1] + "." + m[2]
	eol, ok := r.data.PythonEOL[minor]
	if !ok {
		return
	}
	t, err := time.Parse("2006-01", eol)
	if err != nil {
		return
	}
	t = t.AddDate(0, 1, 0) // end of that month
	switch {
	case !r.opt.Now.Before(t):
		r.add("python_version_unsupported", d.Pos, minor, fmt.Sprintf("Python %s reached its end of life in %s", minor, eol))
	case r.opt.Now.AddDate(0, r.data.NotRecommended, 0).After(t):
		r.add("python_version_not_recommended", d.Pos, minor, fmt.Sprintf("Python %s reaches its end of life in %s", minor, eol))
	}
}

func (r *run) pipDeps(deps []Dep) {
	for _, d := range deps {
		if d.Option {
			continue
		}
		if d.Err != "" {
			if strings.Contains(d.Err, "single '='") {
				r.add("pip_single_equals", d.Pos, d.Raw, fmt.Sprintf("%q: %s", d.Raw, d.Err))
			} else {
				r.add("pip_requirement_invalid", d.Pos, d.Raw, fmt.Sprintf("%q: %s", d.Raw, d.Err))
			}
			continue
		}
		if !d.pinned() {
			r.add("dependencies_unpinned", d.Pos, d.Raw, fmt.Sprintf("pip requirement %q has no version constraint", d.Raw))
		}
	}
}

// tos predicts conda_tos_not_accepted: the defaults channels are reachable
// and the Dockerfile (if any) does not accept the terms of service.
func (r *run) tos(conda *File, df *File) {
	c := conda.conda
	if c == nil || c.node == nil || c.node.Kind != yaml.MappingNode {
		return
	}
	reach, at := true, keyNode(c.node, "channels")
	if c.channels != nil {
		reach = false
		for _, ch := range c.channels.Content {
			switch ch.Value {
			case "nodefaults":
				return
			case "defaults":
				reach, at = true, ch
			}
		}
	}
	if !reach {
		return
	}
	if df != nil && df.docker != nil {
		for _, in := range df.docker.Instructions {
			if strings.Contains(in.Args, "tos accept") || strings.Contains(in.Args, "CONDA_PLUGINS_AUTO_ACCEPT_TOS") {
				return
			}
		}
	}
	if at == nil {
		at = c.node
	}
	r.add("conda_defaults_tos", npos(c.path, at), "defaults", "the defaults channels are used and nothing accepts their terms of service")
}

var (
	redirect   = regexp.MustCompile(`[A-Za-z0-9_\-\]][<>]=?[0-9]`)
	installCmd = regexp.MustCompile(`\b(conda|mamba|micromamba|pip3?|python3? -m pip)\s+install\b`)
	pipInstall = regexp.MustCompile(`\bpip3?\s+install\b|\bpython3?\s+-m\s+pip\s+install\b`)
	aptInstall = regexp.MustCompile(`\bapt(-get)?\s+(-[^ ]+\s+)*install\b`)
	aptUpdate  = regexp.MustCompile(`\bapt(-get)?\s+(-[^ ]+\s+)*update\b`)
)

func (r *run) dockerfile(f *File) {
	d := f.docker
	if f.Size > r.data.DockerfileMax {
		r.add("dockerfile_too_large", Pos{File: f.Path, Line: 1, Column: 1}, strconv.Itoa(f.Size), fmt.Sprintf("the Dockerfile is %d bytes (at most %d)", f.Size, r.data.DockerfileMax))
	}
	stages := d.Stages()
	pep668 := map[*Instruction]bool{}
	var cur bool
	for _, st := range stages {
		if !st.FromStage {
			p := Pos{File: f.Path, Line: st.Inst.Line, Column: st.Inst.ArgsCol}
			r.image(p, st.Image)
		}
		_ = cur
	}
	venv := false
	stageIdx := -1
	for i := range d.Instructions {
		in := &d.Instructions[i]
		p := Pos{File: f.Path, Line: in.Line, Column: in.Column}
		if !knownInstructions[in.Cmd] {
			r.add("dockerfile_instruction_unknown", p, strings.ToUpper(in.Cmd), fmt.Sprintf("%s is not a Dockerfile instruction", strings.ToUpper(in.Cmd)))
			continue
		}
		switch in.Cmd {
		case "from":
			stageIdx++
			cur = false
			venv = false
			if stageIdx < len(stages) && !stages[stageIdx].FromStage {
				img := strings.ToLower(stages[stageIdx].Image)
				for _, x := range r.data.PEP668Images {
					if strings.HasPrefix(img, x) {
						cur = true
					}
				}
			}
		case "env":
			if strings.Contains(in.Args, "VIRTUAL_ENV") || strings.Contains(in.Args, "PIP_BREAK_SYSTEM_PACKAGES") || regexp.MustCompile(`PATH=\S*(venv|conda|/opt/)`).MatchString(in.Args) {
				venv = true
			}
		case "run":
			body := in.Args
			for _, h := range in.Heredocs {
				body += "\n" + h.Body
			}
			if installCmd.MatchString(body) {
				for _, seg := range splitCommands(body) {
					if !installCmd.MatchString(seg) {
						continue
					}
					for _, w := range strings.Fields(seg) {
						if strings.HasPrefix(w, "'") || strings.HasPrefix(w, `"`) {
							continue
						}
						if loc := redirect.FindStringIndex(w); loc != nil {
							r.add("dockerfile_unquoted_version", p, w, fmt.Sprintf("the shell reads %q as a redirection: quote the version spec", w))
						}
					}
				}
			}
			if strings.Contains(body, "conda activate") && !strings.Contains(body, "conda init") && !strings.Contains(body, "conda.sh") && !strings.Contains(body, "shell.bash hook") {
				r.add("dockerfile_conda_activate", p, "conda activate", "conda activate in a RUN needs a shell that conda has initialised")
			}
			if aptInstall.MatchString(body) && !aptUpdate.MatchString(body) {
				r.add("dockerfile_apt_no_update", p, "apt-get install", "apt-get install runs without apt-get update in the same RUN")
			}
			if cur && !venv && pipInstall.MatchString(body) && !strings.Contains(body, "--break-system-packages") && !strings.Contains(body, "venv") {
				pep668[in] = true
				r.add("dockerfile_pip_externally_managed", p, stages[stageIdx].Image, fmt.Sprintf("pip install into the system Python of %s, which is externally managed (PEP 668)", stages[stageIdx].Image))
			}
		case "copy", "add":
			r.copySources(f, in)
		}
	}
}

func splitCommands(s string) []string {
	return regexp.MustCompile(`&&|\|\||;|\n`).Split(s, -1)
}

func (r *run) copySources(f *File, in *Instruction) {
	if f.context == "" || len(in.Heredocs) > 0 {
		return
	}
	for _, fl := range in.Flags {
		if strings.HasPrefix(fl, "--from") {
			return
		}
	}
	words := in.JSON
	if words == nil {
		words = strings.Fields(in.Args)
	}
	if len(words) < 2 {
		return
	}
	ignore := readDockerignore(f.context)
	for _, src := range words[:len(words)-1] {
		if strings.Contains(src, "://") || strings.ContainsAny(src, "$*?[") {
			continue
		}
		clean := filepath.Clean(strings.TrimPrefix(src, "/"))
		p := Pos{File: f.Path, Line: in.Line, Column: in.ArgsCol}
		if clean == ".." || strings.HasPrefix(clean, "../") {
			r.add("dockerfile_copy_source_missing", p, src, fmt.Sprintf("%s %s reaches outside the build context", strings.ToUpper(in.Cmd), src))
			continue
		}
		if _, err := os.Stat(filepath.Join(f.context, clean)); err != nil {
			r.add("dockerfile_copy_source_missing", p, src, fmt.Sprintf("%s source %s is not in the build context", strings.ToUpper(in.Cmd), src))
			continue
		}
		for _, pat := range ignore {
			if ok, _ := filepath.Match(pat, clean); ok || clean == pat || strings.HasPrefix(clean, pat+"/") {
				r.add("dockerfile_copy_source_missing", p, src, fmt.Sprintf("%s source %s is excluded by .dockerignore (%s)", strings.ToUpper(in.Cmd), src, pat))
				break
			}
		}
	}
}

func readDockerignore(ctx string) []string {
	b, err := os.ReadFile(filepath.Join(ctx, ".dockerignore"))
	if err != nil || len(b) > MaxFileBytes {
		return nil
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "!") {
			continue
		}
		out = append(out, strings.TrimSuffix(filepath.Clean(strings.TrimPrefix(l, "/")), "/"))
	}
	return out
}
