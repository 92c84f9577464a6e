package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"strconv"
)

// maxLogCopyBytes bounds the copy of a log kept for the HTML report; the
// report says when the log was longer.
var maxLogCopyBytes int64 = 512 << 20

// logCopy keeps the lines of a log in an unlinked temporary file while it is
// classified, so that a renderer can show them afterwards without holding
// the log in memory. A text log is kept as it is; a decoded rawjson stream
// as "N\ttext\n" records, N being the input line of each decoded line.
type logCopy struct {
	f         *os.File
	w         *bufio.Writer
	numbered  bool
	n         int64
	truncated bool
	err       error
}

// newLogCopyFor returns a log copy when the format shows the log, else nil.
// A copy that cannot be made is nil too: the report then says so.
func newLogCopyFor(cfg *config) *logCopy {
	if cfg.format != "html" {
		return nil
	}
	l, err := newLogCopy()
	if err != nil {
		return &logCopy{err: err}
	}
	return l
}

func newLogCopy() (*logCopy, error) {
	f, err := os.CreateTemp("", "triage-log-*")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name()) // gone when closed, whatever happens
	return &logCopy{f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

// Write keeps p; it never fails, so that a full disk does not stop the
// classification (the report then shows what was kept).
func (l *logCopy) Write(p []byte) (int, error) {
	l.keep(p)
	return len(p), nil
}

func (l *logCopy) keep(p []byte) {
	if l.f == nil || l.err != nil {
		return
	}
	if l.n+int64(len(p)) > maxLogCopyBytes {
		p = p[:max(0, maxLogCopyBytes-l.n)]
		l.truncated = true
	}
	if _, err := l.w.Write(p); err != nil {
		l.err = err
	}
	l.n += int64(len(p))
}

func (l *logCopy) writeNumbered(input int, text []byte) {
	if l.truncated {
		return
	}
	var num [24]byte
	rec := strconv.AppendInt(num[:0], int64(input), 10)
	rec = append(rec, '\t')
	l.keep(rec)
	l.keep(bytes.ReplaceAll(text, []byte("\n"), []byte(" ")))
	l.keep([]byte("\n"))
}

// each calls f with every kept line and its line number, in order, until
// f returns false. The text excludes the newline (and a "\r" before it).
func (l *logCopy) each(f func(num int, text []byte) bool) error {
	if l.f == nil {
		return l.err
	}
	if err := l.w.Flush(); err != nil {
		return err
	}
	if _, err := l.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	br := bufio.NewReaderSize(io.LimitReader(l.f, l.n), 64<<10)
	num := 0
	var long []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			if len(long) < 1<<20 {
				long = append(long, chunk...)
			}
			continue
		}
		if long != nil {
			chunk = append(long, chunk...)
			long = nil
		}
		if len(chunk) > 0 {
			line := bytes.TrimSuffix(bytes.TrimSuffix(chunk, []byte("\n")), []byte("\r"))
			n := num + 1
			if l.numbered {
				if tab := bytes.IndexByte(line, '\t'); tab > 0 {
					if v, perr := strconv.Atoi(string(line[:tab])); perr == nil {
						n, line = v, line[tab+1:]
					}
				}
			}
			num = n
			if !f(n, line) {
				return nil
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (l *logCopy) close() {
	if l != nil && l.f != nil {
		l.f.Close()
		l.f = nil
	}
}
