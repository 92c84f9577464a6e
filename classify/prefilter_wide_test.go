package classify

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/buildlog/buildlog/classify/internal/loggen"
)

// The wide scan (scanWide, and windowHits in assembly where there is some)
// must find what the one-window-at-a-time loop finds; these tests compare the
// two directly, and, with -tags purego, the Go fallback with that loop. The
// prefilter's other tests compare either with a naive search.

// randomBits returns a bit set for hashes of 32-shift bits with about one
// bit in density set.
func randomBits(r *rand.Rand, shift uint32, density int) []uint64 {
	bits := make([]uint64, max(1, (1<<(32-shift))/64))
	for range len(bits) * 64 / density {
		h := r.Uint32N(uint32(len(bits) * 64))
		bits[h>>6] |= 1 << (h & 63)
	}
	return bits
}

// TestWindowHitsAgree compares windowHits with windowHitsGo on random bytes
// for every window count of both passes, bit sets of every size the
// prefilter builds and some denser ones.
func TestWindowHitsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 4*64+2)
	for hashBits := minHashBits; hashBits <= maxHashBits; hashBits++ {
		shift := uint32(32 - hashBits)
		for _, density := range []int{2, 8, 32} {
			bits := randomBits(r, shift, density)
			for n0 := 1; n0 <= 64; n0++ {
				for n2 := 0; n2 <= n0; n2++ {
					for i := range buf {
						buf[i] = byte(r.Uint32())
					}
					if n2%2 == 0 { // text with a few or none of the marked bytes
						for i := range buf {
							buf[i] = 'a' + byte(r.IntN(26))
						}
						for range r.IntN(3) {
							buf[r.IntN(len(buf))] = "\r\x1b["[r.IntN(3)]
						}
					}
					g0, g2, gm := windowHits(buf, n0, n2, bits, shift)
					w0, w2, wm := windowHitsGo(buf, n0, n2, bits, shift)
					if g0 != w0 || g2 != w2 || gm != wm {
						t.Fatalf("hash bits %d, n0 %d, n2 %d: windowHits gives %x %x %b, windowHitsGo %x %x %b", hashBits, n0, n2, g0, g2, gm, w0, w2, wm)
					}
				}
			}
		}
	}
}

// TestWindowHitsEveryBit sets one bit at a time and puts its window at
// every position: each position's bit, and no other, must come back.
func TestWindowHitsEveryBit(t *testing.T) {
	shift := uint32(32 - minHashBits)
	bits := make([]uint64, 1<<(minHashBits-6))
	buf := make([]byte, 4*64+2)
	w := uint32(0x6e756c6c) // "llun", folded already
	h := hashWindow(w, shift)
	bits[h>>6] |= 1 << (h & 63)
	for pos := 0; pos < 64; pos++ {
		for _, second := range []bool{false, true} {
			clear(buf)
			at := 4 * pos
			if second {
				at += 2
			}
			binary.LittleEndian.PutUint32(buf[at:], w&^0x20202020) // upper case: folded by the scan
			m0, m2, _ := windowHits(buf, 64, 64, bits, shift)
			want0, want2 := uint64(1)<<pos, uint64(0)
			if second {
				want0, want2 = 0, uint64(1)<<pos
			}
			// The zero bytes around the window fold to "    ", whose
			// hash may share the bit; what matters is that pos is found.
			z := windowBit([]byte{0, 0, 0, 0}, bits, shift) != 0
			if !z && (m0 != want0 || m2 != want2) || m0&want0 != want0 || m2&want2 != want2 {
				t.Fatalf("window at %d: got %x %x, want %x %x", at, m0, m2, want0, want2)
			}
		}
	}
}

// TestWindowHitsMarksEveryByte puts each marked byte, alone, at every
// position of 64 words: the marks say so exactly when the first pass reads
// that position.
func TestWindowHitsMarksEveryByte(t *testing.T) {
	shift := uint32(32 - minHashBits)
	bits := make([]uint64, 1<<(minHashBits-6))
	buf := make([]byte, 4*64+2)
	for _, c := range []struct {
		b    byte
		mark uint32
	}{{'\r', markBreak}, {0x1b, markBreak}, {'[', markBracket}} {
		for pos := range buf {
			for _, n0 := range []int{1, 7, 8, 9, 33, 64} {
				for i := range buf {
					buf[i] = 'x'
				}
				buf[pos] = c.b
				want := uint32(0)
				if pos < 4*n0 {
					want = c.mark
				}
				n2 := min(n0, (len(buf)-2)/4)
				if _, _, got := windowHits(buf, n0, n2, bits, shift); got != want {
					t.Fatalf("byte %q at %d, n0 %d: marks %b, want %b", c.b, pos, n0, got, want)
				}
			}
		}
	}
}

// TestScanWideAgrees compares scanWide with scanWindows on the generated log
// and on lines around 256 bytes (where scanWide starts another call), for
// the default catalog and the literal sets of every stride.
func TestScanWideAgrees(t *testing.T) {
	size := 256 << 10
	if raceEnabled {
		size = 32 << 10
	}
	lines := bytes.Split(loggen.Bytes(loggen.Options{FailureEvery: 50}, size), []byte("\n"))
	long := bytes.Join(lines[:40], []byte(" "))
	for n := 240; n < 530 && n < len(long); n++ {
		lines = append(lines, long[:n], long[len(long)-n:])
	}
	sets := [][][]string{defaultLiterals(t)}
	for stride := 1; stride <= maxStride; stride++ {
		sets = append(sets, strideLiterals(t)[stride])
	}
	for _, lits := range sets {
		p := newPrefilter(lits)
		a, b := newCandidates(len(lits)+1), newCandidates(len(lits)+1)
		for _, line := range lines {
			a.reset()
			b.reset()
			p.scanWide(line, &a)
			p.scanWindows(line, &b)
			if got, want := a.sorted(), b.sorted(); !slices.Equal(got, want) {
				t.Fatalf("stride %d, line %q: scanWide gives %v, scanWindows %v", p.stride, line, got, want)
			}
		}
	}
}

// FuzzWindowHits compares windowHits with windowHitsGo on any bytes, window
// counts and bit set (one of every size the prefilter builds, sparse to
// dense, made once: making one per input would be most of the time).
func FuzzWindowHits(f *testing.F) {
	type set struct {
		bits  []uint64
		shift uint32
	}
	var sets []set
	r := rand.New(rand.NewPCG(3, 4))
	for hashBits := minHashBits; hashBits <= maxHashBits; hashBits++ {
		for _, density := range []int{1, 2, 8, 32, 256} {
			shift := uint32(32 - hashBits)
			sets = append(sets, set{randomBits(r, shift, density), shift})
		}
	}
	f.Add([]byte("collect2: error: ld returned 1 exit status and more text after it"), uint8(16), uint8(15), uint8(0))
	f.Add(bytes.Repeat([]byte{0xff}, 258), uint8(64), uint8(64), uint8(4))
	f.Fuzz(func(t *testing.T, data []byte, n0, n2, which uint8) {
		bs := sets[int(which)%len(sets)]
		k0 := 1 + int(n0)%64
		if len(data) < 4*k0 {
			return
		}
		k2 := int(n2) % (k0 + 1)
		if len(data) < 4*k2+2 {
			k2 = max(0, (len(data)-2)/4)
		}
		// A copy of exactly the bytes read: past them the allocation may
		// end, and the assembly must not read there.
		need := max(4*k0, 4*k2+2*btoi(k2 > 0))
		words := bytes.Clone(data[:need])
		g0, g2, gm := windowHits(words, k0, k2, bs.bits, bs.shift)
		w0, w2, wm := windowHitsGo(words, k0, k2, bs.bits, bs.shift)
		if g0 != w0 || g2 != w2 || gm != wm {
			t.Fatalf("n0 %d, n2 %d: windowHits gives %x %x %b, windowHitsGo %x %x %b", k0, k2, g0, g2, gm, w0, w2, wm)
		}
	})
}
