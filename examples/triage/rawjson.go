package main

import (
	"bufio"
	"bytes"
	"context"
	"io"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/classify/rawjson"
)

// detectBytes is how much of an input is looked at to tell a rawjson
// stream from a text log; a first line ends the look earlier.
const detectBytes = 64

// peekHead returns the first bytes of br without consuming them, waiting
// only until detectBytes after leading white space or a first line end
// have arrived, so that a live stream is not held up.
func peekHead(br *bufio.Reader) []byte {
	for n := 1; ; n++ {
		head, err := br.Peek(n)
		if err != nil {
			return head
		}
		trimmed := bytes.TrimLeft(head, " \t\r\n")
		if len(trimmed) >= detectBytes || (len(trimmed) > 0 && head[len(head)-1] == '\n') {
			return head
		}
		if n >= 1<<20 {
			return head
		}
		if more := br.Buffered(); more > n {
			n = more - 1
		}
	}
}

// classifySource classifies one opened input: a text log, or BuildKit's
// rawjson progress stream (chosen by --input, or recognised by its first
// bytes). emit, when not nil, receives each distinct issue as soon as it is
// found; log, when not nil, receives the lines for a renderer that shows
// them.
func classifySource(m *classify.Matcher, cfg *config, r io.Reader, emit func(classify.Issue), log *logCopy) (*classify.Report, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var in io.Reader = br
	if l, ok := r.(interface{ Len() int }); ok {
		in = &sizedReader{br, func() int { return l.Len() + br.Buffered() }}
	}
	isJSON := cfg.input == "rawjson"
	if cfg.input == "auto" {
		isJSON = rawjson.Detect(peekHead(br))
	}
	if isJSON {
		return classifyRawJSON(m, cfg, br, emit, log)
	}
	if log != nil {
		log.numbered = false
		tee := io.TeeReader(in, log)
		if l, ok := in.(interface{ Len() int }); ok {
			in = &sizedReader{tee, l.Len}
		} else {
			in = tee
		}
	}
	if emit != nil {
		return streamLog(m, in, emit)
	}
	return m.Classify(context.Background(), in)
}

// classifyRawJSON classifies a rawjson stream; issues and the report give
// the stream's own line numbers.
func classifyRawJSON(m *classify.Matcher, cfg *config, r io.Reader, emit func(classify.Issue), log *logCopy) (*classify.Report, error) {
	c := rawjson.NewClassifier(m)
	if log != nil {
		log.numbered = true
		c.Tap = log.writeNumbered
	}
	seen := map[string]bool{}
	send := func(issues []classify.Issue) {
		if emit == nil {
			return
		}
		for _, is := range issues {
			k := is.Key()
			if seen[k] || len(seen) >= cfg.maxIssues {
				continue
			}
			seen[k] = true
			is.Count, is.LastLine = 1, is.Line
			emit(is)
		}
	}
	err := rawjson.ReadLines(context.Background(), r, func(line []byte, size int64, whole bool) {
		if whole {
			send(c.Feed(line))
		} else {
			send(c.FeedTooLong(line, size))
		}
	})
	send(c.Close())
	return c.Report(), err
}
