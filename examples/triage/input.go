package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"sync/atomic"
)

// stdinName is how standard input is named in reports.
const stdinName = "<stdin>"

// source is one log to classify.
type source struct {
	name  string    // as given, or stdinName
	r     io.Reader // the log, decompressed
	size  int64     // bytes on disk, 0 when unknown
	read  *counter  // bytes read from disk
	lines *counter  // lines of the decompressed log
	close func() error
}

// counter counts the bytes, or the newlines, that pass through it.
type counter struct {
	r       io.Reader
	n       atomic.Int64
	newline bool
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.newline {
		c.n.Add(int64(bytes.Count(p[:n], []byte{'\n'})))
	} else {
		c.n.Add(int64(n))
	}
	return n, err
}

// openSource opens a log file, or standard input for "-". A gzip stream is
// recognised by its magic bytes, whatever the file is called, and
// decompressed on the fly.
func openSource(name string, stdin io.Reader) (*source, error) {
	s := &source{name: name, close: func() error { return nil }}
	var raw io.Reader
	if name == "-" {
		s.name = stdinName
		raw = stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		if fi, err := f.Stat(); err == nil {
			if fi.IsDir() {
				f.Close()
				return nil, fmt.Errorf("%s: is a directory", name)
			}
			if fi.Mode().IsRegular() {
				s.size = fi.Size()
			}
		}
		raw, s.close = f, f.Close
	}
	s.read = &counter{r: raw}
	br := bufio.NewReaderSize(s.read, 64<<10)
	var r io.Reader = br
	gzipped := false
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		r, gzipped = zr, true
	}
	s.lines = &counter{r: r, newline: true}
	s.r = s.lines
	if s.size > 0 && !gzipped {
		// Tell the matcher how much is left, as a file would: it scans
		// large inputs on every core.
		s.r = &sizedReader{s.lines, func() int { return int(s.size-s.read.n.Load()) + br.Buffered() }}
	}
	return s, nil
}

// sizedReader is a reader that knows how many bytes are left to read.
type sizedReader struct {
	io.Reader
	left func() int
}

// Len returns the number of bytes not yet read, like bytes.Reader.Len.
func (s *sizedReader) Len() int { return s.left() }
