package classify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The tests in this file pin the one-way pipeline: parse → validate →
// compile → detect → apply → finish → rank. Each of the first seven was a
// defect of the engine before it was reshaped.

// secretAt builds a log line that prints a secret so that its first byte
// is at offset at of the text the cut applies to, which starts with lead.
func secretAt(t *testing.T, lead, line, secret string, at int) string {
	t.Helper()
	rest := strings.TrimPrefix(line, "ERROR: ")
	i := strings.Index(rest, secret)
	if i < 0 {
		t.Fatalf("secret %q is not in %q", secret, line)
	}
	pad := at - len(lead) - i - 1
	if pad < 1 {
		t.Fatalf("cannot put the secret of %q at %d", line, at)
	}
	return lead + strings.Repeat("x", pad) + " " + rest
}

// leaks reports the longest prefix of secret (6 bytes or more) found in out.
func leaks(out, secret string) string {
	for n := len(secret); n >= 6; n-- {
		if strings.Contains(out, secret[:n]) {
			return secret[:n]
		}
	}
	return ""
}

// TestSecretsAcrossEveryCut puts every kind of secret across every cut an
// issue makes — evidence, context lines, step header, captured field — at
// several offsets, and checks that no prefix of it survives anywhere in the
// report or in the streamed issues.
func TestSecretsAcrossEveryCut(t *testing.T) {
	m := secretMatcher(t)
	type cut struct {
		name string
		at   int
		log  func(line string) string // the log holding the line
		lead string                   // what the cut text starts with
	}
	cuts := []cut{
		{"evidence", MaxEvidenceBytes, func(l string) string { return l + "\n" }, "ERROR: "},
		{"field", maxFieldBytes + len("ERROR: "), func(l string) string { return l + "\n" }, "ERROR: "},
		{"context before", maxContextBytes, func(l string) string { return l + "\nERROR: later\n" }, "ERROR: "},
		{"context after", maxContextBytes, func(l string) string { return "ERROR: first\n" + l + "\n" }, "ERROR: "},
		{"step", maxStepBytes, func(l string) string {
			return "#5 [2/3] RUN " + strings.TrimPrefix(l, "[2/3] RUN ") + "\n#5 0.25 ERROR: in the step\n"
		}, "[2/3] RUN "},
	}
	for _, c := range cuts {
		for _, tt := range secretLines {
			for _, back := range []int{1, 3, len(tt.secret) / 2, len(tt.secret) - 1} {
				name := fmt.Sprintf("%s/%s/%d", c.name, tt.name, back)
				t.Run(name, func(t *testing.T) {
					line := secretAt(t, c.lead, tt.line, tt.secret, c.at-back)
					log := c.log(line)
					rep, err := m.Classify(context.Background(), strings.NewReader(log))
					if err != nil {
						t.Fatal(err)
					}
					issues, err := m.ScanAll(context.Background(), strings.NewReader(log))
					if err != nil {
						t.Fatal(err)
					}
					out, _ := json.Marshal(struct {
						R *Report
						I []Issue
					}{rep, issues})
					if p := leaks(string(out), tt.secret); p != "" {
						t.Errorf("%q of the secret leaks", p)
					}
				})
			}
		}
	}
}

// TestMatcherOwnsItsCatalog changes a catalog after Compile and after
// Merge: the Matcher and the merged catalog must not see it.
func TestMatcherOwnsItsCatalog(t *testing.T) {
	r := &Rule{ID: "oom", Group: "system", Title: "Out of memory", Priority: 5,
		Patterns: []Pattern{{Expr: `^Killed$`}}, Links: []string{"https://example.com/a"}, Retry: RetryPermanent}
	c := &Catalog{Rules: []*Rule{r}}
	merged, err := Merge(c)
	if err != nil {
		t.Fatal(err)
	}
	m := MustCompile(c)
	before, _ := m.Classify(context.Background(), strings.NewReader("Killed\n"))

	r.Title, r.Priority, r.Fallback, r.Retry = "changed", 99, true, RetryTransient
	r.Links[0] = "https://example.com/changed"
	r.Patterns[0].Expr = "nothing"

	after, _ := m.Classify(context.Background(), strings.NewReader("Killed\n"))
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("changing the catalog changed the Matcher (-before +after):\n%s", diff)
	}
	if got := merged.Rules[0]; got.Title != "Out of memory" || got.Links[0] != "https://example.com/a" || got.Patterns[0].Expr != `^Killed$` {
		t.Errorf("Merge's output aliases its input: %+v", got)
	}
	// What Matcher.Catalog returns is a copy too.
	m.Catalog().Rules[0].Title = "changed again"
	if m.Catalog().Rules[0].Title != "Out of memory" {
		t.Error("Matcher.Catalog returns the Matcher's own data")
	}
	// An issue's links are its own.
	after.Primary.Links[0] = "https://example.com/mine"
	again, _ := m.Classify(context.Background(), strings.NewReader("Killed\n"))
	if again.Primary.Links[0] != "https://example.com/a" {
		t.Error("an Issue's Links alias the Matcher's")
	}
}

// TestGoBuiltCatalogValidated gives Compile the mistakes that only the YAML
// parser used to check; each is a positioned error, never a panic.
func TestGoBuiltCatalogValidated(t *testing.T) {
	at := func(line int) Pos { return Pos{File: "go", Line: line, Column: 1} }
	c := &Catalog{Rules: []*Rule{
		{ID: "short_literal", Group: "g", Title: "t", Pos: at(1), Literals: []string{"abc"}, Patterns: []Pattern{{Expr: "abc def", Pos: at(2)}}},
		{ID: "pattern_literal", Group: "g", Title: "t", Pos: at(3), Patterns: []Pattern{{Expr: "xyzzy plugh", Pos: at(4), Literals: []string{"xy"}}}},
		{ID: "Bad-ID", Group: "g", Title: "t", Pos: at(5), Patterns: []Pattern{{Expr: "bad id here", Pos: at(6)}}},
		{ID: "no_title", Group: "g", Pos: at(7), Patterns: []Pattern{{Expr: "no title here", Pos: at(8)}}},
		{ID: "bad_within", Group: "g", Title: "t", Pos: at(9), Patterns: []Pattern{{Expr: "first line", Pos: at(10)}},
			Sequence: []Step{{Pattern: Pattern{Expr: "next line", Pos: at(11)}, Within: -2}}},
		{ID: "bad_collect", Group: "g", Title: "t", Pos: at(12), Patterns: []Pattern{{Expr: "collect from here", Pos: at(13)}},
			Collect: &Collect{Pattern: Pattern{Expr: `^\s+(\S+)`}, Field: "Items", Max: -1}},
		{ID: "bad_retry", Group: "g", Title: "t", Pos: at(14), Retry: "sometimes", Patterns: []Pattern{{Expr: "retry me now", Pos: at(15)}}},
		{ID: "bad_link", Group: "g", Title: "t", Pos: at(16), Links: []string{"ftp://x"}, Patterns: []Pattern{{Expr: "link me now", Pos: at(17)}}},
		{ID: "short_literal", Group: "g", Title: "again", Pos: at(18), Patterns: []Pattern{{Expr: "duplicate id", Pos: at(19)}}},
		nil,
	}}
	_, err := Compile(c)
	var list ErrorList
	if !asList(err, &list) {
		t.Fatalf("want an ErrorList, got %v", err)
	}
	var got []string
	for _, e := range list {
		got = append(got, e.Error())
	}
	want := []string{
		`invalid value: a nil rule in the catalog`,
		`go:1:1: rule short_literal: invalid value: literal "abc" is shorter than 4 bytes`,
		`go:4:1: rule pattern_literal: invalid value: literal "xy" is shorter than 4 bytes`,
		`go:5:1: rule Bad-ID: invalid value: id "Bad-ID" must be snake_case (lower-case words joined by _)`,
		`go:7:1: rule no_title: missing required key: title`,
		`go:11:1: rule bad_within: invalid value: within must be from 1 to 1000 (0: the next line)`,
		`go:12:1: rule bad_collect: invalid value: field "Items" must be a snake_case word`,
		`go:12:1: rule bad_collect: invalid value: collect max must be from 1 to 1000 and within from 1 to 1000 (0: the default, 20)`,
		`go:14:1: rule bad_retry: invalid value: retry "sometimes" (want transient, permanent or unknown)`,
		`go:16:1: rule bad_link: invalid value: link "ftp://x" is not an http(s) URL`,
		`go:18:1: rule short_literal: duplicate rule id: also defined at go:1:1`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if _, err := Compile(nil); err == nil || !strings.Contains(err.Error(), "nil catalog") {
		t.Errorf("Compile(nil) = %v", err)
	}
}

func asList(err error, l *ErrorList) bool {
	v, ok := err.(ErrorList)
	*l = v
	return ok
}

// TestExplainAgreesWithClassify: Explain is the detector with a trace
// hook, so on lines rewritten with bare carriage returns it finds what
// Classify finds.
func TestExplainAgreesWithClassify(t *testing.T) {
	c := &Catalog{Rules: []*Rule{{ID: "killed", Group: "system", Title: "Killed", Patterns: []Pattern{{Expr: `^Killed$`}}}}}
	m := MustCompile(c)
	for _, line := range []string{"progress 50%\rKilled", "Killed\r\x1b[0m", "\x1b[91mKilled\x1b[0m", "#8 1.2 Killed", "Killed"} {
		rep, _ := m.Classify(context.Background(), strings.NewReader(line+"\n"))
		ex := m.Explain(line)
		fired := 0
		for _, tr := range ex.Traces {
			if tr.Fired() {
				fired++
			}
		}
		if len(rep.Issues) != 1 || fired != 1 || ex.Report.Primary == nil || ex.Report.Primary.ID != "killed" {
			t.Errorf("%q: Classify found %d, Explain fired %d (segments %q, primary %v)", line, len(rep.Issues), fired, ex.Segments, ex.Report.Primary)
		}
	}
	ex := m.Explain("progress 50%\rKilled")
	if diff := cmp.Diff([]string{"progress 50%", "Killed"}, ex.Segments); diff != "" {
		t.Errorf("segments (-want +got):\n%s", diff)
	}
	if len(ex.Traces) != 1 || ex.Traces[0].Segment != 1 {
		t.Errorf("traces: %+v", ex.Traces)
	}
}

// TestLastLineNeverGoesBack repeats an issue whose first occurrence waits
// for after-context while later repeats are counted: LastLine is the last
// repeat whatever the context setting.
func TestLastLineNeverGoesBack(t *testing.T) {
	var b strings.Builder
	lines := []int{}
	for i := 1; i <= 12; i++ {
		if i%4 == 1 && i < 12 {
			b.WriteString("ERROR: No matching distribution found for numpy==9.9\n")
			lines = append(lines, i)
		} else {
			fmt.Fprintf(&b, "noise %d\n", i)
		}
	}
	for _, n := range []int{0, 1, 2, 3, 5, 10} {
		m := basicMatcher(t, WithContextLines(n))
		rep, err := m.Classify(context.Background(), strings.NewReader(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Issues) != 1 {
			t.Fatalf("context %d: issues %v", n, brief(rep.Issues))
		}
		is := rep.Issues[0]
		if is.Line != lines[0] || is.LastLine != lines[len(lines)-1] || is.Count != len(lines) {
			t.Errorf("context %d: line %d last %d count %d; want %d, %d, %d", n, is.Line, is.LastLine, is.Count, lines[0], lines[len(lines)-1], len(lines))
		}
	}
}

// TestRetriedFailureCitesTheFinalAttempt: attempts that the log shows were
// retried are counted, and the issue is the final attempt; attempts
// followed by success are no issue at all.
func TestRetriedFailureCitesTheFinalAttempt(t *testing.T) {
	src := `rules:
  - id: fetch_failed
    group: download
    title: A download failed
    patterns: ['curl: \((?<code>\d+)\) ']
    unless: {pattern: 'Will retry in \d+ seconds?', within: 1}
`
	c, err := ParseCatalog("retry.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m := MustCompile(c)
	failed := "curl: (7) Failed to connect\nWarning: Will retry in 1 seconds.\n" +
		"curl: (7) Failed to connect\nWarning: Will retry in 2 seconds.\n" +
		"curl: (7) Failed to connect\nstep failed\n"
	rep, _ := m.Classify(context.Background(), strings.NewReader(failed))
	if len(rep.Issues) != 1 || rep.Issues[0].Line != 5 || rep.Issues[0].Attempts != 3 {
		t.Errorf("report: %+v", rep.Issues)
	}
	issues, _ := m.ScanAll(context.Background(), strings.NewReader(failed))
	if len(issues) != 1 || issues[0].Line != 5 || issues[0].Attempts != 3 {
		t.Errorf("scan: %+v", issues)
	}
	recovered := "curl: (7) Failed to connect\nWarning: Will retry in 1 seconds.\n100 1234k downloaded\n"
	if rep, _ := m.Classify(context.Background(), strings.NewReader(recovered)); len(rep.Issues) != 0 {
		t.Errorf("a retried attempt that then worked is an issue: %+v", rep.Issues)
	}
	// A failure without retries says nothing of attempts.
	if rep, _ := m.Classify(context.Background(), strings.NewReader("curl: (6) Could not resolve host\n")); len(rep.Issues) != 1 || rep.Issues[0].Attempts != 0 {
		t.Errorf("plain failure: %+v", rep.Issues)
	}
}

// TestNormalisedOncePerSegment: the session never normalises; the detector
// does it once for every segment, also with multi-line rules open, in the
// sequential scan and in the parallel one (whose workers' counts the session
// adds up), on 200 MB (8 MB under the race detector).
func TestNormalisedOncePerSegment(t *testing.T) {
	// One period of the log: a collect window opened, items split by bare
	// carriage returns (one rewritten by colour codes), a sequence opened,
	// empty segments, and plain lines, most of them matching nothing.
	period := "PackagesNotFoundError: The following packages are not available\n" + // 1 segment
		"  - numpy=9.9\r\x1b[32m  - scipy=0.1\x1b[0m\n" + // 2
		"\r\r#8 12.5 progress\r\n" + // 1: empty segments are not matched
		"UnsatisfiableError: The following specifications were found\n" + // 1
		"2024-05-01T10:00:00.000Z #9 0.312 to be incompatible with each other:\n" + // 1
		"#9 0.400 Collecting numpy\n" + // 1
		strings.Repeat("#9 0.512   Downloading numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl (18.2 MB)\n", 40) // 40, matching nothing
	const perPeriod, linesPerPeriod = 47, 46
	size := 200 << 20
	if raceEnabled || testing.Short() {
		size = 8 << 20
	}
	periods := size / len(period)
	for _, workers := range []int{1, 2} {
		m := basicMatcher(t, WithWorkers(workers))
		s := m.NewSession()
		r := &repeatReader{chunk: []byte(period), left: periods}
		for _, err := range s.Scan(context.Background(), r) {
			if err != nil {
				t.Fatal(err)
			}
		}
		if want := periods * perPeriod; s.det.segments != want {
			t.Errorf("workers=%d: normalised %d segments, want %d (one per segment)", workers, s.det.segments, want)
		}
		rep := s.Report()
		if rep.Lines != periods*linesPerPeriod || len(rep.Issues) == 0 || len(rep.Issues[0].Lists["packages"]) == 0 {
			t.Errorf("workers=%d: %d lines, the collect window saw nothing: %+v", workers, rep.Lines, rep.Issues)
		}
	}
}

// repeatReader reads chunk left times.
type repeatReader struct {
	chunk []byte
	left  int
	off   int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && r.left > 0 {
		k := copy(p[n:], r.chunk[r.off:])
		n += k
		if r.off += k; r.off == len(r.chunk) {
			r.off, r.left = 0, r.left-1
		}
	}
	if n == 0 && r.left == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// TestRankerWithoutMatcher re-ranks and merges reports with the exported
// Ranker and checks it decides as the session's report did.
func TestRankerWithoutMatcher(t *testing.T) {
	m := basicMatcher(t)
	log := "ERROR: No matching distribution found for numpy==9.9\nKilled\n"
	rep, _ := m.Classify(context.Background(), strings.NewReader(log))
	k := m.Ranker()
	again := k.Rank(rep.Issues)
	if diff := cmp.Diff(rep.Issues, again.Issues); diff != "" {
		t.Errorf("re-ranking changed the report (-want +got):\n%s", diff)
	}
	// Two logs' reports merged: counts add up, the primary is chosen anew.
	other, _ := m.Classify(context.Background(), strings.NewReader("ERROR: No matching distribution found for numpy==9.9\n"))
	merged := k.Rank(append(append([]Issue(nil), rep.Issues...), other.Issues...))
	var pip *Issue
	for i := range merged.Issues {
		if merged.Issues[i].ID == "pip_no_matching_distribution" {
			pip = &merged.Issues[i]
		}
	}
	if pip == nil || pip.Count != 2 || merged.Primary == nil || merged.Primary.ID != rep.Primary.ID {
		t.Errorf("merged: %+v", merged)
	}
	if !k.Suppresses("out_of_memory", "compile_error") || k.Suppresses("compile_error", "out_of_memory") {
		t.Error("Suppresses disagrees with the catalog")
	}
}

// TestMisuseReturnsErrors: a second range over a finished Scan, a nil
// reader and a nil context are errors, not panics; Feed after Close panics
// with an error value that errors.Is recognises.
func TestMisuseReturnsErrors(t *testing.T) {
	m := basicMatcher(t)
	s := m.NewSession()
	seq := s.Scan(context.Background(), strings.NewReader("Killed\n"))
	n := 0
	for _, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	var again []error
	for _, err := range seq {
		again = append(again, err)
	}
	if n != 1 || len(again) != 1 || !errors.Is(again[0], ErrSessionClosed) {
		t.Errorf("first range %d issues; second range %v", n, again)
	}
	for _, err := range m.Scan(context.Background(), nil) {
		if !errors.Is(err, ErrNilReader) {
			t.Errorf("nil reader: %v", err)
		}
	}
	if rep, err := m.Classify(nil, strings.NewReader("Killed\n")); err != nil || rep.Primary == nil {
		t.Errorf("nil context: %v, %+v", err, rep)
	}
	defer func() {
		err, ok := recover().(error)
		if !ok || !errors.Is(err, ErrSessionClosed) {
			t.Errorf("Feed after Close: recover() = %v", err)
		}
	}()
	s.FeedString("Killed")
}

// TestFlushGivesCertainIssuesEarly: an issue waiting for after-context
// comes out of Flush with the context so far; one that a retry may still
// cancel does not.
func TestFlushGivesCertainIssuesEarly(t *testing.T) {
	m := basicMatcher(t, WithContextLines(5))
	s := m.NewSession()
	if got := s.FeedString("Killed"); len(got) != 0 {
		t.Fatalf("issue before its after-context: %v", got)
	}
	s.FeedString("next line")
	got := s.Flush()
	if len(got) != 1 || got[0].ID != "out_of_memory" || len(got[0].Context) != 1 {
		t.Fatalf("Flush: %+v", got)
	}
	if rest := s.Close(); len(rest) != 0 {
		t.Errorf("issue handed out twice: %v", rest)
	}
	if rep := s.Report(); len(rep.Issues) != 1 || rep.Issues[0].Count != 1 {
		t.Errorf("report: %+v", rep.Issues)
	}
}

// TestSessionNormalized: a service testing lines of its own gets the text the
// patterns saw, without normalising again.
func TestSessionNormalized(t *testing.T) {
	s := basicMatcher(t).NewSession()
	for _, c := range []struct{ line, want string }{
		{"2024-05-01T10:00:00.1234567Z #12 3.021 Successfully built 4f2a\n", "Successfully built 4f2a"},
		{"50%\r\x1b[32mdone\x1b[0m\r\n", "done"},
		{"", ""},
		{"first\nsecond line\n", "second line"},
	} {
		s.FeedString(c.line)
		if got := string(s.Normalized()); got != c.want {
			t.Errorf("Normalized after %q = %q, want %q", c.line, got, c.want)
		}
	}
	before := s.det.segments
	_ = s.Normalized()
	if s.det.segments != before {
		t.Error("Normalized normalised again")
	}
	s.Close()
}
