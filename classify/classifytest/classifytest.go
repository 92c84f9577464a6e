// Package classifytest runs golden-log tests: build logs kept in a folder,
// each with the expected classification beside it, checked by go test.
//
// A log is NAME.log, kept byte for byte as the build printed it, and
// NAME.want beside it. A .want file starts with comment lines ("# …") that
// say where the log came from and may state what it must show:
//
//	# expect: primary pip_network_error   the primary issue is this rule
//	# expect: clean                       no unsuppressed error-severity issue
//	                                      that was not recovered, not failed
//	# expect: outcome failed              the log's outcome is this
//	# expect: unexplained 1 TEXT          the first unexplained line holds TEXT
//	# expect: title ID TEXT               rule ID's issue has this title
//	# expect: remediation ID TEXT         its remediation contains TEXT
//	# expect: retry ID transient          its retry advice is this
//
// The last three let a team that patches a default rule (its remediation,
// say) pin what its users will read.
//
// The rest is the classification, written by Render: the line count, the
// primary issue, the outcome (and each build when there are several), one
// issue per line, then the unexplained lines of a failed build.
// With update set, Run rewrites that part (comments are kept) instead of
// comparing, so that the review is the diff of the .want files:
//
//	var update = flag.Bool("update", false, "rewrite the .want files")
//
//	func TestGoldenLogs(t *testing.T) {
//		m, _ := patterns.Compile()
//		classifytest.Run(t, m, "testdata/*/*.log", *update)
//	}
package classifytest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/buildlog/buildlog/classify"
	"github.com/google/go-cmp/cmp"
)

// Case is one golden log.
type Case struct {
	Log, Want string   // paths
	Header    []string // the leading comment lines of the .want file
	Expect    []string // the "# expect:" statements, without the prefix
}

// Cases finds the logs that match glob (as filepath.Glob, with ** not
// supported) and reads the headers of their .want files.
func Cases(glob string) ([]Case, error) {
	logs, err := filepath.Glob(glob)
	if err != nil {
		return nil, err
	}
	sort.Strings(logs)
	var out []Case
	for _, log := range logs {
		c := Case{Log: log, Want: strings.TrimSuffix(log, filepath.Ext(log)) + ".want"}
		data, err := os.ReadFile(c.Want)
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		for _, line := range strings.Split(string(data), "\n") {
			if !strings.HasPrefix(line, "#") {
				break
			}
			c.Header = append(c.Header, line)
			if rest, ok := strings.CutPrefix(line, "# expect:"); ok {
				c.Expect = append(c.Expect, strings.TrimSpace(rest))
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// Run classifies every log matching glob with m and compares the result
// with its .want file (or rewrites the file when update is set), checks the
// "# expect:" statements, and checks that the same log read one byte at a
// time, in odd chunks, and with CRLF line ends gives the same result.
func Run(t *testing.T, m *classify.Matcher, glob string, update bool) {
	t.Helper()
	cases, err := Cases(glob)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatalf("no log matches %s", glob)
	}
	cat := m.Catalog()
	for _, c := range cases {
		t.Run(c.Log, func(t *testing.T) {
			data, err := os.ReadFile(c.Log)
			if err != nil {
				t.Fatal(err)
			}
			rep := classifyReader(t, m, bytes.NewReader(data))
			got := Render(rep)
			if update {
				head := strings.Join(c.Header, "\n")
				if head != "" {
					head += "\n"
				}
				if err := os.WriteFile(c.Want, []byte(head+got), 0o644); err != nil {
					t.Fatal(err)
				}
			} else {
				wantData, err := os.ReadFile(c.Want)
				if err != nil {
					t.Fatalf("%v (run the test with -update to write it)", err)
				}
				want := string(wantData)
				for range c.Header {
					_, want, _ = strings.Cut(want, "\n")
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s mismatch (-want +got):\n%s", c.Want, diff)
				}
			}
			for _, e := range c.Expect {
				if err := Check(e, rep); err != nil {
					t.Error(err)
				}
			}
			if err := CheckOutcome(rep, cat); err != nil {
				t.Error(err)
			}
			Chunking(t, m, data, got)
		})
	}
}

// Chunking checks that data read one byte at a time, in odd chunks, in
// halves, and with CRLF line ends renders as want.
func Chunking(t *testing.T, m *classify.Matcher, data []byte, want string) {
	t.Helper()
	readers := []struct {
		name string
		r    io.Reader
	}{
		{"one byte at a time", iotest.OneByteReader(bytes.NewReader(data))},
		{"odd chunks", &oddReader{data: data}},
		{"half reads", iotest.HalfReader(bytes.NewReader(data))},
	}
	for _, r := range readers {
		if got := Render(classifyReader(t, m, r.r)); got != want {
			t.Errorf("%s: mismatch (-whole +chunked):\n%s", r.name, cmp.Diff(want, got))
		}
	}
	if !bytes.Contains(data, []byte("\r\n")) {
		crlf := bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
		if got := Render(classifyReader(t, m, bytes.NewReader(crlf))); got != want {
			t.Errorf("CRLF: mismatch (-LF +CRLF):\n%s", cmp.Diff(want, got))
		}
	}
}

func classifyReader(t *testing.T, m *classify.Matcher, r io.Reader) *classify.Report {
	t.Helper()
	rep, err := m.Classify(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// CheckOutcome tests what every report must show, whatever its
// expectations: a build that failed has a primary issue or unexplained
// lines, and a log whose builds all succeeded has no error that was not
// recovered, except from rules of cat that keep their issues on success
// (Rule.KeepOnSuccess; cat may be nil).
func CheckOutcome(rep *classify.Report, cat *classify.Catalog) error {
	kept := func(id string) bool {
		if cat == nil {
			return false
		}
		r := cat.Rule(id)
		return r != nil && r.KeepOnSuccess
	}
	for i, bd := range rep.Builds {
		if bd.Outcome != classify.OutcomeFailed || len(bd.Unexplained) > 0 {
			continue
		}
		explained := false
		for _, is := range rep.Issues {
			if is.Build == i && is.Severity == classify.SeverityError && is.SuppressedBy == "" && !is.Recovered {
				explained = true
			}
		}
		if !explained {
			return fmt.Errorf("build %d failed (L%d) with neither an error issue nor unexplained lines", i, bd.MarkerLine)
		}
	}
	if rep.Outcome == classify.OutcomeSucceeded {
		for _, is := range rep.Issues {
			if is.Severity == classify.SeverityError && !is.Recovered && !kept(is.ID) {
				return fmt.Errorf("build succeeded but %s is not recovered", IssueLine(is))
			}
		}
		if rep.Primary != nil && !kept(rep.Primary.ID) {
			return fmt.Errorf("build succeeded but has primary %s", rep.Primary.ID)
		}
	}
	if rep.Outcome == "" || len(rep.Builds) == 0 {
		return fmt.Errorf("report has no outcome")
	}
	return nil
}

// Check tests one "# expect:" statement against a report.
func Check(expect string, rep *classify.Report) error {
	word, arg, _ := strings.Cut(expect, " ")
	arg = strings.TrimSpace(arg)
	switch word {
	case "primary":
		got := "none"
		if rep.Primary != nil {
			got = rep.Primary.ID
		}
		if got != arg {
			return fmt.Errorf("primary = %s, want %s", got, arg)
		}
	case "clean":
		for _, is := range rep.Issues {
			if is.Severity == classify.SeverityError && is.SuppressedBy == "" && !is.Recovered {
				return fmt.Errorf("clean log has an error: %s", IssueLine(is))
			}
		}
		if rep.Outcome == classify.OutcomeFailed {
			return fmt.Errorf("clean log has outcome %s", rep.Outcome)
		}
	case "outcome":
		if string(rep.Outcome) != arg {
			return fmt.Errorf("outcome = %s, want %s", rep.Outcome, arg)
		}
	case "unexplained":
		n, text, _ := strings.Cut(arg, " ")
		var k int
		if _, err := fmt.Sscan(n, &k); err != nil || k < 1 {
			return fmt.Errorf("unexplained %q: want a rank from 1 and a text", arg)
		}
		if k > len(rep.Unexplained) {
			return fmt.Errorf("unexplained %d: only %d unexplained lines", k, len(rep.Unexplained))
		}
		if got := rep.Unexplained[k-1].Text; !strings.Contains(got, strings.TrimSpace(text)) {
			return fmt.Errorf("unexplained line %d = %q, want it to contain %q", k, got, strings.TrimSpace(text))
		}
	case "title", "remediation", "retry":
		id, text, _ := strings.Cut(arg, " ")
		text = strings.TrimSpace(text)
		var is *classify.Issue
		for i := range rep.Issues {
			if rep.Issues[i].ID == id {
				is = &rep.Issues[i]
				break
			}
		}
		if is == nil {
			return fmt.Errorf("%s: no issue of rule %s", word, id)
		}
		switch {
		case word == "title" && is.Title != text:
			return fmt.Errorf("title of %s = %q, want %q", id, is.Title, text)
		case word == "remediation" && !strings.Contains(is.Remediation, text):
			return fmt.Errorf("remediation of %s = %q, want it to contain %q", id, is.Remediation, text)
		case word == "retry" && string(is.Retry) != text:
			return fmt.Errorf("retry of %s = %s, want %s", id, is.Retry, text)
		}
	default:
		return fmt.Errorf("unknown expectation %q (want primary ID, clean, outcome VALUE, unexplained N TEXT, title ID TEXT, remediation ID TEXT or retry ID VALUE)", expect)
	}
	return nil
}

// Render writes a report in the .want format: the line count, the primary
// issue, then one line per issue.
func Render(r *classify.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "lines: %d\n", r.Lines)
	if r.Primary != nil {
		fmt.Fprintf(&b, "primary: %s\n", r.Primary.ID)
	} else {
		b.WriteString("primary: none\n")
	}
	fmt.Fprintf(&b, "outcome: %s\n", r.Outcome)
	if len(r.Builds) > 1 {
		for i, bd := range r.Builds {
			fmt.Fprintf(&b, "build %d: %s L%d-%d", i, bd.Outcome, bd.FirstLine, bd.LastLine)
			if bd.MarkerLine > 0 {
				fmt.Fprintf(&b, " marker=L%d", bd.MarkerLine)
			}
			b.WriteByte('\n')
		}
	}
	for _, is := range r.Issues {
		b.WriteString(IssueLine(is))
		b.WriteByte('\n')
	}
	for _, su := range r.Unexplained {
		b.WriteString(SuspectLine(su))
		b.WriteByte('\n')
	}
	return b.String()
}

// SuspectLine renders one unexplained line: its line, score, text,
// fingerprint and step.
func SuspectLine(su classify.Suspect) string {
	var b strings.Builder
	fmt.Fprintf(&b, "unexplained: L%d score=%.2f text=%q fingerprint=%q", su.Line, su.Score, su.Text, su.Fingerprint)
	if su.Step != "" {
		fmt.Fprintf(&b, " step=%q", su.Step)
	}
	return b.String()
}

// IssueLine renders one issue: lines, severity, id, rank, count, attempts
// (of a retried failure), fields and step.
func IssueLine(is classify.Issue) string {
	var b strings.Builder
	fmt.Fprintf(&b, "L%d", is.Line)
	if is.EndLine != is.Line {
		fmt.Fprintf(&b, "-%d", is.EndLine)
	}
	fmt.Fprintf(&b, " %s %s", is.Severity, is.ID)
	if is.Primary {
		b.WriteString(" primary")
	}
	if is.Recovered {
		b.WriteString(" recovered")
	}
	if is.Build > 0 {
		fmt.Fprintf(&b, " build=%d", is.Build)
	}
	if is.SuppressedBy != "" {
		fmt.Fprintf(&b, " suppressed_by=%s", is.SuppressedBy)
	}
	if is.Count > 1 {
		fmt.Fprintf(&b, " count=%d last=L%d", is.Count, is.LastLine)
	}
	if is.Attempts > 0 {
		fmt.Fprintf(&b, " attempts=%d", is.Attempts)
	}
	keys := make([]string, 0, len(is.Fields))
	for k := range is.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%q", k, is.Fields[k])
	}
	if is.Step != "" {
		fmt.Fprintf(&b, " step=%q", is.Step)
	}
	return b.String()
}

// oddReader returns reads of 1, 2, 3, 5, 8, … bytes in turn.
type oddReader struct {
	data []byte
	i    int
}

func (r *oddReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	sizes := []int{1, 2, 3, 5, 8, 13, 4093, 777, 65537}
	n := min(sizes[r.i%len(sizes)], len(p), len(r.data))
	r.i++
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}
