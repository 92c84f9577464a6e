//go:build linux && amd64 && !purego

package classify

import (
	"syscall"
	"testing"
)

// TestWindowHitsReadsNoFurther puts the words that windowHits tests at the
// very end of a page followed by a page that may not be read: reading one
// byte past them faults. Every window count of both passes is tried, so
// the masked loads of the tails are checked too.
func TestWindowHitsReadsNoFurther(t *testing.T) {
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("mmap:", err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		t.Skip("mprotect:", err)
	}
	for i := range page {
		mem[i] = byte(i*7 + 3)
	}
	shift := uint32(32 - minHashBits)
	bits := make([]uint64, 1<<(minHashBits-6))
	for i := range bits {
		bits[i] = 0x0101010101010101 << (i % 8)
	}
	for n0 := 1; n0 <= 64; n0++ {
		for n2 := 0; n2 <= n0; n2++ {
			need := max(4*n0, 4*n2+2*btoi(n2 > 0))
			words := mem[page-need : page]
			g0, g2 := windowHits(words, n0, n2, bits, shift)
			w0, w2 := windowHitsGo(words, n0, n2, bits, shift)
			if g0 != w0 || g2 != w2 {
				t.Fatalf("n0 %d, n2 %d: windowHits gives %x %x, windowHitsGo %x %x", n0, n2, g0, g2, w0, w2)
			}
		}
	}
}
