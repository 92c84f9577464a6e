package rawjson

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"slices"

	"github.com/buildlog/buildlog/classify"
)

// ringSize is how many recent decoded lines remember the input line they
// came from. Issues complete within a few lines of their match, so this
// only has to cover a rule's longest window.
const ringSize = 1 << 16

// maxTracked bounds the issue keys whose first line is remembered.
const maxTracked = 4 * classify.DefaultMaxIssues

// Classifier classifies a rawjson stream pushed to it line by line. Issues
// it returns, and its Report, give line numbers of the JSON stream. Like a
// classify.Session it is for one stream and one goroutine.
type Classifier struct {
	s       *classify.Session
	dec     *Decoder
	input   int   // input lines fed
	bytes   int64 // input bytes fed
	synth   int   // decoded lines fed to the session
	ring    []int32
	lines   map[int]int // decoded → input line for lines that issues name
	first   map[string]int
	last    map[string]int
	pending []classify.Issue

	// Tap, when set, sees every decoded line with the input line it came
	// from, before the line is classified (for a renderer that shows the
	// log). The slice is reused after Tap returns.
	Tap func(input int, text []byte)
}

// NewClassifier starts classifying a rawjson stream with m.
func NewClassifier(m *classify.Matcher) *Classifier {
	c := &Classifier{
		s:     m.NewSession(),
		ring:  make([]int32, ringSize),
		lines: map[int]int{},
		first: map[string]int{},
		last:  map[string]int{},
	}
	c.dec = NewDecoder(c.feedText)
	return c
}

func (c *Classifier) feedText(text []byte) {
	c.synth++
	c.ring[c.synth%ringSize] = int32(c.input)
	if c.Tap != nil {
		c.Tap(c.input, text)
	}
	c.pending = append(c.pending, c.s.Feed(text)...)
}

// Feed classifies the next line of the stream (with its newline, if it
// has one, so that Report counts the bytes) and returns the issues that became complete.
func (c *Classifier) Feed(line []byte) []classify.Issue {
	c.input++
	c.bytes += int64(len(line))
	c.dec.Decode(c.input, line)
	return c.take()
}

// FeedTooLong counts a line that was longer than MaxObjectBytes and was not
// read whole; head is its beginning. A JSON object is skipped with a
// warning, a text line is classified on its beginning.
func (c *Classifier) FeedTooLong(head []byte, size int64) []classify.Issue {
	c.input++
	c.bytes += size
	if bytes.HasPrefix(bytes.TrimLeft(head, " \t"), []byte("{")) {
		c.dec.line = c.input
		c.dec.warn("JSON object of more than %d bytes skipped", MaxObjectBytes)
		return nil
	}
	c.dec.Decode(c.input, head)
	return c.take()
}

// Close ends the stream and returns the last issues.
func (c *Classifier) Close() []classify.Issue {
	c.dec.Close()
	c.pending = append(c.pending, c.s.Close()...)
	return c.take()
}

// Lines returns the number of input lines fed.
func (c *Classifier) Lines() int { return c.input }

// Warnings returns the decoder's warnings and how many more were dropped.
func (c *Classifier) Warnings() ([]Warning, int) { return c.dec.Warnings() }

func (c *Classifier) take() []classify.Issue {
	if len(c.pending) == 0 {
		return nil
	}
	out := c.pending
	c.pending = nil
	for i := range out {
		c.record(&out[i])
		out[i] = c.remap(out[i])
	}
	return out
}

// record remembers the input lines of the decoded lines an issue names, so
// that the final report can be mapped after they left the ring.
func (c *Classifier) record(is *classify.Issue) {
	k := is.Key()
	if _, ok := c.first[k]; !ok {
		if len(c.first) >= maxTracked {
			return
		}
		c.first[k] = is.Line
		for _, n := range issueLines(is) {
			c.lines[n] = c.fromRing(n)
		}
		return
	}
	if prev, ok := c.last[k]; ok && prev != c.first[k] {
		delete(c.lines, prev)
	}
	c.last[k] = is.Line
	c.lines[is.Line] = c.fromRing(is.Line)
}

func issueLines(is *classify.Issue) []int {
	ns := []int{is.Line, is.EndLine}
	for _, l := range is.Context {
		ns = append(ns, l.Number)
	}
	for _, l := range is.Evidence {
		ns = append(ns, l.Number)
	}
	return ns
}

func (c *Classifier) fromRing(n int) int {
	if n <= 0 || n > c.synth || n <= c.synth-ringSize {
		return 0
	}
	return int(c.ring[n%ringSize])
}

// inputLine maps a decoded line number to the input line it came from, or
// 0 when it is not known any more.
func (c *Classifier) inputLine(n int) int {
	if in, ok := c.lines[n]; ok {
		return in
	}
	return c.fromRing(n)
}

// remap returns a copy of is with input line numbers.
func (c *Classifier) remap(is classify.Issue) classify.Issue {
	is.Line = c.inputLine(is.Line)
	is.EndLine = c.inputLine(is.EndLine)
	if is.LastLine != 0 {
		is.LastLine = c.inputLine(is.LastLine)
	}
	is.Context = c.remapLines(is.Context)
	is.Evidence = c.remapLines(is.Evidence)
	return is
}

// remapLines maps numbers; decoded lines of one input line become one line
// of evidence, joined with "\n".
func (c *Classifier) remapLines(ls []classify.Line) []classify.Line {
	if ls == nil {
		return nil
	}
	out := make([]classify.Line, 0, len(ls))
	for _, l := range ls {
		l.Number = c.inputLine(l.Number)
		if n := len(out); n > 0 && out[n-1].Number == l.Number {
			out[n-1].Text += "\n" + l.Text
			continue
		}
		out = append(out, l)
	}
	return out
}

// Report ranks what was fed so far, with input line numbers, and adds the
// decoder's warnings to its Warnings.
func (c *Classifier) Report() *classify.Report {
	rep := c.s.Report()
	out := *rep
	out.Issues = make([]classify.Issue, len(rep.Issues))
	for i, is := range rep.Issues {
		out.Issues[i] = c.remap(is)
		if rep.Primary == &rep.Issues[i] {
			out.Primary = &out.Issues[i]
		}
	}
	if rep.Primary != nil && out.Primary == nil {
		for i := range out.Issues {
			if out.Issues[i].Primary {
				out.Primary = &out.Issues[i]
			}
		}
	}
	out.Lines = c.input
	out.Bytes = c.bytes
	out.Warnings = nil
	for _, w := range rep.Warnings {
		w.Line = c.inputLine(w.Line)
		out.Warnings = append(out.Warnings, w)
	}
	ws, dropped := c.dec.Warnings()
	for _, w := range ws {
		out.Warnings = append(out.Warnings, classify.Warning{Line: w.Line, Message: "rawjson: " + w.Message})
	}
	if dropped > 0 {
		out.Warnings = append(out.Warnings, classify.Warning{Message: "rawjson: " + itoa(dropped) + " more warnings left out"})
	}
	slices.SortStableFunc(out.Warnings, func(a, b classify.Warning) int { return a.Line - b.Line })
	return &out
}

// Classify reads a whole rawjson stream from r and returns its report, as
// classify.Matcher.Classify does for a text log. On a read error or
// cancellation it returns the report so far with the error.
func Classify(ctx context.Context, m *classify.Matcher, r io.Reader) (*classify.Report, error) {
	c := NewClassifier(m)
	err := ReadLines(ctx, r, func(line []byte, size int64, whole bool) {
		if whole {
			c.Feed(line)
		} else {
			c.FeedTooLong(line, size)
		}
	})
	c.Close()
	return c.Report(), err
}

// ReadLines calls f with each line of r, newline included when there is
// one. A line longer than MaxObjectBytes is given once, cut to its first
// MaxObjectBytes bytes, with whole false and size its full length. The line
// is only valid during the call.
func ReadLines(ctx context.Context, r io.Reader, f func(line []byte, size int64, whole bool)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte
	var longSize int64
	n := 0
	for {
		chunk, err := br.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			if longSize < MaxObjectBytes {
				room := min(len(chunk), MaxObjectBytes-int(longSize))
				long = append(long, chunk[:room]...)
			}
			longSize += int64(len(chunk))
			continue
		case len(chunk) > 0 || long != nil:
			if long != nil {
				if longSize+int64(len(chunk)) <= MaxObjectBytes {
					f(append(long, chunk...), longSize+int64(len(chunk)), true)
				} else {
					room := min(len(chunk), max(0, MaxObjectBytes-int(longSize)))
					long = append(long, chunk[:room]...)
					f(long, longSize+int64(len(chunk)), false)
				}
				long, longSize = nil, 0
			} else {
				f(chunk, int64(len(chunk)), true)
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if n++; n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
