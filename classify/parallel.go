package classify

import (
	"bytes"
	"io"
	"math/bits"
	"os"
	"runtime"
)

// The parallel scan splits the log into blocks of whole lines. Workers match
// the lines of a block (normalise, prefilter, verify: the costly part) and
// record what they find as events; the calling goroutine then applies the
// blocks in order to one Session, exactly as a sequential scan applies each
// line's events. Multi-line rules, context and step tracking therefore see
// the same lines in the same order either way.

const (
	blockSize = 256 << 10 // small enough to stay in a core's cache between the split and the match
	// autoParallelBytes is the input size from which WithWorkers(0) uses
	// every core: below it, start-up costs more than it saves.
	autoParallelBytes = 16 << 20
)

// WithWorkers sets how many goroutines match lines. 1 scans on the calling
// goroutine only. 0, the default, uses every core (GOMAXPROCS) for inputs
// known to be large — an *os.File of a regular file, or a reader with a Len
// method, of 16 MiB or more — and one otherwise, so that a live stream keeps
// its issues coming line by line.
func WithWorkers(n int) Option {
	return optionFunc(func(o *options) { o.workers = max(n, 0) })
}

// workersFor decides how many workers scan r.
func (m *Matcher) workersFor(r io.Reader) int {
	n := m.opt.workers
	if n != 0 {
		return n
	}
	var size int64
	switch v := r.(type) {
	case interface{ Len() int }:
		size = int64(v.Len())
	case *os.File:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	if size >= autoParallelBytes {
		return runtime.GOMAXPROCS(0)
	}
	return 1
}

type block struct {
	data  []byte // whole lines, or the kept part of one over-long line
	long  int    // > 0: data is the first part of a line of at least this many bytes
	extra int    // input bytes of the previous block's cut line, dropped here
	meta  []lineMeta
	nl    []uint64 // the newline bit map of data (splitLines)
	found batch    // what the detector found in the block's lines
	segs  int      // segments the worker normalised (added to the session's count)
	err   error    // the read error that ended the input after this block
	done  chan struct{}
}

type lineMeta struct {
	end  int // end of the line in data
	size int // bytes it took in the input
	cut  bool
}

// splitLines fills b.meta from b.data, cutting lines longer than max;
// workers run it, so that finding the lines is not left to the producer.
// The newlines are marked in a bit map first, as lineReader does.
func (b *block) splitLines(max int) {
	b.meta = b.meta[:0]
	if b.long > 0 {
		b.meta = append(b.meta, lineMeta{end: len(b.data), size: b.long, cut: true})
		return
	}
	words := (len(b.data) + 63) / 64
	if cap(b.nl) < words {
		b.nl = make([]uint64, words)
	}
	nl := b.nl[:words]
	markNewlines(b.data, nl)
	start := 0
	for w, m := range nl {
		for ; m != 0; m &= m - 1 {
			i := 64*w + bits.TrailingZeros64(m)
			b.meta = append(b.meta, cutMeta(start, i, i+1-start, max))
			start = i + 1
		}
	}
	if start < len(b.data) { // the last line of the input, without "\n"
		b.meta = append(b.meta, cutMeta(start, len(b.data), len(b.data)-start, max))
	}
}

// cutMeta is the lineMeta of the line from start to end that took size
// bytes, cut to max.
func cutMeta(start, end, size, max int) lineMeta {
	if end-start > max {
		return lineMeta{end: start + max, size: size, cut: true}
	}
	return lineMeta{end: end, size: size}
}

// producer cuts the input into blocks of whole lines. It reads big chunks
// and keeps the part after the last newline for the next block; a line
// longer than the limit is cut, and the rest of it is read and dropped.
type producer struct {
	r        io.Reader
	max      int    // line limit
	carry    []byte // the start of a line that continues in the next chunk
	dropping bool   // inside the dropped rest of a cut line
	err      error
}

// fill loads the next block; false when nothing is left.
func (p *producer) fill(b *block) bool {
	b.data, b.long, b.extra, b.err = append(b.data[:0], p.carry...), 0, 0, nil
	p.carry = p.carry[:0]
	for {
		if p.dropping {
			if i := bytes.IndexByte(b.data, '\n'); i >= 0 {
				b.extra += i + 1
				b.data = append(b.data[:0], b.data[i+1:]...)
				p.dropping = false
			} else {
				b.extra += len(b.data)
				b.data = b.data[:0]
			}
		}
		if !p.dropping {
			last := bytes.LastIndexByte(b.data, '\n')
			switch {
			case last >= 0 && len(b.data) >= blockSize:
				p.carry = append(p.carry, b.data[last+1:]...)
				b.data = b.data[:last+1]
				return true
			case last < 0 && len(b.data) > p.max:
				b.long = len(b.data)
				b.data = b.data[:p.max]
				p.dropping = true
				return true
			}
		}
		if p.err != nil {
			b.err = p.err
			return len(b.data) > 0 || b.extra > 0 || p.err != io.EOF
		}
		if cap(b.data)-len(b.data) < 4096 {
			b.data = append(b.data, make([]byte, 64<<10)...)[:len(b.data)]
		}
		n, err := p.r.Read(b.data[len(b.data):cap(b.data)])
		b.data = b.data[:len(b.data)+n]
		p.err = err
	}
}

// runParallel is runSequential with workers: it feeds every line of r to s
// in order, and returns what ended the input (io.EOF at its end), or
// errStopped when emit asks to stop.
func (m *Matcher) runParallel(r io.Reader, s *Session, workers int, ctxErr func() error, emit func([]Issue) bool) error {
	quit := make(chan struct{})
	defer close(quit)
	free := make(chan *block, 2*workers+2)
	for range cap(free) {
		free <- &block{data: make([]byte, 0, blockSize+64<<10)}
	}
	order := make(chan *block, cap(free))
	jobs := make(chan *block, cap(free))
	max := m.opt.maxLineBytes

	// Workers and the producer end when the input ends or quit is closed; a
	// read that never returns keeps the producer until it does.
	for range workers {
		go func() {
			d := newDetector(m)
			for b := range jobs {
				b.splitLines(max)
				d.out, b.found = b.found, d.out // reuse the block's buffers
				d.out.reset()
				before := d.segments
				start := 0
				for i, lm := range b.meta {
					d.line(i, trimLast(b.data[start:lm.end], '\r'))
					start += lm.size
				}
				d.out, b.found = b.found, d.out
				b.segs = d.segments - before
				close(b.done)
			}
		}()
	}

	go func() {
		defer close(jobs)
		defer close(order)
		p := producer{r: r, max: max}
		for {
			var b *block
			select {
			case b = <-free:
			case <-quit:
				return
			}
			if !p.fill(b) {
				return
			}
			b.done = make(chan struct{})
			select {
			case order <- b:
			case <-quit:
				return
			}
			select {
			case jobs <- b:
			case <-quit:
				return
			}
			if b.err != nil {
				return
			}
		}
	}()

	for b := range order {
		<-b.done
		s.bytes += int64(b.extra)
		s.det.segments += b.segs
		start, k, h := 0, 0, 0
		segs, hot := b.found.segs, b.found.hot
		for i, lm := range b.meta {
			j := k
			for j < len(segs) && int(segs[j].line) == i {
				j++
			}
			raw := trimLast(b.data[start:lm.end], '\r')
			line := segs[k:j]
			start, k = start+lm.size, j
			for h < len(hot) && int(hot[h]) < i {
				h++
			}
			next := len(b.meta) // the next line with events, as far as this block tells
			if h < len(hot) {
				next = int(hot[h])
			}
			if next != i && len(s.pending) == 0 && !lm.cut {
				// Nothing found, nothing open: as apply's quietLine, but
				// only the lines a later match may show are pushed as
				// context, since this block tells how far that match is.
				s.line++
				s.bytes += int64(lm.size)
				s.quietLine(raw, &b.found, line, next-i <= s.ring.size)
				continue
			}
			s.apply(raw, lm.size, lm.cut, &b.found, line)
			if emit != nil && len(s.out) > 0 && !emit(s.take()) {
				return errStopped
			}
		}
		err := b.err
		b.found.reset() // drop references to captured fields
		free <- b
		if err != nil {
			return err
		}
		if err := ctxErr(); err != nil {
			return err
		}
	}
	return io.EOF
}
