package classify

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
)

// bufioLines is the line reader as it was before the newline bit map: one
// bufio.Reader.ReadSlice per line. The tests hold lineReader to it.
type bufioLines struct {
	br   *bufio.Reader
	long []byte
	max  int
	err  error
}

func (lr *bufioLines) next() (line []byte, size int, cut bool, err error) {
	if lr.err != nil {
		return nil, 0, false, lr.err
	}
	line, err = lr.br.ReadSlice('\n')
	size = len(line)
	if err == bufio.ErrBufferFull {
		lr.long = append(lr.long[:0], line[:min(len(line), lr.max+1)]...)
		for err == bufio.ErrBufferFull {
			line, err = lr.br.ReadSlice('\n')
			size += len(line)
			if room := lr.max + 1 - len(lr.long); room > 0 {
				lr.long = append(lr.long, line[:min(len(line), room)]...)
			}
		}
		line = lr.long
	}
	if err != nil {
		lr.err = err
		if size == 0 {
			return nil, 0, false, err
		}
	}
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if len(line) > lr.max {
		line, cut = line[:lr.max], true
	}
	return line, size, cut, nil
}

// chunky returns the data in reads of random sizes (some empty), then err.
type chunky struct {
	data []byte
	r    *rand.Rand
	err  error
}

func (c *chunky) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, c.err
	}
	n := min(len(p), len(c.data))
	switch c.r.IntN(4) {
	case 0:
		n = min(n, 1+c.r.IntN(8))
	case 1:
		n = min(n, c.r.IntN(3)) // sometimes nothing, and no error
	case 2:
		n = min(n, 1+c.r.IntN(70000))
	}
	copy(p, c.data[:n])
	c.data = c.data[n:]
	if len(c.data) == 0 && c.r.IntN(2) == 0 {
		return n, c.err // the last bytes and the error together
	}
	return n, nil
}

type lineResult struct {
	Line []byte
	Size int
	Cut  bool
	Err  error
}

func readAllLines(next func() ([]byte, int, bool, error)) []lineResult {
	var out []lineResult
	for {
		line, size, cut, err := next()
		out = append(out, lineResult{bytes.Clone(line), size, cut, err})
		if err != nil {
			return out
		}
	}
}

// randomLog returns text of lines of every length: empty, short, around 64
// bytes, longer than the read buffer, with "\r\n" ends and without a last
// "\n".
func randomLog(r *rand.Rand) []byte {
	var b []byte
	for range r.IntN(40) {
		n := 0
		switch r.IntN(6) {
		case 0:
		case 1:
			n = r.IntN(8)
		case 2:
			n = 56 + r.IntN(16)
		case 3:
			n = r.IntN(300)
		case 4:
			n = readBufferSize - 70 + r.IntN(140)
		case 5:
			n = r.IntN(3 * readBufferSize)
		}
		for range n {
			b = append(b, "abc \t\r:x"[r.IntN(8)])
		}
		if r.IntN(5) == 0 {
			b = append(b, '\r')
		}
		b = append(b, '\n')
	}
	if len(b) > 0 && r.IntN(3) == 0 {
		b = b[:len(b)-1-r.IntN(min(len(b), 5))]
	}
	return b
}

// TestLineReaderAgrees reads random logs through lineReader and through
// the bufio reader it replaced, in reads of random sizes, ending in EOF or
// another error, with line limits below and above the buffer's size: the
// lines, sizes, cuts and errors must be the same.
func TestLineReaderAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	rounds := 400
	if raceEnabled {
		rounds = 60
	}
	broken := errors.New("the disk went away")
	for round := range rounds {
		data := randomLog(r)
		max := []int{1, 5, 63, 64, 65, 1000, readBufferSize - 1, readBufferSize, readBufferSize + 1, 1 << 20}[r.IntN(10)]
		end := io.EOF
		if round%5 == 0 {
			end = broken
		}
		seed := r.Uint64()
		got := readAllLines(newLineReader(&chunky{data, rand.New(rand.NewPCG(seed, 1)), end}, max).next)
		ref := &bufioLines{br: bufio.NewReaderSize(&chunky{data, rand.New(rand.NewPCG(seed, 1)), end}, readBufferSize), max: max}
		want := readAllLines(ref.next)
		if len(got) != len(want) {
			t.Fatalf("round %d (max %d, %d bytes): %d results, want %d", round, max, len(data), len(got), len(want))
		}
		for i := range got {
			g, w := got[i], want[i]
			if !bytes.Equal(g.Line, w.Line) || g.Size != w.Size || g.Cut != w.Cut || g.Err != w.Err {
				t.Fatalf("round %d (max %d), line %d: got %q size %d cut %v err %v, want %q size %d cut %v err %v",
					round, max, i, trimmed(g.Line), g.Size, g.Cut, g.Err, trimmed(w.Line), w.Size, w.Cut, w.Err)
			}
		}
	}
}

func trimmed(b []byte) string {
	if len(b) > 40 {
		return fmt.Sprintf("%q…(%d bytes)", b[:40], len(b))
	}
	return fmt.Sprintf("%q", b)
}

// TestLineReaderNoProgress: a reader that returns nothing forever, without
// an error, ends the input with io.ErrNoProgress, as bufio does.
func TestLineReaderNoProgress(t *testing.T) {
	lr := newLineReader(readerFunc(func([]byte) (int, error) { return 0, nil }), 100)
	if _, size, _, err := lr.next(); size != 0 || err != io.ErrNoProgress {
		t.Fatalf("got size %d, err %v; want io.ErrNoProgress", size, err)
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// TestNewlineMasksAgree compares newlineMasks (assembly where there is
// some) with newlineMasksGo and with a byte-by-byte count, on buffers of
// every density of '\n' and with every byte value around it.
func TestNewlineMasksAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for round := range 2000 {
		words := 1 + r.IntN(20)
		b := make([]byte, 64*words)
		for i := range b {
			switch {
			case round%3 == 0:
				b[i] = byte(r.Uint32()) // any byte, '\n' one time in 256
			case r.IntN(1+round%17) == 0:
				b[i] = '\n'
			default:
				b[i] = "\x0b\x09\x8a\x0a\x00\xff\x01a"[r.IntN(8)]
			}
		}
		got, fromGo := make([]uint64, words), make([]uint64, words)
		newlineMasks(b, got)
		newlineMasksGo(b, fromGo)
		for w := range words {
			var want uint64
			for i := range 64 {
				if b[64*w+i] == '\n' {
					want |= 1 << i
				}
			}
			if got[w] != want || fromGo[w] != want {
				t.Fatalf("round %d, word %d: newlineMasks %x, newlineMasksGo %x, want %x", round, w, got[w], fromGo[w], want)
			}
		}
	}
}

// TestMarkNewlinesExact marks b[:n] for every n over words left full of
// marks from before: each word b[:n] covers is its exact mask, with no bit
// past n, and the words past it are left alone.
func TestMarkNewlinesExact(t *testing.T) {
	b := bytes.Repeat([]byte("ab\ncd\n\n\nxyz\n"), 20)[:200]
	for n := 0; n <= len(b); n++ {
		nl := []uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
		markNewlines(b[:n], nl)
		for w := range nl {
			want := ^uint64(0) // untouched
			if 64*w < n {
				want = 0
				for i := 64 * w; i < min(64*w+64, n); i++ {
					if b[i] == '\n' {
						want |= 1 << (i - 64*w)
					}
				}
			}
			if nl[w] != want {
				t.Fatalf("n %d, word %d: %x, want %x", n, w, nl[w], want)
			}
		}
	}
}

// FuzzLineReader compares lineReader with the bufio reader on any input,
// read in chunks of sizes the fuzzer picks, with any line limit.
func FuzzLineReader(f *testing.F) {
	f.Add([]byte("one\ntwo\r\n\nlast without newline"), uint16(3), uint64(1))
	f.Add(bytes.Repeat([]byte("x"), 3*readBufferSize+5), uint16(70), uint64(2))
	f.Fuzz(func(t *testing.T, data []byte, max uint16, seed uint64) {
		limit := 1 + int(max)
		got := readAllLines(newLineReader(&chunky{data, rand.New(rand.NewPCG(seed, 1)), io.EOF}, limit).next)
		ref := &bufioLines{br: bufio.NewReaderSize(&chunky{data, rand.New(rand.NewPCG(seed, 1)), io.EOF}, readBufferSize), max: limit}
		want := readAllLines(ref.next)
		if len(got) != len(want) {
			t.Fatalf("%d results, want %d", len(got), len(want))
		}
		for i := range got {
			g, w := got[i], want[i]
			if !bytes.Equal(g.Line, w.Line) || g.Size != w.Size || g.Cut != w.Cut || g.Err != w.Err {
				t.Fatalf("line %d: got %s size %d cut %v err %v, want %s size %d cut %v err %v",
					i, trimmed(g.Line), g.Size, g.Cut, g.Err, trimmed(w.Line), w.Size, w.Cut, w.Err)
			}
		}
	})
}

// indexByteLines is splitLines as it was before the newline bit map: one
// bytes.IndexByte per line.
func indexByteLines(data []byte, max int) []lineMeta {
	var out []lineMeta
	start := 0
	for start < len(data) {
		i := bytes.IndexByte(data[start:], '\n')
		lm := lineMeta{end: start + i, size: i + 1}
		if i < 0 {
			lm = lineMeta{end: len(data), size: len(data) - start}
		}
		if lm.end-start > max {
			lm.end, lm.cut = start+max, true
		}
		out = append(out, lm)
		start += lm.size
	}
	return out
}

// TestSplitLinesAgrees compares the parallel scan's splitLines with a byte
// search per line on random blocks (every length modulo 64, with and
// without a last "\n") and line limits, reusing blocks as the scan does.
func TestSplitLinesAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var b block
	for round := range 600 {
		data := randomLog(r)
		if len(data) > 0 && round%3 == 0 {
			data = data[:r.IntN(len(data))]
		}
		max := []int{1, 5, 63, 64, 65, 1000, 1 << 20}[r.IntN(7)]
		b.data = append(b.data[:0], data...)
		b.splitLines(max)
		if want := indexByteLines(data, max); !slices.Equal(b.meta, want) {
			t.Fatalf("round %d (%d bytes, max %d): splitLines gives %d lines, a byte search %d; first %v, want %v",
				round, len(data), max, len(b.meta), len(want), b.meta[:min(3, len(b.meta))], want[:min(3, len(want))])
		}
	}
}
