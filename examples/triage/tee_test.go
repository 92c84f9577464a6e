package main

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// teeInput has what a passthrough must not touch: invalid UTF-8, carriage
// return progress bars, CRLF, NUL, escape sequences and a last line without
// a newline.
var teeInput = "#5 [2/3] RUN apt-get install -y nosuchpkg\n" +
	"#5 0.5 progress  10%\rprogress  50%\rprogress 100%\n" +
	"bad utf-8: \xff\xfe\xc3\x28 and \x00 NUL\r\n" +
	"\x1b[31mred\x1b[0m\n" +
	"#5 0.9 E: Unable to locate package nosuchpkg\n" +
	"no newline at the end"

func TestTeeIsByteExact(t *testing.T) {
	for _, format := range []string{"text", "json", "html"} {
		o := triage(t, nil, teeInput, []string{"--tee", "--format", format}...)
		if o.stdout != teeInput {
			t.Errorf("%s: stdout differs from the input:\n got %q\nwant %q", format, o.stdout, teeInput)
		}
		if o.code != exitFound {
			t.Errorf("%s: exit %d, want %d; stderr:\n%s", format, o.code, exitFound, o.stderr)
		}
	}
	o := triage(t, nil, teeInput, []string{"--tee"}...)
	if !strings.Contains(o.stderr, "apt_package_not_found") {
		t.Errorf("no report on stderr:\n%s", o.stderr)
	}
}

// A large input in random chunk sizes comes out identical.
func TestTeeLargeRandomInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 3<<20)
	for i := range data {
		data[i] = byte(rng.IntN(256))
		if rng.IntN(60) == 0 {
			data[i] = '\n'
		}
	}
	var out, errOut bytes.Buffer
	in := &chunkyReader{data: data, rng: rng}
	code := run([]string{"--tee"}, in, &out, &errOut, func(string) string { return "" })
	if code == exitFailure {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !bytes.Equal(out.Bytes(), data) {
		t.Fatalf("passthrough differs: got %d bytes, want %d", out.Len(), len(data))
	}
}

type chunkyReader struct {
	data []byte
	rng  *rand.Rand
}

func (c *chunkyReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(c.data), 1+c.rng.IntN(100_000))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// A slow producer's bytes appear as they are written, even half a line,
// not when a line or the input ends.
func TestTeePassesBytesAsTheyArrive(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var errOut bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"--tee", "--live"}, inR, outW, &lockedWriter{w: &errOut}, func(string) string { return "" })
		outW.Close()
	}()
	expect := func(want string) {
		t.Helper()
		got := make([]byte, len(want))
		ch := make(chan error, 1)
		go func() { _, err := io.ReadFull(outR, got); ch <- err }()
		select {
		case err := <-ch:
			if err != nil || string(got) != want {
				t.Fatalf("got %q (%v), want %q", got, err, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%q did not come through while the producer waited", want)
		}
	}
	for _, part := range []string{"#1 [1/2] RUN apt-get install x\n#1 0.1 E: Unable to lo", "cate package x\n", "half a line"} {
		if _, err := io.WriteString(inW, part); err != nil {
			t.Fatal(err)
		}
		expect(part)
	}
	inW.Close()
	io.Copy(io.Discard, outR)
	if code := <-done; code != exitFound {
		t.Errorf("exit %d, want %d", code, exitFound)
	}
	if !strings.Contains(errOut.String(), "triage: line 2: error apt_package_not_found") {
		t.Errorf("no live announcement on stderr:\n%s", errOut.String())
	}
}

// --live announcements wait for the end of the line being passed through.
func TestLiveWaitsForALineBoundary(t *testing.T) {
	var both lockedWriter
	both.w = new(bytes.Buffer)
	a := &announcer{w: &both, lineStart: true}
	a.write(&both, []byte("half"))
	a.say("ANNOUNCED\n")
	a.write(&both, []byte(" a line\nnext"))
	a.flush()
	want := "half a line\nANNOUNCED\nnext"
	if got := both.w.(*bytes.Buffer).String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTeeReportFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.json")
	o := triage(t, nil, teeInput, []string{"--tee", "--report", path, "--format", "json"}...)
	if o.stdout != teeInput || o.stderr != "" {
		t.Errorf("stdout %q, stderr %q", o.stdout, o.stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil || !bytes.Contains(data, []byte(`"id": "apt_package_not_found"`)) {
		t.Errorf("report file: %v\n%s", err, data)
	}
}

func TestTeeRejectsFiles(t *testing.T) {
	o := triage(t, nil, "", []string{"--tee", "x.log"}...)
	if o.code != exitFailure || !strings.Contains(o.stderr, "standard input only") {
		t.Errorf("exit %d, stderr %q", o.code, o.stderr)
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
