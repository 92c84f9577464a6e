package classify

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/bits"
)

// readBufferSize is the size of the read buffer; lines longer than it are
// assembled in a separate buffer up to the line limit. It is a multiple of
// 64, so that the newline bit map covers the buffer in whole words.
const readBufferSize = 64 << 10

// The bit map's words must cover the buffer exactly.
var _ [0]struct{} = [readBufferSize % 64]struct{}{}

// Scan classifies the log read from r and yields each issue as soon as it is
// complete, in line order. The sequence is single-use. If reading fails or
// ctx is cancelled, the issues found so far are yielded and then the error,
// as the last element: ctx.Err() unchanged, or a *ReadError that names the
// line it stopped at. Issues from Scan are not deduplicated or ranked; use
// Classify, or Session.Scan followed by Session.Report, for that.
func (m *Matcher) Scan(ctx context.Context, r io.Reader) iter.Seq2[Issue, error] {
	return m.NewSession().Scan(ctx, r)
}

// Scan feeds every line of r to the session, yielding issues as Matcher.Scan
// does, and closes the session at the end of r, so that Report gives the
// whole log's result. Use it to stream issues and still get the ranked
// report. Ranging it a second time, or on a closed session, yields only an
// error wrapping ErrSessionClosed; a nil r yields ErrNilReader; a nil ctx is
// context.Background().
//
// Issues come out when they are complete, and a rule's after-context (the
// rule's context.after, or WithContextLines) holds an issue back until that
// many more lines have arrived or the log ends: in a live build that can be
// a while. For the earliest word, use WithContextLines(0) and rules without
// after-context, or call Flush.
func (s *Session) Scan(ctx context.Context, r io.Reader) iter.Seq2[Issue, error] {
	return func(yield func(Issue, error) bool) {
		if r == nil {
			yield(Issue{}, fmt.Errorf("classify: Scan: %w", ErrNilReader))
			return
		}
		if ctx == nil {
			ctx = context.Background()
		}
		s.enter(false)
		defer s.busy.Store(false)
		if s.closed {
			// A second range over a finished scan, or a closed session.
			yield(Issue{}, fmt.Errorf("classify: Scan: %w", ErrSessionClosed))
			return
		}
		err := s.m.run(ctx, r, s, func(issues []Issue) bool {
			for _, is := range issues {
				if !yield(is, nil) {
					return false
				}
			}
			return true
		})
		if err != nil && !errors.Is(err, errStopped) {
			yield(Issue{}, err)
		}
	}
}

// ScanDistinct is Scan yielding only the issues that are new to the
// session's report: the first of each rule and fields, within the issue
// limit, in line order. It is for live output that should not repeat
// itself; Report gives the counts at the end.
func (s *Session) ScanDistinct(ctx context.Context, r io.Reader) iter.Seq2[Issue, error] {
	s.distinct = true
	return s.Scan(ctx, r)
}

// ReadError is a failure to read the log, after Line-1 lines were read.
type ReadError struct {
	Line int
	Err  error
}

func (e *ReadError) Error() string {
	return fmt.Sprintf("classify: reading line %d: %v", e.Line, e.Err)
}
func (e *ReadError) Unwrap() error { return e.Err }

// ScanAll is Scan collected into a slice: every issue in line order, and the
// error that ended the scan, if any.
func (m *Matcher) ScanAll(ctx context.Context, r io.Reader) ([]Issue, error) {
	var out []Issue
	for is, err := range m.Scan(ctx, r) {
		if err != nil {
			return out, err
		}
		out = append(out, is)
	}
	return out, nil
}

// Classify reads the whole log from r and returns its Report: issues
// deduplicated, suppression applied and the primary issue chosen. On a read
// error or cancellation it returns the report of what was read so far
// together with the error.
func (m *Matcher) Classify(ctx context.Context, r io.Reader) (*Report, error) {
	s := m.NewSession()
	if r == nil {
		return s.Report(), fmt.Errorf("classify: Classify: %w", ErrNilReader)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	s.quiet = true
	err := m.run(ctx, r, s, nil)
	return s.Report(), err
}

var errStopped = errors.New("stopped by the caller")

// run feeds every line of r to s, handing released issues to emit (if not
// nil). It closes s at the end, also after an error, so that issues found
// before the error are kept.
func (m *Matcher) run(ctx context.Context, r io.Reader, s *Session, emit func([]Issue) bool) error {
	workers := m.workersFor(r) // before another goroutine reads r
	if ctx.Done() != nil {
		ar := newAsyncReader(ctx, r)
		defer ar.stop()
		r = ar
	}
	var err error
	if workers > 1 {
		err = m.runParallel(r, s, workers, ctx.Err, emit)
	} else {
		err = m.runSequential(ctx, newLineReader(r, m.opt.maxLineBytes), s, emit)
	}
	if err == errStopped {
		return err
	}
	err = scanError(ctx, s, err)
	s.close()
	if emit != nil && len(s.out) > 0 && !emit(s.take()) {
		return errStopped
	}
	return err
}

// scanError turns what ended the input into the error a caller sees: nil at
// the end of the input, ctx.Err() unchanged, or a ReadError naming the line.
func scanError(ctx context.Context, s *Session, err error) error {
	if err == nil || err == io.EOF {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil && errors.Is(err, cerr) {
		return cerr
	}
	return &ReadError{Line: s.line + 1, Err: err}
}

// runSequential feeds the lines of lr to s on the calling goroutine. It
// returns what ended the input (io.EOF at its end), or errStopped.
func (m *Matcher) runSequential(ctx context.Context, lr *lineReader, s *Session, emit func([]Issue) bool) error {
	for n := 0; ; n++ {
		line, size, cut, err := lr.next()
		if size > 0 {
			s.processCut(line, size, cut)
			if emit != nil && len(s.out) > 0 && !emit(s.take()) {
				return errStopped
			}
		}
		if err != nil {
			return err
		}
		if n&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// lineReader splits a stream into lines without ever failing on a long one:
// a line longer than max is cut, the rest of it read and dropped.
//
// It finds the lines of a whole read at once: markNewlines marks the '\n'
// bytes of the buffer in a bit map, 64 bytes to a word, and each line end
// is then a trailing-zero count away, where a byte search per line cost a
// call and its set-up on every line. Lines come out as soon as a read holds
// them, so a live stream is not held up.
type lineReader struct {
	r     io.Reader
	buf   []byte   // readBufferSize bytes
	nl    []uint64 // bit i%64 of nl[i/64]: buf[i] is '\n'; exact up to end, no mark past it
	start int      // the next line starts at buf[start]
	end   int      // the bytes read end at buf[end]
	clear int      // buf[start:clear] holds no '\n': searched already
	long  []byte   // the kept start of a line longer than buf
	max   int
	rerr  error // what ended the input, once the bytes before it are out
	err   error // handed out from now on
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{r: r, buf: make([]byte, readBufferSize), nl: make([]uint64, readBufferSize/64), max: max}
}

// next returns the next line without its "\n", the number of input bytes it
// took, whether it was cut, and an error (io.EOF at the end) once the input
// is done. The line is valid until the next call.
func (lr *lineReader) next() (line []byte, size int, cut bool, err error) {
	if lr.err != nil {
		return nil, 0, false, lr.err
	}
	longSize := 0 // > 0: the line is longer than buf; its bytes before buf
	for {
		if i := lr.newline(); i >= 0 {
			line, size = lr.buf[lr.start:i], i+1-lr.start
			lr.start = i + 1
			break
		}
		if lr.rerr != nil {
			// The last line had no "\n", or reading failed after part of a
			// line: hand out what arrived; the error comes on the next call.
			lr.err = lr.rerr
			line, size = lr.buf[lr.start:lr.end], lr.end-lr.start
			lr.start = lr.end
			if size+longSize == 0 {
				return nil, 0, false, lr.err
			}
			break
		}
		if lr.start == 0 && lr.end == len(lr.buf) {
			// A line longer than the buffer: keep at most max+1 bytes of it,
			// enough to tell whether it is cut, and read on.
			if longSize == 0 {
				lr.long = lr.long[:0]
			}
			lr.long = append(lr.long, lr.buf[:min(lr.end, max(lr.max+1-len(lr.long), 0))]...)
			longSize += lr.end
			lr.end, lr.clear = 0, 0
		}
		lr.fill()
	}
	if longSize > 0 {
		lr.long = append(lr.long, line[:min(len(line), max(lr.max+1-len(lr.long), 0))]...)
		line, size = lr.long, size+longSize
	}
	if len(line) > lr.max {
		line, cut = line[:lr.max], true
	}
	return line, size, cut, nil
}

// newline returns where the next '\n' from buf[start] on is, or -1. The
// bytes it has searched without finding one are not searched again, so that
// a long line arriving in small reads costs no more than one search.
func (lr *lineReader) newline() int {
	from := max(lr.start, lr.clear)
	if from < lr.end {
		w := from >> 6
		m := lr.nl[w] &^ (1<<(from&63) - 1)
		for m == 0 && (w+1)<<6 < lr.end {
			w++
			m = lr.nl[w]
		}
		if m != 0 {
			return w<<6 + bits.TrailingZeros64(m)
		}
	}
	lr.clear = lr.end
	return -1
}

// fill moves the unfinished line to the front of buf and reads more after
// it, marking the newlines of what arrived. A reader that keeps returning
// nothing, and no error, ends the input with io.ErrNoProgress.
func (lr *lineReader) fill() {
	if lr.start > 0 {
		n := copy(lr.buf, lr.buf[lr.start:lr.end])
		lr.clear -= lr.start
		lr.start, lr.end = 0, n
		lr.mark(0, n)
	}
	for range 100 {
		n, err := lr.r.Read(lr.buf[lr.end:])
		if n < 0 || n > len(lr.buf)-lr.end {
			panic("classify: the reader returned an invalid count")
		}
		lr.mark(lr.end, lr.end+n)
		lr.end += n
		if err != nil {
			lr.rerr = err
			return
		}
		if n > 0 {
			return
		}
	}
	lr.rerr = io.ErrNoProgress
}

// mark computes the newline words that cover buf[from:to]; the last one
// has no mark past to.
func (lr *lineReader) mark(from, to int) {
	if from < to {
		markNewlines(lr.buf[from&^63:to], lr.nl[from>>6:])
	}
}

// markNewlines sets nl[w] to the newline mask of b[64w:64w+64] for each word
// b covers, the last one too when b ends inside it: no bit past the end of b
// is set.
func markNewlines(b []byte, nl []uint64) {
	full := len(b) / 64
	newlineMasks(b, nl[:full])
	if rest := b[64*full:]; len(rest) > 0 {
		var m uint64
		for i, c := range rest {
			if c == '\n' {
				m |= 1 << i
			}
		}
		nl[full] = m
	}
}

// newlineMasksGo is what newlineMasks computes, in Go: out[w] has bit i set
// where b[64w+i] is '\n'. Eight bytes at a time, a byte is '\n' exactly when
// it XORs to zero; the multiply gathers the eight flags into one byte.
func newlineMasksGo(b []byte, out []uint64) {
	const low7, ones = 0x7f7f7f7f7f7f7f7f, 0x0101010101010101
	for w := range out {
		var m uint64
		for k := 0; k < 8; k++ {
			x := binary.LittleEndian.Uint64(b[64*w+8*k:]) ^ (ones * '\n')
			zero := ^((x&low7 + low7) | x | low7) // 0x80 in each zero byte
			m |= (zero >> 7 * 0x0102040810204080 >> 56) << (8 * k)
		}
		out[w] = m
	}
}

// asyncReader reads from r on its own goroutine so that a read that blocks
// cannot hold up cancellation: Read returns ctx.Err() as soon as ctx is done.
// A read that never returns leaves that goroutine blocked until it does.
type asyncReader struct {
	ctx  context.Context
	data chan chunk
	free chan []byte
	quit chan struct{}
	cur  []byte
	buf  []byte
	err  error
}

type chunk struct {
	buf []byte
	n   int
	err error
}

func newAsyncReader(ctx context.Context, r io.Reader) *asyncReader {
	a := &asyncReader{
		ctx:  ctx,
		data: make(chan chunk, 2),
		free: make(chan []byte, 3),
		quit: make(chan struct{}),
	}
	for range 3 {
		a.free <- make([]byte, readBufferSize)
	}
	go a.loop(r)
	return a
}

func (a *asyncReader) loop(r io.Reader) {
	for {
		var buf []byte
		select {
		case buf = <-a.free:
		case <-a.quit:
			return
		}
		n, err := r.Read(buf)
		select {
		case a.data <- chunk{buf, n, err}:
		case <-a.quit:
			return
		}
		if err != nil {
			return
		}
	}
}

func (a *asyncReader) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.err != nil {
			return 0, a.err
		}
		if err := a.ctx.Err(); err != nil {
			return 0, err
		}
		if a.buf != nil {
			a.free <- a.buf
			a.buf = nil
		}
		select {
		case c := <-a.data:
			a.buf, a.cur, a.err = c.buf, c.buf[:c.n], c.err
		case <-a.ctx.Done():
			return 0, a.ctx.Err()
		case <-a.quit:
			return 0, io.ErrClosedPipe
		}
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

func (a *asyncReader) stop() { close(a.quit) }
