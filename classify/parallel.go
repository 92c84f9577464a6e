package classify

import (
	"bytes"
	"io"
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
	blockSize = 1 << 20
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
	data   []byte
	meta   []lineMeta
	events []event
	err    error // the read error that ended the input after this block
	done   chan struct{}
}

type lineMeta struct {
	end  int // end of the line in data
	size int // bytes it took in the input
	cut  bool
}

// runParallel is runSequential with workers: it feeds every line of lr to s
// in order, and returns what ended the input (io.EOF at its end), or
// errStopped when emit asks to stop.
func (m *Matcher) runParallel(lr *lineReader, s *Session, workers int, ctxErr func() error, emit func([]Issue) bool) error {
	quit := make(chan struct{})
	defer close(quit)
	free := make(chan *block, 2*workers+2)
	for range cap(free) {
		free <- &block{data: make([]byte, 0, blockSize+4096)}
	}
	order := make(chan *block, cap(free))
	jobs := make(chan *block, cap(free))

	// Workers and the producer end when the input ends or quit is closed; a
	// read that never returns keeps the producer until it does.
	for range workers {
		go func() {
			d := newDetector(m)
			for b := range jobs {
				d.events = d.events[:0]
				start := 0
				for i, lm := range b.meta {
					d.line(i, bytes.TrimSuffix(b.data[start:lm.end], []byte{'\r'}))
					start = lm.end
				}
				b.events = append(b.events[:0], d.events...)
				close(b.done)
			}
		}()
	}

	// The producer reads blocks of whole lines.
	go func() {
		defer close(jobs)
		defer close(order)
		for {
			var b *block
			select {
			case b = <-free:
			case <-quit:
				return
			}
			b.data, b.meta, b.err = b.data[:0], b.meta[:0], nil
			b.done = make(chan struct{})
			for len(b.data) < blockSize {
				line, size, cut, err := lr.next()
				if size > 0 {
					b.data = append(b.data, line...)
					b.meta = append(b.meta, lineMeta{end: len(b.data), size: size, cut: cut})
				}
				if err != nil {
					b.err = err
					break
				}
			}
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
		start, k := 0, 0
		for i, lm := range b.meta {
			j := k
			for j < len(b.events) && b.events[j].line == i {
				j++
			}
			s.apply(bytes.TrimSuffix(b.data[start:lm.end], []byte{'\r'}), lm.size, lm.cut, b.events[k:j])
			start, k = lm.end, j
			if emit != nil && len(s.out) > 0 && !emit(s.take()) {
				return errStopped
			}
		}
		err := b.err
		clear(b.events) // drop references to captured fields
		free <- b
		if err != nil {
			return err
		}
		if err := ctxErr(); err != nil {
			return err
		}
	}
	return nil
}
