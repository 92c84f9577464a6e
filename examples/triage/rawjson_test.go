package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/buildlog/buildlog/patterns"
)

// The rawjson fixtures are BuildKit plain-progress fixtures of the catalog
// (fixtures/<tool>/<name>.log) rewritten, by toRawJSON below, as the
// stream `docker buildx build --progress=rawjson` writes: one SolveStatus
// object per line, shaped after BuildKit's client.SolveStatus JSON tags, log
// data in base64 chunks that split some lines across objects, and the
// docker CLI's closing "ERROR: …" as a text line. No BuildKit daemon runs
// here, so none is a recorded stream. One fixture per failure class that a
// text fixture covers, plus a clean build; each must give the text
// fixture's primary issue. `go test -run TestRawJSONFixtures -update`
// regenerates them.
const rawjsonDir = "testdata/rawjson"

func rawjsonSources(t *testing.T) []string {
	t.Helper()
	logs, err := filepath.Glob("../../fixtures/*/*.log")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(logs)
	byPrimary := map[string]string{}
	var picked []string
	for _, l := range logs {
		data, err := os.ReadFile(l)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`(?m)^#[1-9][0-9]* \[`).Match(data) {
			continue // not BuildKit plain progress
		}
		want, _ := os.ReadFile(strings.TrimSuffix(l, ".log") + ".want")
		m := regexp.MustCompile(`(?m)^# expect: (primary \S+|clean)`).FindSubmatch(want)
		if m == nil {
			continue
		}
		class := string(m[1])
		if _, ok := byPrimary[class]; ok {
			continue
		}
		byPrimary[class] = l
		picked = append(picked, l)
	}
	return picked
}

func rawjsonName(src string) string {
	dir := filepath.Base(filepath.Dir(src))
	return dir + "_" + strings.TrimSuffix(filepath.Base(src), ".log")
}

func TestRawJSONFixtures(t *testing.T) {
	srcs := rawjsonSources(t)
	if *update {
		os.MkdirAll(rawjsonDir, 0o755)
		old, _ := filepath.Glob(filepath.Join(rawjsonDir, "*.jsonl"))
		for _, o := range old {
			os.Remove(o)
			os.Remove(strings.TrimSuffix(o, ".jsonl") + ".want")
		}
		for _, src := range srcs {
			data, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(strings.TrimSuffix(src, ".log") + ".want")
			expect := regexp.MustCompile(`(?m)^# expect: .*$`).Find(want)
			name := rawjsonName(src)
			header := fmt.Sprintf("# source: fixtures/%s/%s rewritten by rawjson_test.go toRawJSON as a --progress=rawjson stream\n"+
				"# source: (client.SolveStatus JSON shape, base64 log chunks, the CLI's ERROR line as text); not a recorded stream\n%s\n",
				filepath.Base(filepath.Dir(src)), filepath.Base(src), expect)
			if err := os.WriteFile(filepath.Join(rawjsonDir, name+".jsonl"), toRawJSON(t, name, data), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(rawjsonDir, name+".want"), []byte(header), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	m := patterns.Default()
	classes := map[string]bool{}
	for _, src := range srcs {
		name := rawjsonName(src)
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(rawjsonDir, name+".jsonl")
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			text, _ := os.ReadFile(src)
			textRep, err := m.Classify(context.Background(), bytes.NewReader(text))
			if err != nil {
				t.Fatal(err)
			}
			wantID := ""
			if textRep.Primary != nil {
				wantID = textRep.Primary.ID
			}
			classes[wantID] = true
			for _, args := range [][]string{{"--format", "json", path}, {"--format", "json", "--input", "rawjson", path}} {
				o := triage(t, nil, "", args...)
				var rep jsonReport
				if err := json.Unmarshal([]byte(o.stdout), &rep); err != nil {
					t.Fatalf("%v: %v\n%s", args, err, o.stdout)
				}
				gotID := ""
				if rep.Primary != nil {
					gotID = rep.Primary.ID
				}
				if gotID != wantID {
					t.Errorf("%v: primary %q, want %q as for the text log", args, gotID, wantID)
				}
				if rep.Primary != nil {
					p := rep.Primary
					lines := bytes.Split(data, []byte("\n"))
					if p.Line < 1 || p.Line > len(lines) {
						t.Fatalf("primary line %d outside the input's %d lines", p.Line, len(lines))
					}
					if tp := textRep.Primary; tp.Step != "" && p.Step != tp.Step {
						t.Errorf("step %q, want %q", p.Step, tp.Step)
					}
				}
				if rep.Lines != bytes.Count(data, []byte("\n")) {
					t.Errorf("lines %d, want the input's %d", rep.Lines, bytes.Count(data, []byte("\n")))
				}
				for _, w := range rep.Warnings {
					t.Errorf("warning on a well-formed stream: %v", w)
				}
			}
		})
	}
	if len(classes) < 10 {
		t.Errorf("only %d failure classes covered", len(classes))
	}
}

// Structures with BuildKit's client.SolveStatus JSON names.
type (
	rjVertex struct {
		Digest    string     `json:"digest,omitempty"`
		Inputs    []string   `json:"inputs,omitempty"`
		Name      string     `json:"name,omitempty"`
		Started   *time.Time `json:"started,omitempty"`
		Completed *time.Time `json:"completed,omitempty"`
		Cached    bool       `json:"cached,omitempty"`
		Error     string     `json:"error,omitempty"`
	}
	rjStatus struct {
		ID        string     `json:"id"`
		Vertex    string     `json:"vertex,omitempty"`
		Name      string     `json:"name,omitempty"`
		Total     int64      `json:"total,omitempty"`
		Current   int64      `json:"current"`
		Timestamp time.Time  `json:"timestamp"`
		Started   *time.Time `json:"started,omitempty"`
		Completed *time.Time `json:"completed,omitempty"`
	}
	rjLog struct {
		Vertex    string    `json:"vertex,omitempty"`
		Stream    int       `json:"stream,omitempty"`
		Data      []byte    `json:"data"`
		Timestamp time.Time `json:"timestamp"`
	}
	rjWarning struct {
		Vertex string   `json:"vertex,omitempty"`
		Level  int      `json:"level,omitempty"`
		Short  []byte   `json:"short,omitempty"`
		Detail [][]byte `json:"detail,omitempty"`
	}
	rjStatusUpdate struct {
		Vertexes []*rjVertex  `json:"vertexes,omitempty"`
		Statuses []*rjStatus  `json:"statuses,omitempty"`
		Logs     []*rjLog     `json:"logs,omitempty"`
		Warnings []*rjWarning `json:"warnings,omitempty"`
	}
)

var (
	rjLine    = regexp.MustCompile(`^#([0-9]+) (.*)$`)
	rjElapsed = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?) (.*)$`)
	rjDone    = regexp.MustCompile(`^DONE(?: ([0-9.]+)s)?$`)
	rjStatusL = regexp.MustCompile(`^(.*?)(?: ([0-9.]+)s)? done$`)
)

// toRawJSON rewrites a BuildKit plain-progress log as a rawjson stream.
func toRawJSON(t *testing.T, seed string, plain []byte) []byte {
	t.Helper()
	t0 := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	type vx struct {
		digest  string
		name    string
		started time.Time
	}
	vs := map[int]*vx{}
	var out bytes.Buffer
	write := func(u rjStatusUpdate) {
		b, err := json.Marshal(u)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(b)
		out.WriteByte('\n')
	}
	var pending []byte
	pendingVx, nLog := -1, 0
	var pendingTS time.Time
	flushLogs := func() {
		if len(pending) == 0 {
			return
		}
		v := vs[pendingVx]
		// Split the chunk in the middle of a line now and then, as a
		// process writing unbuffered output would.
		if nLog%3 == 0 && len(pending) > 10 {
			half := len(pending) / 2
			write(rjStatusUpdate{Logs: []*rjLog{{Vertex: v.digest, Stream: 1, Data: pending[:half], Timestamp: pendingTS}}})
			write(rjStatusUpdate{Logs: []*rjLog{{Vertex: v.digest, Stream: 1, Data: pending[half:], Timestamp: pendingTS}}})
		} else {
			write(rjStatusUpdate{Logs: []*rjLog{{Vertex: v.digest, Stream: 1, Data: pending, Timestamp: pendingTS}}})
		}
		nLog++
		pending = nil
	}
	sc := bufio.NewScanner(bytes.NewReader(plain))
	sc.Buffer(nil, 16<<20)
	var texts []string
	inSummary := false // the plain printer's "------" error summary, which rawjson has not
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		m := rjLine.FindStringSubmatch(line)
		if m == nil {
			// Lines the docker CLI or the CI runner print around the
			// stream (ERROR: …, ##[error], a runner's time limit) stay
			// text lines of the same log.
			switch {
			case strings.HasPrefix(line, "------") || strings.HasPrefix(line, "--------------------"):
				inSummary = !inSummary
			case inSummary || line == "" || strings.HasPrefix(line, "Dockerfile:") || strings.IndexAny(line[:1], " \t0123456789>") == 0:
			default:
				texts = append(texts, line)
			}
			continue
		}
		var n int
		fmt.Sscan(m[1], &n)
		rest := m[2]
		if n == 0 || rest == "..." {
			continue
		}
		v, ok := vs[n]
		if !ok {
			flushLogs()
			v = &vx{digest: fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(fmt.Sprintf("%s vertex %d", seed, n)))), name: rest, started: t0.Add(time.Duration(n) * time.Second)}
			vs[n] = v
			st := v.started
			write(rjStatusUpdate{Vertexes: []*rjVertex{{Digest: v.digest, Name: v.name, Started: &st}}})
			continue
		}
		if pendingVx != n {
			flushLogs()
		}
		completed := func(err string, cached bool, dur float64) {
			flushLogs()
			st := v.started
			c := st.Add(time.Duration(dur * float64(time.Second)))
			write(rjStatusUpdate{Vertexes: []*rjVertex{{Digest: v.digest, Name: v.name, Started: &st, Completed: &c, Cached: cached, Error: err}}})
		}
		switch {
		case rjDone.MatchString(rest):
			var d float64
			fmt.Sscan(rjDone.FindStringSubmatch(rest)[1], &d)
			completed("", false, d)
		case rest == "CACHED":
			completed("", true, 0)
		case rest == "CANCELED":
			completed("context canceled", false, 0)
		case strings.HasPrefix(rest, "ERROR: "):
			completed(strings.TrimPrefix(rest, "ERROR: "), false, 1)
		case strings.HasPrefix(rest, "WARN: "):
			flushLogs()
			write(rjStatusUpdate{Warnings: []*rjWarning{{Vertex: v.digest, Level: 1, Short: []byte(strings.TrimPrefix(rest, "WARN: "))}}})
		case rjElapsed.MatchString(rest):
			em := rjElapsed.FindStringSubmatch(rest)
			var e float64
			fmt.Sscan(em[1], &e)
			if len(pending) == 0 {
				pendingTS = v.started.Add(time.Duration(e * float64(time.Second)))
			}
			pendingVx = n
			pending = append(pending, em[2]+"\n"...)
			if bytes.Count(pending, []byte("\n")) >= 4 {
				flushLogs()
			}
		case rjStatusL.MatchString(rest):
			flushLogs()
			sm := rjStatusL.FindStringSubmatch(rest)
			var d float64
			fmt.Sscan(sm[2], &d)
			st := v.started
			c := st.Add(time.Duration(d * float64(time.Second)))
			write(rjStatusUpdate{Statuses: []*rjStatus{{ID: sm[1], Vertex: v.digest, Current: 1, Timestamp: c, Started: &st, Completed: &c}}})
		default:
			pendingVx = n
			if len(pending) == 0 {
				pendingTS = v.started
			}
			pending = append(pending, rest+"\n"...)
		}
	}
	flushLogs()
	for _, l := range texts {
		out.WriteString(l + "\n")
	}
	return out.Bytes()
}
