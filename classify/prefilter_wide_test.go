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
					g0, g2 := windowHits(buf, n0, n2, bits, shift)
					w0, w2 := windowHitsGo(buf, n0, n2, bits, shift)
					if g0 != w0 || g2 != w2 {
						t.Fatalf("hash bits %d, n0 %d, n2 %d: windowHits gives %x %x, windowHitsGo %x %x", hashBits, n0, n2, g0, g2, w0, w2)
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
			m0, m2 := windowHits(buf, 64, 64, bits, shift)
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
		g0, g2 := windowHits(words, k0, k2, bs.bits, bs.shift)
		w0, w2 := windowHitsGo(words, k0, k2, bs.bits, bs.shift)
		if g0 != w0 || g2 != w2 {
			t.Fatalf("n0 %d, n2 %d: windowHits gives %x %x, windowHitsGo %x %x", k0, k2, g0, g2, w0, w2)
		}
	})
}
