package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/buildlog/buildlog/classify"
)

// Passthrough buffering: the classifier lags behind the copy by at most
// teeQueue chunks of teeChunk bytes, so memory stays bounded whatever the
// input; only a classifier that falls that far behind holds the copy up.
const (
	teeChunk = 64 << 10
	teeQueue = 64
)

// runTee is "triage --tee": standard input goes to standard output byte for
// byte as it arrives, and the report goes to standard error (or --report)
// when the input ends.
func runTee(cfg *config, m *classify.Matcher, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	if len(cfg.files) > 0 {
		return usageError(stderr, errors.New("--tee reads standard input only"))
	}
	res, copyErr := passThrough(cfg, m, stdinName, stdin, stdout, stderr)
	status := exitOK
	if res.err != nil {
		fmt.Fprintf(stderr, "triage: %s\n", oneLine(res.err.Error()))
		status = exitFailure
	} else if reaches(res.report, cfg.failOn) {
		status = exitFound
	}
	if copyErr != nil {
		fmt.Fprintf(stderr, "triage: copying to standard output: %v\n", copyErr)
		status = exitFailure
	}
	if err := writeReport(cfg, m, res, stdout, stderr, env); err != nil {
		fmt.Fprintf(stderr, "triage: writing the report: %v\n", err)
		status = exitFailure
	}
	return status
}

// writeReport renders the result of --tee or run: to --report FILE, to
// standard output for github (workflow commands are read from there, after
// the log), else to standard error.
func writeReport(cfg *config, m *classify.Matcher, res *result, stdout, stderr io.Writer, env func(string) string) error {
	defer res.log.close()
	var dst io.Writer = stderr
	if cfg.format == "github" {
		dst = stdout
	}
	if cfg.report != "" {
		f, err := os.Create(cfg.report)
		if err != nil {
			return err
		}
		defer f.Close()
		dst = f
	}
	w := bufio.NewWriter(dst)
	rend := newRenderer(cfg, m, w, dst, stderr, env)
	if cfg.format == "jsonl" && res.report != nil {
		for _, is := range res.report.Issues {
			if err := streamIssue(rend, res.source, is); err != nil {
				return err
			}
		}
	}
	if err := rend.result(res); err != nil {
		return err
	}
	if err := finishRender(rend); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if f, ok := dst.(*os.File); ok && cfg.report != "" {
		return f.Close()
	}
	return nil
}

// passThrough copies in to out as it arrives, every read written at once,
// while a second goroutine classifies the same bytes. It returns when in
// ends (or fails) and the classifier has seen everything. An error writing
// out stops the copy but not the classification; it is returned second.
func passThrough(cfg *config, m *classify.Matcher, name string, in io.Reader, out, stderr io.Writer) (*result, error) {
	res := &result{source: name, log: newLogCopyFor(cfg)}
	queue := make(chan []byte, teeQueue)
	pool := sync.Pool{New: func() any { return make([]byte, teeChunk) }}
	ann := &announcer{w: stderr, lineStart: true}

	done := make(chan struct{})
	go func() {
		defer close(done)
		cr := &chanReader{ch: queue, pool: &pool}
		var emit func(classify.Issue)
		if cfg.live {
			emit = func(is classify.Issue) { ann.say(announcement(is)) }
		}
		rep, err := classifySource(m, cfg, cr, emit, res.log)
		io.Copy(io.Discard, cr) // a classifier that stopped early must not block the copy
		res.report = rep
		if err != nil {
			res.err = fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "classify: "))
		}
	}()

	var copyErr, readErr error
	for {
		buf := pool.Get().([]byte)
		n, err := in.Read(buf)
		if n > 0 {
			if copyErr == nil {
				copyErr = ann.write(out, buf[:n])
			}
			queue <- buf[:n]
		} else {
			pool.Put(buf) //nolint:staticcheck // a slice is fine here
		}
		if err != nil {
			if err != io.EOF {
				readErr = err
			}
			break
		}
	}
	close(queue)
	<-done
	ann.flush()
	if readErr != nil && res.err == nil {
		res.err = fmt.Errorf("%s: %w", name, readErr)
	}
	return res, copyErr
}

// chanReader reads the chunks of the copy loop.
type chanReader struct {
	ch   chan []byte
	pool *sync.Pool
	cur  []byte
	full []byte
}

func (c *chanReader) Read(p []byte) (int, error) {
	for len(c.cur) == 0 {
		if c.full != nil {
			c.pool.Put(c.full[:cap(c.full)]) //nolint:staticcheck
			c.full = nil
		}
		b, ok := <-c.ch
		if !ok {
			return 0, io.EOF
		}
		c.cur, c.full = b, b
	}
	n := copy(p, c.cur)
	c.cur = c.cur[n:]
	return n, nil
}

// announcer writes --live announcements to standard error only between
// lines of the passed-through log, so that an announcement never lands in
// the middle of a line on a terminal that shows both streams.
type announcer struct {
	mu        sync.Mutex
	w         io.Writer
	lineStart bool // the copy's last byte was a newline
	pending   []string
}

// write copies p to out and then, at a line boundary, the announcements
// that waited for one.
func (a *announcer) write(out io.Writer, p []byte) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.pending) > 0 {
		// Announcements are waiting: let them in after the first line end.
		if nl := bytes.IndexByte(p, '\n'); nl >= 0 && nl < len(p)-1 {
			if _, err := out.Write(p[:nl+1]); err != nil {
				return err
			}
			a.flushLocked()
			p = p[nl+1:]
		}
	}
	_, err := out.Write(p)
	a.lineStart = p[len(p)-1] == '\n'
	if a.lineStart {
		a.flushLocked()
	}
	return err
}

func (a *announcer) say(msg string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pending = append(a.pending, msg)
	if a.lineStart {
		a.flushLocked()
	}
}

// flush writes what is still waiting, at the end of the input.
func (a *announcer) flush() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.pending) > 0 && !a.lineStart {
		io.WriteString(a.w, "\n")
	}
	a.flushLocked()
}

func (a *announcer) flushLocked() {
	for _, m := range a.pending {
		io.WriteString(a.w, m)
	}
	a.pending = a.pending[:0]
}

// announcement is the --live line for one issue.
func announcement(is classify.Issue) string {
	msg := fmt.Sprintf("triage: line %d: %s %s: %s", is.Line, is.Severity, is.ID, is.Title)
	if is.Step != "" {
		msg += " [" + is.Step + "]"
	}
	return sanitize(msg) + "\n"
}

// classifyOptions are the matcher settings of the classify flags.
func classifyOptions(cfg *config) []classify.Option {
	return []classify.Option{classify.WithContextLines(cfg.context), classify.WithMaxIssues(cfg.maxIssues), classify.WithWorkers(cfg.workers)}
}
