package classify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func basicMatcher(t testing.TB, opts ...Option) *Matcher {
	t.Helper()
	c, err := ParseCatalog("testdata/basic.yaml", mustReadTB(t, "testdata/basic.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustReadTB(t testing.TB, name string) []byte {
	t.Helper()
	data, err := readFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// brief renders issues compactly for comparison.
func brief(issues []Issue) []string {
	var out []string
	for _, is := range issues {
		s := fmt.Sprintf("%d-%d %s", is.Line, is.EndLine, is.ID)
		if is.Step != "" {
			s += " @" + is.Step
		}
		if len(is.Fields) > 0 {
			s += " " + fmt.Sprint(is.Fields)
		}
		out = append(out, s)
	}
	return out
}

func scanString(t *testing.T, m *Matcher, log string) []Issue {
	t.Helper()
	issues, err := m.ScanAll(context.Background(), strings.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	return issues
}

const classicLog = `Step 1/3 : FROM python:3.11
 ---> 0123456789ab
Step 2/3 : RUN pip install numpy==9.9
 ---> Running in abcdef
ERROR: No matching distribution found for numpy==9.9
Step 3/3 : RUN make
src/main.c:10:5: error: expected ';' before '}' token
Killed
The command '/bin/sh -c make' returned a non-zero code: 137
`

func TestScanStepsAndOrder(t *testing.T) {
	m := basicMatcher(t)
	got := brief(scanString(t, m, classicLog))
	want := []string{
		"5-5 pip_no_matching_distribution @Step 2/3 : RUN pip install numpy==9.9 map[package:numpy==9.9]",
		"7-7 compile_error @Step 3/3 : RUN make map[file:src/main.c line:10 message:expected ';' before '}' token]",
		"8-8 out_of_memory @Step 3/3 : RUN make",
		"9-9 out_of_memory @Step 3/3 : RUN make",
		"9-9 build_step_failed @Step 3/3 : RUN make map[code:137]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestScanBuildKitInterleaved(t *testing.T) {
	m := basicMatcher(t)
	log := `#5 [1/3] FROM docker.io/library/python:3.11
#6 [2/3] RUN pip install numpy==9.9
#7 [3/3] RUN make
#6 1.204 ERROR: No matching distribution found for numpy==9.9
#7 2.001 Killed
#6 ERROR: process "/bin/sh -c pip install numpy==9.9" did not complete successfully: exit code: 1
------
 > [3/3] RUN make:
0.928 Killed
------
`
	got := brief(scanString(t, m, log))
	want := []string{
		"4-4 pip_no_matching_distribution @[2/3] RUN pip install numpy==9.9 map[package:numpy==9.9]",
		"5-5 out_of_memory @[3/3] RUN make",
		"9-9 out_of_memory @[3/3] RUN make",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestScanContextAndRemediation(t *testing.T) {
	m := basicMatcher(t)
	issues := scanString(t, m, "one\ntwo\nERROR: No matching distribution found for foo\nthree\nfour\n")
	if len(issues) != 1 {
		t.Fatalf("got %d issues", len(issues))
	}
	is := issues[0]
	want := []Line{{2, "two"}, {4, "three"}}
	if diff := cmp.Diff(want, is.Context); diff != "" {
		t.Errorf("context mismatch (-want +got):\n%s", diff)
	}
	if is.Remediation != "Check the name and version of foo." {
		t.Errorf("remediation = %q", is.Remediation)
	}
	// With a larger context option, every rule keeps more.
	m = basicMatcher(t, WithContextLines(3))
	is = scanString(t, m, "a\nb\nc\nd\nKilled\ne\n")[0]
	want = []Line{{2, "b"}, {3, "c"}, {4, "d"}, {6, "e"}}
	if diff := cmp.Diff(want, is.Context); diff != "" {
		t.Errorf("context mismatch (-want +got):\n%s", diff)
	}
}

func TestScanSequence(t *testing.T) {
	m := basicMatcher(t)
	log := "UnsatisfiableError: The following specifications were found\n" +
		"to be incompatible with the existing python installation in your environment:\n" +
		"later\n" +
		"UnsatisfiableError: The following specifications were found\n" +
		"x\ny\nz\n" +
		"to be incompatible with each other:\n"
	got := scanString(t, m, log)
	if diff := cmp.Diff([]string{"1-2 conda_unsatisfiable map[what:the existing python installation in your environment]"}, brief(got)); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if len(got) == 1 && len(got[0].Evidence) != 2 {
		t.Errorf("evidence = %v", got[0].Evidence)
	}
}

func TestScanCollect(t *testing.T) {
	m := basicMatcher(t)
	log := "PackagesNotFoundError: The following packages are not available from current channels:\n\n" +
		"  - numpy=1.99\n  - foo\n\nCurrent channels:\n\n  - https://conda.anaconda.org/conda-forge\n"
	got := scanString(t, m, log)
	if len(got) != 1 {
		t.Fatalf("got %v", brief(got))
	}
	is := got[0]
	if diff := cmp.Diff(map[string][]string{"packages": {"numpy=1.99", "foo"}}, is.Lists); diff != "" {
		t.Errorf("lists mismatch (-want +got):\n%s", diff)
	}
	if is.Remediation != "Fix or remove numpy=1.99, foo." || is.EndLine != 4 {
		t.Errorf("remediation %q, end line %d", is.Remediation, is.EndLine)
	}
	// The issue is held back until the list ends, but still comes out in
	// line order before later issues.
	got = scanString(t, m, "PackagesNotFoundError: The following packages are not available\n  - a\nKilled\n")
	if diff := cmp.Diff([]string{"1-2 conda_package_not_found map[packages:a]", "3-3 out_of_memory"}, brief(got)); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestScanLongLines(t *testing.T) {
	m := basicMatcher(t, WithMaxLineBytes(4096))
	long := "ERROR: No matching distribution found for foo " + strings.Repeat("x", 10000)
	log := long + "\n" + strings.Repeat("y", 3<<20) + "\nKilled\n"
	rep, err := m.Classify(context.Background(), strings.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"1-1 pip_no_matching_distribution map[package:foo]", "3-3 out_of_memory"}, brief(rep.Issues)); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if rep.Lines != 3 || rep.LinesCut != 2 || rep.Bytes != int64(len(log)) {
		t.Errorf("lines %d cut %d bytes %d", rep.Lines, rep.LinesCut, rep.Bytes)
	}
	if len(rep.Issues[0].Text) > MaxEvidenceBytes+3 {
		t.Errorf("evidence not cut: %d bytes", len(rep.Issues[0].Text))
	}
}

func TestScanLineShapes(t *testing.T) {
	m := basicMatcher(t)
	tests := []struct{ name, log string }{
		{"no final newline", "a\nKilled"},
		{"CRLF", "a\r\nKilled\r\n"},
		{"progress rewrite", "a\n 10%|#   |\r 50%|#####|\rKilled\r\n"},
		{"invalid UTF-8", "\xff\xfe\nKilled\n"},
		{"ANSI", "a\n\x1b[31mKilled\x1b[0m\n"},
	}
	for _, tt := range tests {
		got := scanString(t, m, tt.log)
		if diff := cmp.Diff([]string{"2-2 out_of_memory"}, brief(got)); diff != "" {
			t.Errorf("%s: mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
	// The evidence is the raw segment that matched, escapes and all.
	got := scanString(t, m, "\x1b[31mKilled\x1b[0m\n")
	if got[0].Text != "\x1b[31mKilled\x1b[0m" {
		t.Errorf("text = %q", got[0].Text)
	}
	got = scanString(t, m, "src/a.c:1:2: error: caf\xe9 bad\n")
	if got[0].Fields["message"] != "caf\uFFFD bad" {
		t.Errorf("field = %q", got[0].Fields["message"])
	}
}

func TestIgnoreAndExclude(t *testing.T) {
	m := basicMatcher(t)
	got := scanString(t, m, "IGNORED: Killed\nKilled 3 processes\nERROR: No matching distribution found for foo (from versions: none) [ignored]\n")
	if len(got) != 0 {
		t.Errorf("got %v", brief(got))
	}
}

func TestReportRanking(t *testing.T) {
	m := basicMatcher(t)
	rep, err := m.Classify(context.Background(), strings.NewReader(classicLog+"Killed\n"))
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID, SuppressedBy  string
		Line, Last, Count int
		Primary           bool
	}
	var got []row
	for _, is := range rep.Issues {
		got = append(got, row{is.ID, is.SuppressedBy, is.Line, is.LastLine, is.Count, is.Primary})
	}
	want := []row{
		{ID: "pip_no_matching_distribution", Line: 5, Last: 5, Count: 1},
		{ID: "compile_error", SuppressedBy: "out_of_memory", Line: 7, Last: 7, Count: 1},
		{ID: "out_of_memory", Line: 8, Last: 10, Count: 3, Primary: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if rep.FallbacksDropped != 1 || rep.Primary == nil || rep.Primary.ID != "out_of_memory" || !rep.Failed() {
		t.Errorf("dropped %d, primary %v", rep.FallbacksDropped, rep.Primary)
	}
	if n := len(rep.Active()); n != 2 {
		t.Errorf("active issues: %d", n)
	}
	// A fallback alone is reported, and can be primary.
	rep, _ = m.Classify(context.Background(), strings.NewReader("The command 'x' returned a non-zero code: 2\n"))
	if rep.Primary == nil || rep.Primary.ID != "build_step_failed" || rep.Primary.Fields["code"] != "2" {
		t.Errorf("fallback alone: %v", rep.Issues)
	}
	// Nothing found: no primary.
	rep, _ = m.Classify(context.Background(), strings.NewReader("all good\n"))
	if rep.Primary != nil || rep.Failed() || len(rep.Issues) != 0 {
		t.Errorf("clean log: %v", rep.Issues)
	}
}

func TestMaxIssuesFolds(t *testing.T) {
	m := basicMatcher(t, WithMaxIssues(3))
	var b strings.Builder
	for i := range 10 {
		fmt.Fprintf(&b, "ERROR: No matching distribution found for pkg%d\n", i)
	}
	for range 5 {
		b.WriteString("ERROR: No matching distribution found for pkg1\n")
	}
	rep, _ := m.Classify(context.Background(), strings.NewReader(b.String()))
	if len(rep.Issues) != 3 || rep.Folded != 7 || rep.Issues[1].Count != 6 {
		t.Errorf("issues %d folded %d count %d", len(rep.Issues), rep.Folded, rep.Issues[1].Count)
	}
}

func TestSessionMatchesScan(t *testing.T) {
	m := basicMatcher(t)
	want := scanString(t, m, classicLog)
	s := m.NewSession()
	var got []Issue
	for _, line := range strings.SplitAfter(classicLog, "\n") {
		if line != "" {
			got = append(got, s.FeedString(line)...)
		}
	}
	got = append(got, s.Close()...)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-scan +session):\n%s", diff)
	}
	if rep := s.Report(); rep.Primary == nil || rep.Primary.ID != "out_of_memory" || rep.Lines != 9 {
		t.Errorf("report: %+v", rep)
	}
	if s.Close() != nil {
		t.Error("second Close returned issues")
	}
}

func TestSessionMisuse(t *testing.T) {
	m := basicMatcher(t)
	s := m.NewSession()
	s.Close()
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "closed") {
			t.Errorf("Feed after Close: recover() = %v", r)
		}
	}()
	s.FeedString("Killed")
}

func TestChunkingAgrees(t *testing.T) {
	m := basicMatcher(t)
	log := classicLog + "PackagesNotFoundError: The following packages are not available\n\n  - a\n  - b\nx\r\nprogress\rKilled\r\n"
	want := scanString(t, m, log)
	readers := map[string]io.Reader{
		"one byte":   iotest.OneByteReader(strings.NewReader(log)),
		"half":       iotest.HalfReader(strings.NewReader(log)),
		"data + EOF": iotest.DataErrReader(strings.NewReader(log)),
	}
	for name, r := range readers {
		got, err := m.ScanAll(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: mismatch (-whole +chunked):\n%s", name, diff)
		}
	}
	crlf := strings.ReplaceAll(strings.ReplaceAll(log, "\r\n", "\n"), "\n", "\r\n")
	if diff := cmp.Diff(brief(want), brief(scanString(t, m, crlf))); diff != "" {
		t.Errorf("CRLF: mismatch (-LF +CRLF):\n%s", diff)
	}
}

// TestConcurrentUse shares one Matcher between goroutines; each must get
// what a lone scan gets. Run with -race.
func TestConcurrentUse(t *testing.T) {
	m := basicMatcher(t)
	logs := []string{classicLog, "Killed\n", "nothing\n", strings.Repeat("ERROR: No matching distribution found for x\nnoise\n", 50)}
	want := make([][]Issue, len(logs))
	for i, l := range logs {
		want[i] = scanString(t, m, l)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 20 {
				i := (g + k) % len(logs)
				got, err := m.ScanAll(context.Background(), strings.NewReader(logs[i]))
				if err != nil {
					errs <- err.Error()
					return
				}
				if diff := cmp.Diff(want[i], got); diff != "" {
					errs <- diff
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// blockingReader gives some lines, then blocks until released.
type blockingReader struct {
	data    []byte
	release chan struct{}
}

func (b *blockingReader) Read(p []byte) (int, error) {
	if len(b.data) > 0 {
		n := copy(p, b.data)
		b.data = b.data[n:]
		return n, nil
	}
	<-b.release
	return 0, io.EOF
}

func TestScanCancelWhileReaderBlocks(t *testing.T) {
	m := basicMatcher(t)
	r := &blockingReader{data: []byte("Killed\nmore\n"), release: make(chan struct{})}
	defer close(r.release)
	ctx, cancel := context.WithCancel(context.Background())
	var got []Issue
	var gotErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for is, err := range m.Scan(ctx, r) {
			if err != nil {
				gotErr = err
				break
			}
			got = append(got, is)
		}
	}()
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	cancel()
	// The reader never returns by itself, so returning at all shows that
	// cancellation does not wait for the blocked Read; the bound is only a
	// guard against a hang, loose enough for a loaded machine.
	select {
	case <-done:
		t.Logf("returned %v after cancel", time.Since(start))
	case <-time.After(10 * time.Second):
		t.Fatal("scan did not return after cancel")
	}
	if gotErr != context.Canceled {
		t.Errorf("err = %v, want context.Canceled unchanged", gotErr)
	}
	if len(got) != 1 || got[0].ID != "out_of_memory" {
		t.Errorf("issues before cancel not kept: %v", brief(got))
	}
}

func TestScanReadError(t *testing.T) {
	m := basicMatcher(t)
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader("a\nKilled\nb\npartial"), iotest.ErrReader(boom))
	rep, err := m.Classify(context.Background(), r)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "reading line 5") {
		t.Errorf("err = %v", err)
	}
	if rep.Primary == nil || rep.Primary.ID != "out_of_memory" {
		t.Errorf("issues before the error lost: %v", rep.Issues)
	}
	issues, err := m.ScanAll(context.Background(), io.MultiReader(strings.NewReader("Killed\n"), iotest.ErrReader(boom)))
	if len(issues) != 1 || !errors.Is(err, boom) {
		t.Errorf("ScanAll: %v %v", brief(issues), err)
	}
}

func TestScanStopsEarly(t *testing.T) {
	m := basicMatcher(t)
	n := 0
	for range m.Scan(context.Background(), strings.NewReader(strings.Repeat("Killed\n", 100))) {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("n = %d", n)
	}
}

func TestMatchTimeoutIsAWarning(t *testing.T) {
	src := "rules:\n" + rule("slow", "g", `bait(a+)+$`) + rule("fast", "g", "Killed")
	c, err := ParseCatalog("slow.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(c, WithMatchTimeout(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	log := "bait" + strings.Repeat("a", 30000) + "!\nKilled\n"
	start := time.Now()
	rep, err := m.Classify(context.Background(), strings.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	if len(rep.Warnings) != 1 || rep.Warnings[0].Rule != "slow" || rep.Warnings[0].Line != 1 || !strings.Contains(rep.Warnings[0].Message, "match timeout") {
		t.Errorf("warnings = %v", rep.Warnings)
	}
	if rep.Primary == nil || rep.Primary.ID != "fast" {
		t.Errorf("scan did not go on: %v", rep.Issues)
	}
}

// TestStreamHeapStaysSmall streams 1 GiB generated on the fly and checks
// that the heap does not grow with it.
func TestStreamHeapStaysSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 1 GiB")
	}
	size := int64(1 << 30)
	if raceEnabled {
		size = 64 << 20 // the race detector is ~10x slower; the bound is the same
	}
	m := basicMatcher(t)
	r := &genReader{size: size}
	var peak uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
	}()
	rep, err := m.Classify(context.Background(), r)
	close(stop)
	<-sampled
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("streamed %d MiB, %d lines; peak heap %.1f MiB", size>>20, rep.Lines, float64(peak)/(1<<20))
	if peak > 64<<20 {
		t.Errorf("peak heap %d MiB", peak>>20)
	}
	if rep.Primary == nil || rep.Primary.ID != "out_of_memory" || rep.Issues[len(rep.Issues)-1].Count != rep.Lines/100000 {
		t.Errorf("issues: %v", rep.Issues)
	}
}

// genReader produces size bytes of build-log-like lines, with a failure now
// and then, without holding them in memory.
type genReader struct {
	size, done int64
	line       int
	buf        bytes.Buffer
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.done >= g.size {
		return 0, io.EOF
	}
	for g.buf.Len() < len(p) {
		g.line++
		switch {
		case g.line%100000 == 0:
			g.buf.WriteString("Killed\n")
		case g.line%777 == 0:
			fmt.Fprintf(&g.buf, "ERROR: No matching distribution found for pkg%d\n", g.line%5)
		case g.line%3 == 0:
			fmt.Fprintf(&g.buf, "#%d %d.%02d Downloading numpy-1.26.%d-cp311-manylinux.whl (18.2 MB)\n", g.line%40, g.line%300, g.line%100, g.line%9)
		default:
			fmt.Fprintf(&g.buf, "Step %d/40 : RUN echo building layer %d with error_count=0 and -Werror=format\n", g.line%40, g.line)
		}
	}
	n := min(int64(len(p)), g.size-g.done)
	copy(p, g.buf.Next(int(n)))
	g.done += n
	return int(n), nil
}

func TestPatternSettingsAndUnless(t *testing.T) {
	src := `rules:
  - id: download_failed
    group: download
    title: A download failed
    patterns:
      - pattern: 'curl: \((?<code>\d+)\) '
        sequence: []
      - pattern: 'Connection broken: (?<why>\w+)'
        literals: ['connection broken']
        sequence: []
      - 'Downloading (?<url>\S+)'
    sequence:
      - pattern: 'giving up on (?<what>\S+)'
        within: 2
    unless:
      pattern: 'Will retry in \d+ seconds?'
      within: 2
    examples:
      match:
        - "Downloading http://x/y\nnoise\ngiving up on y"
        - "Connection broken: IncompleteRead"
      no_match:
        - "curl: (7) Failed to connect\nWarning: Problem : connection refused. Will retry in 1 seconds."
`
	c, err := ParseCatalog("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	log := "curl: (7) Failed to connect\nWarning: Will retry in 1 seconds.\n" + // cancelled
		"curl: (22) The requested URL returned error: 404\nok\nok\n" + // stands: nothing followed
		"Connection broken: IncompleteRead\n" + // single-line alternative
		"Downloading http://a/b\ngiving up on b\n" // its own sequence
	got := brief(scanString(t, m, log))
	want := []string{
		"3-3 download_failed map[code:22]",
		"6-6 download_failed map[why:IncompleteRead]",
		"7-8 download_failed map[url:http://a/b what:b]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	// At the end of the log nothing more can cancel the issue.
	if got := brief(scanString(t, m, "curl: (6) Could not resolve host\n")); len(got) != 1 {
		t.Errorf("issue at the end of the log: %v", got)
	}
	traces := m.Explain("Connection broken: IncompleteRead").Traces
	if len(traces) != 1 || traces[0].Index != 1 || traces[0].Literal != "connection broken" {
		t.Errorf("traces: %+v", traces)
	}
}

func TestSessionBusy(t *testing.T) {
	s := basicMatcher(t).NewSession()
	s.busy.Store(true) // as if another goroutine were inside Feed
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "two goroutines") {
			t.Errorf("recover() = %v", r)
		}
	}()
	s.FeedString("Killed")
}
