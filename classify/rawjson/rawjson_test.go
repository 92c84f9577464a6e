package rawjson_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/classify/rawjson"
	"github.com/buildlog/buildlog/patterns"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func vertexLine(d, name string) string {
	return fmt.Sprintf(`{"vertexes":[{"digest":%q,"name":%q,"started":"2026-11-30T10:00:00Z"}]}`, d, name)
}

func logLine(d, data string) string {
	return fmt.Sprintf(`{"logs":[{"vertex":%q,"stream":2,"data":%q,"timestamp":"2026-11-30T10:00:01.5Z"}]}`, d, b64(data))
}

func decode(lines ...string) []string {
	var out []string
	d := rawjson.NewDecoder(func(b []byte) { out = append(out, string(b)) })
	for i, l := range lines {
		d.Decode(i+1, []byte(l+"\n"))
	}
	d.Close()
	return out
}

func TestDetect(t *testing.T) {
	for s, want := range map[string]bool{
		`{"vertexes":[]}`:         true,
		"\n  {\"logs\": [":        true,
		`{"statuses":null}`:       true,
		`{"warnings":[{}]}`:       true,
		"\xef\xbb\xbf{\"logs\":[": true,
		`{"other":1}`:             false,
		"#1 [internal] load":      false,
		`{"vertexes"`:             false,
		"vertexes":                false,
		"":                        false,
	} {
		if got := rawjson.Detect([]byte(s)); got != want {
			t.Errorf("Detect(%q) = %v, want %v", s, got, want)
		}
	}
}

// Interleaved vertexes, a line split across two objects, statuses,
// warnings, and errors become plain-progress lines in order.
func TestDecodeShapes(t *testing.T) {
	got := decode(
		vertexLine("sha256:a", "[1/2] RUN make"),
		vertexLine("sha256:b", "[stage-1 1/1] RUN pip install x"),
		logLine("sha256:a", "gcc -c x.c\nx.c:1: err"),
		logLine("sha256:b", "Collecting x\n"),
		logLine("sha256:a", "or here\n"),
		`{"statuses":[{"id":"extracting sha256:1","vertex":"sha256:b","current":5,"total":10,"timestamp":"2026-11-30T10:00:02Z","completed":"2026-11-30T10:00:02Z"}]}`,
		`{"warnings":[{"vertex":"sha256:b","level":1,"short":"`+b64("FromAsCasing: 'as' and 'FROM' keywords' casing do not match")+`","detail":["`+b64("more detail")+`"]}]}`,
		`{"vertexes":[{"digest":"sha256:a","name":"[1/2] RUN make","started":"2026-11-30T10:00:00Z","completed":"2026-11-30T10:00:03Z","error":"process \"/bin/sh -c make\" did not complete successfully: exit code: 2"}]}`,
		`{"vertexes":[{"digest":"sha256:b","started":"2026-11-30T10:00:00Z","completed":"2026-11-30T10:00:03Z","error":"context canceled"}]}`,
		"ERROR: failed to build: failed to solve: exit code: 2",
	)
	want := []string{
		"#1 [1/2] RUN make",
		"#2 [stage-1 1/1] RUN pip install x",
		"#1 1.500 gcc -c x.c",
		"#2 1.500 Collecting x",
		"#1 1.500 x.c:1: error here",
		"#2 extracting sha256:1 5 / 10 done",
		"#2 WARN: FromAsCasing: 'as' and 'FROM' keywords' casing do not match",
		"#2 more detail",
		`#1 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2`,
		"#2 CANCELED",
		"ERROR: failed to build: failed to solve: exit code: 2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Broken input gives warnings and the rest is still classified, with the
// input's line numbers.
func TestHostileInput(t *testing.T) {
	huge := strings.Repeat("A", rawjson.MaxObjectBytes+10)
	lines := []string{
		vertexLine("sha256:a", "[1/2] RUN apt-get install -y nosuch"), // 1
		`{"vertexes":[{"digest":"sha256:x","name":"cut off`,           // 2 truncated
		`{"logs":[{"vertex":"sha256:a","data":"!!!not base64!!!"}]}`,  // 3
		`{"logs":[{"vertex":"sha256:a","data":"` + huge + `"}]}`,      // 4 huge
		`{"logs":[],"future":{"x":1}}`,                                // 5 unknown field
		`{"vertexes":[{"digest":"sha256:a","colour":"red"}]}`,         // 6 unknown nested field
		`{"logs":"not a list"}`,                                       // 7
		`{"logs":[{"vertex":"sha256:a","stream":"one","data":""}]}`,   // 8 wrong type
		logLine("sha256:a", "E: Unable to locate package nosuch\n"),   // 9
		"\x00\xff garbage that is not JSON",                           // 10
		`{"logs":[null, 3]}`,                                          // 11
	}
	rep, err := rawjson.Classify(context.Background(), patterns.Default(), strings.NewReader(strings.Join(lines, "\n")+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Primary == nil || rep.Primary.ID != "apt_package_not_found" || rep.Primary.Line != 9 {
		t.Fatalf("primary %+v", rep.Primary)
	}
	if rep.Primary.Step != "[1/2] RUN apt-get install -y nosuch" {
		t.Errorf("step %q", rep.Primary.Step)
	}
	if rep.Lines != len(lines) {
		t.Errorf("lines %d, want %d", rep.Lines, len(lines))
	}
	byLine := map[int]string{}
	for _, w := range rep.Warnings {
		byLine[w.Line] += w.Message + ";"
	}
	for _, want := range []struct {
		line int
		text string
	}{
		{2, "not a complete JSON object"},
		{3, "not valid base64"},
		{4, "skipped"},
		{5, `unknown field "future"`},
		{6, `unknown field "vertexes.colour"`},
		{7, "not a list"},
		{8, "wrong type"},
		{11, "not an object"},
	} {
		if !strings.Contains(byLine[want.line], want.text) {
			t.Errorf("line %d: warnings %q, want %q", want.line, byLine[want.line], want.text)
		}
	}
}

// Every line number of an issue, context included, is an input line.
func TestLineNumbersAreInputLines(t *testing.T) {
	var in bytes.Buffer
	in.WriteString(vertexLine("sha256:a", "[1/1] RUN pip install torch==9.9") + "\n")
	for i := 0; i < 50; i++ {
		in.WriteString(logLine("sha256:a", fmt.Sprintf("line %d\nline %d b\n", i, i)) + "\n")
	}
	in.WriteString(logLine("sha256:a", "ERROR: No matching distribution found for torch==9.9\n") + "\n")
	in.WriteString(logLine("sha256:a", "after\n") + "\n")
	c := rawjson.NewClassifier(patterns.Default())
	var streamed []classify.Issue
	for _, l := range bytes.SplitAfter(in.Bytes(), []byte("\n")) {
		if len(l) > 0 {
			streamed = append(streamed, c.Feed(l)...)
		}
	}
	streamed = append(streamed, c.Close()...)
	rep := c.Report()
	if rep.Primary == nil || rep.Primary.Line != 52 {
		t.Fatalf("primary %+v", rep.Primary)
	}
	if len(streamed) == 0 || streamed[0].Line != 52 {
		t.Errorf("streamed %+v", streamed)
	}
	for _, l := range rep.Primary.Context {
		if l.Number < 49 || l.Number > 53 {
			t.Errorf("context line %d: %q", l.Number, l.Text)
		}
	}
}
