package dockerfilediff

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/buildlog/buildlog/classify/envcheck"
	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// view is what both parsers are compared on: the parts of a Dockerfile that
// envcheck's checks read.
type view struct {
	Escape     string
	Directives map[string]string
	Insts      []inst
	Images     []string // FROM images after ARG substitution, when both can say (see simpleImages)
}

type inst struct {
	Cmd        string // lower case
	Start, End int    // first and last physical line, heredoc bodies included
	Flags      []string
	JSON       bool
	Items      []string // the exec form's items, or the words of FROM, EXPOSE and the shell forms of COPY, ADD, VOLUME
	Text       string   // the argument text of RUN, CMD, ENTRYPOINT, SHELL (shell form), USER, WORKDIR, MAINTAINER, STOPSIGNAL
	Sub        string   // ONBUILD: the trigger's instruction word
	Heredocs   []doc
}

type doc struct{ Name, Body string }

// knownDiff is a deliberate difference: an input it applies to is not
// compared (the fuzz target skips it; a corpus case must name it).
type knownDiff struct {
	name, reason string
	applies      func(src []byte, ours *envcheck.Dockerfile, oursErr error) bool
}

var knownDiffs = []knownDiff{
	{"long-line", "BuildKit's line scanner stops at a line of 64 KiB or more; we read it, so generated Dockerfiles are still checked",
		func(src []byte, _ *envcheck.Dockerfile, _ error) bool {
			for _, l := range bytes.Split(src, []byte("\n")) {
				if len(l) >= bkMaxLine {
					return true
				}
			}
			return false
		}},
	{"flag-bytes", "BuildKit reads --flags and HEALTHCHECK's type word byte by byte and re-encodes each byte, mangling non-ASCII text; we decode UTF-8",
		func(src []byte, ours *envcheck.Dockerfile, _ error) bool {
			if ours == nil {
				return reNonASCIIFlag.Match(src)
			}
			for _, in := range ours.Instructions {
				if !ascii(strings.Join(in.Flags, "")) || (in.Cmd == "healthcheck" || in.Cmd == "onbuild") && !ascii(in.Args) {
					return true
				}
			}
			return false
		}},
	{"not-utf8", "we refuse text that is not UTF-8 (a definition_unreadable finding); BuildKit reads bytes",
		func(src []byte, _ *envcheck.Dockerfile, _ error) bool { return !utf8.Valid(src) }},
	{"limits", "we refuse hostile input: over 8 MiB, over 100,000 lines, or substitutions or ONBUILD triggers nested deeper than 64",
		func(_ []byte, _ *envcheck.Dockerfile, err error) bool { return errors.Is(err, envcheck.ErrRefused) }},
}

// reNonASCIIFlag finds a line with "--" and a non-ASCII byte after it: where
// ours refuses a file, text that BuildKit may have read as a flag.
var reNonASCIIFlag = regexp.MustCompile(`--[^\n]*[^\x00-\x7f]`)

// bkMaxLine is the shortest line BuildKit's scanner refuses (bufio's
// maximum token size, the newline included).
const bkMaxLine = 64 * 1024

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// outcome is both parsers' reading of one input.
type outcome struct {
	bk, ours       view
	bkErr, oursErr error
	known          []string // names of the known differences that apply
}

func run(src []byte) (o outcome) {
	d, err := envcheck.ParseDockerfile("Dockerfile", src)
	o.oursErr = err
	if err == nil {
		o.ours = oursView(d)
	}
	for _, k := range knownDiffs {
		if k.applies(src, d, err) {
			o.known = append(o.known, k.name)
		}
	}
	if contains(o.known, "not-utf8") {
		return o // ours refuses it; BuildKit's lexer would only print complaints
	}
	o.bk, o.bkErr = buildkitView(src)
	if o.bkErr == nil && err == nil {
		simpleImages(src, d, &o)
	}
	return o
}

// problem says how the two readings disagree, or "".
func (o outcome) problem() string {
	if (o.bkErr == nil) != (o.oursErr == nil) {
		return fmt.Sprintf("buildkit error: %v\nours error: %v", o.bkErr, o.oursErr)
	}
	if o.bkErr != nil {
		return ""
	}
	return cmp.Diff(o.bk, o.ours)
}

var reWhite = regexp.MustCompile(`[\t\v\f\r ]+`)

func words(s string) []string {
	var out []string
	for _, w := range reWhite.Split(s, -1) {
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// body normalises a heredoc body: line ends without carriage returns.
func body(s string) string {
	ls := strings.SplitAfter(s, "\n")
	for i, l := range ls {
		if strings.HasSuffix(l, "\n") {
			ls[i] = strings.TrimRight(l[:len(l)-1], "\r") + "\n"
		}
	}
	return strings.Join(ls, "")
}

func oursView(d *envcheck.Dockerfile) view {
	v := view{Escape: string(d.Escape), Directives: d.Directives}
	for _, in := range d.Instructions {
		x := inst{Cmd: in.Cmd, Start: in.Line, End: in.EndLine, Flags: in.Flags}
		switch in.Cmd {
		case "run", "cmd", "entrypoint", "shell":
			if in.JSON != nil {
				x.JSON, x.Items = true, in.JSON
			} else {
				x.Text = in.Args
			}
		case "add", "copy", "volume":
			if in.JSON != nil {
				x.JSON, x.Items = true, in.JSON
			} else {
				x.Items = words(in.Args)
			}
		case "from", "expose":
			x.Items = words(in.Args)
		case "user", "workdir", "maintainer", "stopsignal":
			x.Text = in.Args
		case "healthcheck":
			if in.JSON != nil {
				x.JSON, x.Items = true, in.JSON
			}
		case "onbuild":
			if w := words(in.Args); len(w) > 0 {
				x.Sub = strings.ToLower(w[0])
			}
		}
		for _, h := range in.Heredocs {
			x.Heredocs = append(x.Heredocs, doc{h.Name, body(h.Body)})
		}
		v.Insts = append(v.Insts, x)
	}
	return v
}

func chain(n *parser.Node) []string {
	out := []string{}
	for ; n != nil; n = n.Next {
		out = append(out, n.Value)
	}
	return out
}

func buildkitView(src []byte) (v view, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("buildkit panicked: %v", r)
		}
	}()
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return view{}, err
	}
	v = view{Escape: string(res.EscapeToken), Directives: map[string]string{}}
	// The directives as Parse reads them: the leading lines, the first
	// without its byte order mark, each without line end and leading space.
	var dp parser.DirectiveParser
	for i, l := range bytes.Split(src, []byte("\n")) {
		if i == 0 {
			l = bytes.TrimPrefix(l, []byte("\uFEFF"))
		}
		l = bytes.TrimLeftFunc(bytes.TrimRight(l, "\r\n"), unicode.IsSpace)
		dir, err := dp.ParseLine(l)
		if err != nil || dir == nil {
			break
		}
		v.Directives[dir.Name] = dir.Value
	}
	for _, n := range res.AST.Children {
		x := inst{Cmd: strings.ToLower(n.Value), Start: n.StartLine, End: n.EndLine, Flags: n.Flags}
		if len(x.Flags) == 0 {
			x.Flags = nil
		}
		json := n.Attributes["json"]
		switch x.Cmd {
		case "run", "cmd", "entrypoint", "shell":
			if json {
				x.JSON, x.Items = true, chain(n.Next)
			} else if n.Next != nil {
				x.Text = n.Next.Value
			}
		case "add", "copy", "volume", "from", "expose":
			x.JSON = json
			if xs := chain(n.Next); len(xs) > 0 || json {
				x.Items = xs
			}
		case "user", "workdir", "maintainer", "stopsignal":
			if n.Next != nil {
				x.Text = n.Next.Value
			}
		case "healthcheck":
			if json && n.Next != nil {
				x.JSON, x.Items = true, chain(n.Next.Next)
			}
		case "onbuild":
			if n.Next != nil && len(n.Next.Children) > 0 {
				x.Sub = strings.ToLower(n.Next.Children[0].Value)
			}
		}
		for _, h := range n.Heredocs {
			x.Heredocs = append(x.Heredocs, doc{h.Name, body(h.Content)})
		}
		v.Insts = append(v.Insts, x)
	}
	return v, nil
}

var (
	reSimpleArg   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=[A-Za-z0-9_./:@+-]*$`)
	reSimpleImage = regexp.MustCompile(`^(?:[A-Za-z0-9_./:@+-]|\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-[A-Za-z0-9_./:@+-]*)?\})+$`)
	reVarRef      = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)?|\$([A-Za-z_][A-Za-z0-9_]*)`)
)

// simpleImages compares the FROM images after ARG substitution when the
// ARGs before the first FROM are plain name=value words and each FROM image
// uses only $X, ${X}, ${X:-d} and ${X-d}, every X without a default being
// declared: there BuildKit's shell lexer and envcheck's expand must agree.
// (Where X is unknown, envcheck keeps "$X" on purpose and BuildKit makes it
// empty, so those are not compared.)
func simpleImages(src []byte, d *envcheck.Dockerfile, o *outcome) {
	env := map[string]string{}
	var envList []string
	ok := true
	for _, in := range d.Instructions {
		if in.Cmd == "from" {
			break
		}
		if in.Cmd != "arg" {
			continue
		}
		ws := words(in.Args)
		if len(in.Flags) > 0 || len(ws) == 0 {
			ok = false
		}
		for _, w := range ws {
			if !reSimpleArg.MatchString(w) {
				ok = false
				break
			}
			k, v, _ := strings.Cut(w, "=")
			env[k] = v
			envList = append(envList, w)
		}
	}
	if !ok {
		return
	}
	lex := shell.NewLex(rune(d.Escape))
	envs := shell.EnvsFromSlice(envList)
	stages := d.Stages()
	if len(o.bk.Insts) != len(o.ours.Insts) {
		return
	}
	for i, in := range o.bk.Insts {
		if in.Cmd != "from" || len(in.Items) == 0 {
			continue
		}
		img := in.Items[0]
		if !reSimpleImage.MatchString(img) {
			continue
		}
		simple := true
		for _, m := range reVarRef.FindAllStringSubmatch(img, -1) {
			if _, declared := env[m[1]+m[3]]; !declared && m[2] == "" {
				simple = false
			}
		}
		if !simple {
			continue
		}
		res, err := lex.ProcessWordWithMatches(img, envs)
		if err != nil {
			continue
		}
		// the stage of this FROM in ours: the same instruction index
		for _, st := range stages {
			if st.Inst.Line == o.ours.Insts[i].Start {
				o.bk.Images = append(o.bk.Images, res.Result)
				o.ours.Images = append(o.ours.Images, st.Image)
			}
		}
	}
}

// check compares one input and reports what is wrong. known names the
// known difference the case is listed under ("" for none); reject says
// whether BuildKit is expected to refuse it.
func check(t *testing.T, src []byte, known string, reject bool) {
	t.Helper()
	o := run(src)
	if known != "" {
		if !contains(o.known, known) {
			t.Errorf("listed under known difference %q, which does not apply (applies: %v)", known, o.known)
		}
		t.Logf("known difference %s: buildkit error %v; ours error %v", known, o.bkErr, o.oursErr)
		return
	}
	if len(o.known) > 0 {
		t.Errorf("known differences %v apply but the case does not name them", o.known)
		return
	}
	if (o.bkErr != nil) != reject {
		t.Errorf("buildkit error %v; want rejected=%v", o.bkErr, reject)
	}
	if p := o.problem(); p != "" {
		t.Errorf("parsers disagree (-buildkit +ours):\n%s\ninput: %q", p, src)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// fixtureDockerfiles lists the Dockerfiles under the repository's fixtures.
func fixtureDockerfiles(t testing.TB) []string {
	var out []string
	root := filepath.Join("..", "..", "fixtures")
	err := filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := strings.ToLower(e.Name())
		if e.IsDir() || !strings.Contains(name, "dockerfile") || strings.HasSuffix(name, ".want") || strings.HasSuffix(name, ".log") {
			return nil
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func TestFixtures(t *testing.T) {
	files := fixtureDockerfiles(t)
	if len(files) < 8 {
		t.Fatalf("found %d fixture Dockerfiles, want at least 8", len(files))
	}
	for _, p := range files {
		t.Run(filepath.ToSlash(p), func(t *testing.T) {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			check(t, b, "", false)
		})
	}
}

// buildkitTestfiles lists BuildKit's own parser test inputs beside the
// parser's source, if that is on this machine (it is in the module cache
// unless the binary was built with -trimpath): testfiles/*/Dockerfile
// (accepted) and testfiles-negative/*/Dockerfile (refused).
func buildkitTestfiles() (good, bad []string) {
	file, _ := runtime.FuncForPC(reflect.ValueOf(parser.Parse).Pointer()).FileLine(0)
	dir := filepath.Dir(file)
	if !filepath.IsAbs(dir) {
		return nil, nil
	}
	good, _ = filepath.Glob(filepath.Join(dir, "testfiles", "*", "Dockerfile"))
	bad, _ = filepath.Glob(filepath.Join(dir, "testfiles-negative", "*", "Dockerfile"))
	return good, bad
}

func TestBuildkitTestfiles(t *testing.T) {
	good, bad := buildkitTestfiles()
	if len(good) == 0 {
		t.Skip("BuildKit's parser test files are not in the module cache")
	}
	for _, set := range []struct {
		files  []string
		reject bool
	}{{good, false}, {bad, true}} {
		for _, p := range set.files {
			t.Run(filepath.Base(filepath.Dir(p)), func(t *testing.T) {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				check(t, b, "", set.reject)
			})
		}
	}
}

func TestKnownDiffsAreDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range knownDiffs {
		if k.name == "" || k.reason == "" || strings.Contains(k.reason, "\n") || seen[k.name] {
			t.Errorf("known difference %q: needs a unique name and a one-line reason", k.name)
		}
		seen[k.name] = true
	}
	if len(knownDiffs) > 6 {
		t.Errorf("%d known differences: keep the table small", len(knownDiffs))
	}
	// every entry is shown by at least one corpus case
	for _, c := range shapes {
		delete(seen, c.known)
	}
	for k := range seen {
		t.Errorf("known difference %q has no corpus case", k)
	}
}

func FuzzDifferential(f *testing.F) {
	for _, c := range shapes {
		if len(c.src) < 4096 {
			f.Add([]byte(c.src))
		}
	}
	for _, p := range fixtureDockerfiles(f) {
		if b, err := os.ReadFile(p); err == nil && len(b) < 4096 {
			f.Add(b)
		}
	}
	good, bad := buildkitTestfiles()
	for _, p := range append(good, bad...) {
		if b, err := os.ReadFile(p); err == nil && len(b) < 4096 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		o := run(src)
		if len(o.known) > 0 {
			return // a documented difference
		}
		if o.bkErr != nil {
			// BuildKit refuses: the views are not compared, but ours must
			// refuse too
			if o.oursErr == nil {
				t.Fatalf("buildkit refuses (%v), ours accepts\ninput: %q", o.bkErr, src)
			}
			return
		}
		if p := o.problem(); p != "" {
			t.Fatalf("parsers disagree (-buildkit +ours):\n%s\ninput: %q", p, src)
		}
	})
}
