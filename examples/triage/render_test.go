package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/patterns"
	"github.com/google/go-cmp/cmp"
)

// issueKeys are the keys every issue object of the JSON formats must have.
var issueKeys = map[string]string{
	"id": "string", "group": "string", "title": "string", "severity": "string",
	"line": "number", "end_line": "number", "text": "string", "fields": "object",
	"remediation": "string", "links": "array", "retry": "string", "step": "string",
	"count": "number", "primary": "bool", "suppressed_by": "string",
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

func checkIssue(t *testing.T, where string, v any) map[string]any {
	t.Helper()
	is, ok := v.(map[string]any)
	if !ok {
		t.Errorf("%s: issue is %s, want object", where, jsonType(v))
		return nil
	}
	for k, typ := range issueKeys {
		got, ok := is[k]
		if !ok {
			t.Errorf("%s: issue %v has no key %q", where, is["id"], k)
			continue
		}
		if jsonType(got) != typ {
			t.Errorf("%s: issue %v: %q is %s, want %s", where, is["id"], k, jsonType(got), typ)
		}
	}
	if sev := is["severity"]; sev != "error" && sev != "warning" && sev != "info" {
		t.Errorf("%s: severity %v", where, sev)
	}
	return is
}

func checkReport(t *testing.T, where string, v any) {
	t.Helper()
	rep, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: report is %s, want object", where, jsonType(v))
	}
	want := map[string]string{"source": "string", "lines": "number", "issues": "array", "warnings": "array"}
	for k, typ := range want {
		if got := jsonType(rep[k]); got != typ {
			t.Errorf("%s: %q is %s, want %s", where, k, got, typ)
		}
	}
	if _, ok := rep["primary"]; !ok {
		t.Errorf("%s: no key \"primary\"", where)
	}
	var primaries []map[string]any
	for _, v := range rep["issues"].([]any) {
		if is := checkIssue(t, where, v); is != nil && is["primary"] == true {
			primaries = append(primaries, is)
		}
	}
	switch p := rep["primary"].(type) {
	case nil:
		if len(primaries) != 0 {
			t.Errorf("%s: primary is null but an issue is marked primary", where)
		}
	default:
		is := checkIssue(t, where+" primary", p)
		if len(primaries) != 1 || !cmp.Equal(is, primaries[0]) {
			t.Errorf("%s: primary is not the one issue marked primary", where)
		}
	}
}

func TestJSONContract(t *testing.T) {
	for _, lg := range goldenLogs {
		got := triage(t, nil, "", withCatalog("--format", "json", "testdata/logs/"+lg.name+".log")...)
		var v any
		if err := json.Unmarshal([]byte(got.stdout), &v); err != nil {
			t.Fatalf("%s: %v", lg.name, err)
		}
		checkReport(t, lg.name, v)
	}
	got := triage(t, nil, "", withCatalog("--format", "json", "testdata/logs/oom.log", "testdata/logs/clean.log")...)
	var reps []any
	if err := json.Unmarshal([]byte(got.stdout), &reps); err != nil {
		t.Fatalf("several inputs: %v", err)
	}
	if len(reps) != 2 {
		t.Fatalf("several inputs: %d reports, want 2", len(reps))
	}
	for _, r := range reps {
		checkReport(t, "array", r)
	}
}

func TestJSONL(t *testing.T) {
	got := triage(t, nil, "", withCatalog("--format", "jsonl", "testdata/logs/pip.log", "testdata/logs/clean.log")...)
	lines := strings.Split(strings.TrimSuffix(got.stdout, "\n"), "\n")
	var types []string
	for i, l := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, l)
		}
		types = append(types, v["type"].(string)+" "+v["source"].(string))
		switch v["type"] {
		case "issue":
			checkIssue(t, "jsonl", v)
		case "summary":
			if p := v["primary"]; p != nil {
				checkIssue(t, "jsonl summary", p)
			}
		}
	}
	want := []string{
		"issue testdata/logs/pip.log", "issue testdata/logs/pip.log", "issue testdata/logs/pip.log", "issue testdata/logs/pip.log",
		"summary testdata/logs/pip.log", "summary testdata/logs/clean.log",
	}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Errorf("record types mismatch (-want +got):\n%s", diff)
	}
}

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestJSONLStreams checks that an issue is written while the log is still
// being read.
func TestJSONLStreams(t *testing.T) {
	pr, pw := io.Pipe()
	var stdout, stderr lockedBuffer
	done := make(chan int)
	go func() {
		done <- run(withCatalog("--format", "jsonl", "--context", "0"), pr, &stdout, &stderr, func(string) string { return "" })
	}()
	io.WriteString(pw, "Step 1/1 : RUN make\nNo space left on device\nmore output\n")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stdout.String(), `"id":"disk_full"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no issue written while the log is open; stdout %q", stdout.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if strings.Contains(stdout.String(), `"type":"summary"`) {
		t.Errorf("summary written before the log ended")
	}
	pw.Close()
	if code := <-done; code != 1 {
		t.Errorf("exit status %d, want 1; stderr %q", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), `"type":"summary"`) {
		t.Errorf("no summary at the end: %q", stdout.String())
	}
}

func TestSARIFRequiredFields(t *testing.T) {
	got := triage(t, nil, "", withCatalog("--format", "sarif", "testdata/logs/oom.log", "testdata/logs/pip.log", "testdata/logs/clean.log")...)
	var log struct {
		Schema  *string `json:"$schema"`
		Version string  `json:"version"`
		Runs    []struct {
			Tool *struct {
				Driver *struct {
					Name  string `json:"name"`
					Rules []struct {
						ID   string `json:"id"`
						Help *struct {
							Text *string `json:"text"`
						} `json:"help"`
						ShortDescription *struct {
							Text *string `json:"text"`
						} `json:"shortDescription"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results *[]struct {
				RuleID    string `json:"ruleId"`
				RuleIndex *int   `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   *struct {
					Text *string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation *struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region *struct {
							StartLine int `json:"startLine"`
							EndLine   int `json:"endLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				Suppressions []struct {
					Kind string `json:"kind"`
				} `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	dec := json.NewDecoder(strings.NewReader(got.stdout))
	if err := dec.Decode(&log); err != nil {
		t.Fatal(err)
	}
	if log.Schema == nil || *log.Schema == "" {
		t.Errorf("no $schema")
	}
	if log.Version != "2.1.0" {
		t.Errorf("version %q, want 2.1.0", log.Version)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool == nil || run.Tool.Driver == nil || run.Tool.Driver.Name == "" {
		t.Fatalf("no tool.driver.name")
	}
	rules := run.Tool.Driver.Rules
	cat, _ := classify.ParseCatalog("x", mustRead(t, "testdata/catalogs/triage.yaml"))
	if len(rules) != len(cat.Rules)+1 {
		t.Errorf("%d rules, want one per catalog rule (%d) and unexplained_failure", len(rules), len(cat.Rules))
	}
	for i, r := range rules {
		if r.ID == "" || r.Help == nil || r.Help.Text == nil || *r.Help.Text == "" || r.ShortDescription == nil || r.ShortDescription.Text == nil {
			t.Errorf("rule %d (%q): id, help.text and shortDescription.text are required", i, r.ID)
		}
	}
	if run.Results == nil {
		t.Fatalf("no results array")
	}
	uris := map[string]bool{}
	for i, r := range *run.Results {
		if r.RuleID == "" || r.RuleIndex == nil || *r.RuleIndex >= len(rules) || rules[*r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %d: ruleId %q and ruleIndex do not agree", i, r.RuleID)
		}
		if r.Message == nil || r.Message.Text == nil || *r.Message.Text == "" {
			t.Errorf("result %d: no message.text", i)
		}
		if r.Level != "error" && r.Level != "warning" && r.Level != "note" {
			t.Errorf("result %d: level %q", i, r.Level)
		}
		if len(r.Locations) != 1 {
			t.Fatalf("result %d: %d locations, want 1", i, len(r.Locations))
		}
		pl := r.Locations[0].PhysicalLocation
		if pl == nil || pl.ArtifactLocation == nil || pl.ArtifactLocation.URI == "" || pl.Region == nil || pl.Region.StartLine < 1 || pl.Region.EndLine < pl.Region.StartLine {
			t.Errorf("result %d: physicalLocation needs artifactLocation.uri and region.startLine/endLine", i)
			continue
		}
		uris[pl.ArtifactLocation.URI] = true
		for _, s := range r.Suppressions {
			if s.Kind != "inSource" && s.Kind != "external" {
				t.Errorf("result %d: suppression kind %q", i, s.Kind)
			}
		}
	}
	if want := map[string]bool{"testdata/logs/oom.log": true, "testdata/logs/pip.log": true}; !cmp.Equal(want, uris) {
		t.Errorf("artifact uris %v, want %v", uris, want)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestSARIFURI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"build.log", "build.log"},
		{"logs/a b.log", "logs/a%20b.log"},
		{"/var/log/build#1.log", "file:///var/log/build%231.log"},
		{stdinName, "stdin"},
	}
	for _, tt := range tests {
		if got := sarifURI(tt.in); got != tt.want {
			t.Errorf("sarifURI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

var workflowLine = regexp.MustCompile(`^::(error|warning|notice) (?:file=[^,:]*,)?line=\d+,endLine=\d+,title=[^,:]*::`)

func TestGitHubInjection(t *testing.T) {
	// A file name with the property separators in it.
	dir := t.TempDir()
	name := filepath.Join(dir, "step,1:build.log")
	if err := os.WriteFile(name, mustRead(t, "testdata/logs/inject.log"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := triage(t, nil, "", withCatalog("--format", "github", name)...)
	if strings.ContainsAny(got.stdout, "\r\x1b\x07") {
		t.Errorf("raw control characters in the output: %q", got.stdout)
	}
	lines := strings.Split(strings.TrimSuffix(got.stdout, "\n"), "\n")
	if len(lines) != 3 {
		t.Errorf("%d lines, want 3 annotations:\n%s", len(lines), got.stdout)
	}
	for _, l := range lines {
		if !workflowLine.MatchString(l) {
			t.Errorf("not a single well-formed workflow command: %q", l)
		}
		if !strings.Contains(l, "file="+strings.NewReplacer(",", "%2C", ":", "%3A").Replace(name)+",") {
			t.Errorf("file property not escaped: %q", l)
		}
	}
	for _, want := range []string{
		"No space left on device ::set-env name=x::y", // mid-line: inert
		"found for x%250A::error::pwned,title=y",      // %0A cannot become a newline
		`\x1b]0;pwned title\x07\x1b[31mKilled`,        // escapes shown, not sent
	} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(got.stdout, "x%0A::error::pwned") {
		t.Errorf("log text %%0A passed through unescaped")
	}
}

func TestWorkflowEscaping(t *testing.T) {
	tests := []struct{ in, data, prop string }{
		{"100%", "100%25", "100%25"},
		{"a\r::warning::b", "a%0D::warning::b", `a\r%3A%3Awarning%3A%3Ab`},
		{"x\n::set-env name=x::y", "x%0A::set-env name=x::y", `x\n%3A%3Aset-env name=x%3A%3Ay`},
		{"%0A::error::x", "%250A::error::x", "%250A%3A%3Aerror%3A%3Ax"},
		{"a,b:c", "a,b:c", "a%2Cb%3Ac"},
	}
	for _, tt := range tests {
		if got := escapeData(tt.in); got != tt.data {
			t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := escapeProperty(tt.in); got != tt.prop {
			t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.prop)
		}
	}
}

func TestGitHubCap(t *testing.T) {
	var log strings.Builder
	for i := range 15 {
		log.WriteString("ERROR: No matching distribution found for pkg" + string(rune('a'+i)) + "==1\n")
	}
	got := triage(t, nil, log.String(), withCatalog("--format", "github", "--context", "0")...)
	lines := strings.Split(strings.TrimSuffix(got.stdout, "\n"), "\n")
	if len(lines) != maxAnnotations+1 {
		t.Fatalf("%d lines, want %d annotations and a note", len(lines), maxAnnotations)
	}
	if !strings.HasPrefix(lines[0], "::error line=1,") {
		t.Errorf("first annotation is not the primary issue: %q", lines[0])
	}
	if want := "triage: 5 more issues not annotated; the job summary and --format text list every issue"; lines[maxAnnotations] != want {
		t.Errorf("last line %q, want %q", lines[maxAnnotations], want)
	}
}

func TestTextEscapes(t *testing.T) {
	for _, color := range []string{"never", "always"} {
		got := triage(t, nil, "", withCatalog("--color", color, "-v", "testdata/logs/inject.log")...)
		ours := regexp.MustCompile(`\x1b\[[0-9;]*m`)
		rest := ours.ReplaceAllString(got.stdout, "")
		if color == "never" && rest != got.stdout {
			t.Errorf("--color=never: colour codes in the output")
		}
		if strings.ContainsAny(rest, "\x1b\x07\r\u202e") {
			t.Errorf("--color=%s: raw control characters from the log reach the terminal: %q", color, rest)
		}
		for _, want := range []string{`\x1b]0;pwned title\x07\x1b[31mKilled\x1b[0m`, `\u202egnp.exe`, `progress 10%\r::warning::fake\rNo space`} {
			if !strings.Contains(rest, want) {
				t.Errorf("--color=%s: output lacks the escaped %q", color, want)
			}
		}
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text\twith tab", "plain text\twith tab"},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"bell\a del\x7f nul\x00", `bell\x07 del\x7f nul\x00`},
		{"cr\rlf\n", `cr\rlf\n`},
		{"csi \u009b31m", `csi \u009b31m`},
		{"abc\u202edcba \u2066x\u2069", `abc\u202edcba \u2066x\u2069`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"ünïcødé ✓ \ufffd", "ünïcødé ✓ \ufffd"},
	}
	for _, tt := range tests {
		if got := sanitize(tt.in); got != tt.want {
			t.Errorf("sanitize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUseColor(t *testing.T) {
	tty := &bytes.Buffer{}
	old := isTerminal
	isTerminal = func(w io.Writer) bool { return w == tty }
	t.Cleanup(func() { isTerminal = old })
	tests := []struct {
		mode string
		w    io.Writer
		env  map[string]string
		want bool
	}{
		{"auto", tty, nil, true},
		{"auto", &bytes.Buffer{}, nil, false},
		{"auto", tty, map[string]string{"NO_COLOR": "1"}, false},
		{"auto", tty, map[string]string{"NO_COLOR": ""}, true},
		{"auto", tty, map[string]string{"TERM": "dumb"}, false},
		{"auto", &bytes.Buffer{}, map[string]string{"CLICOLOR_FORCE": "1"}, true},
		{"always", &bytes.Buffer{}, nil, true},
		{"always", tty, map[string]string{"NO_COLOR": "1"}, false},
		{"never", tty, nil, false},
	}
	for _, tt := range tests {
		if got := useColor(tt.mode, tt.w, func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("useColor(%s, tty=%v, %v) = %v, want %v", tt.mode, tt.w == tty, tt.env, got, tt.want)
		}
	}
	got := triage(t, map[string]string{"NO_COLOR": "1"}, "", withCatalog("--color=always", "testdata/logs/oom.log")...)
	if strings.Contains(got.stdout, "\x1b") {
		t.Errorf("NO_COLOR with --color=always: colour codes in the output")
	}
}

func TestMarkdownInjection(t *testing.T) {
	log := "Step 1/1 : RUN `make` <img src=x>\n" +
		"ERROR: No matching distribution found for x```<script>alert(1)</script>[a](http://evil)@team\n" +
		"`````\n"
	got := triage(t, nil, log, withCatalog("--format", "markdown")...)
	var fence string
	for i, l := range strings.Split(got.stdout, "\n") {
		if fence != "" {
			if strings.HasPrefix(l, "`") && strings.Trim(l, "`") == "" && len(l) >= len(fence) {
				if l != fence {
					t.Errorf("line %d: code block closed by %q, want %q", i+1, l, fence)
				}
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(l, "```") {
			fence = strings.TrimSuffix(l, "text")
			if len(fence) <= 5 {
				t.Errorf("line %d: fence %q is not longer than the log's run of 5 backticks", i+1, fence)
			}
			continue
		}
		// Backslash escapes make the next character plain text.
		plain := regexp.MustCompile(`\\.`).ReplaceAllString(l, "")
		for _, bad := range []string{"<script", "<img", "](", "@team", "```"} {
			if strings.Contains(plain, bad) && !strings.HasPrefix(l, "Line ") {
				t.Errorf("line %d: %q outside code: %q", i+1, bad, l)
			}
		}
	}
	if fence != "" {
		t.Errorf("code block left open")
	}
	if !strings.Contains(got.stdout, "&lt;script&gt;alert\\(1\\)&lt;/script&gt;\\[a\\]\\(http://evil\\)\\@team") {
		t.Errorf("remediation not escaped:\n%s", got.stdout)
	}
	if !strings.Contains(got.stdout, "step ``Step 1/1 : RUN `make` <img src=x>``") {
		t.Errorf("step not in a code span longer than its backticks:\n%s", got.stdout)
	}
}

func TestMarkdownHelpers(t *testing.T) {
	if got, want := mdCode("a `b` c"), "``a `b` c``"; got != want {
		t.Errorf("mdCode = %q, want %q", got, want)
	}
	if got, want := mdCode("`x`"), "`` `x` ``"; got != want {
		t.Errorf("mdCode = %q, want %q", got, want)
	}
	if got, want := mdFence([]string{"````", "x"}), "`````text\n````\nx\n`````\n"; got != want {
		t.Errorf("mdFence = %q, want %q", got, want)
	}
	if got, want := mdLink("https://x.test/a?b=1"), "<https://x.test/a?b=1>"; got != want {
		t.Errorf("mdLink = %q, want %q", got, want)
	}
	if got, want := mdLink("javascript:alert(1)"), `javascript:alert\(1\)`; got != want {
		t.Errorf("mdLink = %q, want %q", got, want)
	}
}

func TestMarkdownLimit(t *testing.T) {
	res := &result{source: "big.log", report: &classify.Report{Lines: 1}}
	var many []*result
	for range 20 {
		many = append(many, res)
	}
	one := len(markdownSection(res))
	got := markdownReport(many, 5*(one+1)+200)
	if n := strings.Count(got, "### triage:"); n != 5 {
		t.Errorf("%d sections within the limit, want 5", n)
	}
	if !strings.HasSuffix(got, "_15 more logs not shown: the summary has a size limit._\n") {
		t.Errorf("no note about the logs left out: %q", got[len(got)-80:])
	}
}

func TestProgress(t *testing.T) {
	oldTerm, oldDelay, oldInterval := isTerminal, progressDelay, progressInterval
	t.Cleanup(func() { isTerminal, progressDelay, progressInterval = oldTerm, oldDelay, oldInterval })
	var stderr *lockedBuffer
	isTerminal = func(w io.Writer) bool { return w == io.Writer(stderr) }
	progressDelay, progressInterval = 0, time.Millisecond

	data := mustRead(t, "testdata/logs/oom.log")
	for _, tt := range []struct {
		env  map[string]string
		args []string
		want bool
	}{
		{nil, nil, true},
		{map[string]string{"CI": "true"}, nil, false},
		{nil, []string{"--progress=never"}, false},
		{nil, []string{"--format", "jsonl"}, true},
	} {
		stderr = &lockedBuffer{}
		var stdout bytes.Buffer
		in := &slowReader{data: data, pause: func() { time.Sleep(2 * time.Millisecond) }}
		code := run(withCatalog(tt.args...), in, &stdout, stderr, func(k string) string { return tt.env[k] })
		if code != 1 {
			t.Errorf("%v %v: exit %d", tt.env, tt.args, code)
		}
		got := stderr.String()
		drawn := strings.Contains(got, "\r\x1b[Ktriage: <stdin>: ")
		if drawn != tt.want {
			t.Errorf("%v %v: progress drawn = %v, want %v: %q", tt.env, tt.args, drawn, tt.want, got)
		}
		if drawn && !strings.HasSuffix(got, "\r\x1b[K") {
			t.Errorf("%v %v: progress line not erased at the end: %q", tt.env, tt.args, got)
		}
		if strings.Contains(stdout.String(), "\r") {
			t.Errorf("progress reached stdout")
		}
	}
}

func TestDefaultCatalog(t *testing.T) {
	cat, err := patterns.Catalog()
	if err == nil {
		_, err = classify.Compile(cat, classify.WithLazyCompile())
	}
	if err != nil {
		t.Skipf("the default catalog does not compile (it is being edited): %v", err)
	}
	log := "Step 2/3 : RUN pip install numpy==9.9\nERROR: No matching distribution found for numpy==9.9\nOSError: [Errno 28] No space left on device\nKilled\n"
	got := triage(t, nil, log, "--format", "json")
	if got.code != 1 {
		t.Errorf("exit %d, want 1; stderr %q", got.code, got.stderr)
	}
	var rep struct {
		Issues []struct {
			ID string `json:"id"`
		} `json:"issues"`
	}
	if err := json.Unmarshal([]byte(got.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, is := range rep.Issues {
		found[is.ID] = true
	}
	for _, id := range []string{"pip_no_matching_distribution", "disk_full", "out_of_memory"} {
		if !found[id] {
			t.Errorf("default catalog: %s not found in %s", id, got.stdout)
		}
	}
}

// A rule's help text in SARIF shows a field it cannot know as <name>, its
// default when it has one, and nothing for an empty default.
func TestTemplateText(t *testing.T) {
	for in, want := range map[string]string{
		"stopped ({{signal|TERM}}{{signal_opt|}}; exit)": "stopped (TERM; exit)",
		"install {{ package }} again":                    "install <package> again",
		"no fields":                                      "no fields",
		"{{a|x y}} and {{b}}":                            "x y and <b>",
	} {
		if got := templateText(in); got != want {
			t.Errorf("templateText(%q) = %q, want %q", in, got, want)
		}
	}
}
