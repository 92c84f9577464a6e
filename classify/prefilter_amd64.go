//go:build amd64 && !purego

package classify

// The prefilter's window test with AVX2: eight windows at once, their bits
// fetched with one gather. Processors without AVX2, other architectures and
// -tags purego use the Go loop.

// windowHitsAVX2 is windowHitsGo in assembly (prefilter_amd64.s); n0 is 1
// to 64, n2 is 0 to n0, and the bytes they cover are readable.
//
//go:noescape
func windowHitsAVX2(words *byte, n0, n2 int, bits *uint64, shift uint32) (m0, m2 uint64)

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

// hasAVX2 reports whether the processor has AVX2 and the operating system
// saves its registers.
func hasAVX2() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const osxsave, avx = 1 << 27, 1 << 28
	if ecx1&osxsave == 0 || ecx1&avx == 0 {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 { // XMM and YMM state
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0
}

// wideScan is whether scan tests windows with windowHitsAVX2.
var wideScan = hasAVX2()

// windowHits is windowHitsGo, computed by windowHitsAVX2 where the processor
// has AVX2 (scanWide runs only there; tests call it anywhere).
func windowHits(words []byte, n0, n2 int, bits []uint64, shift uint32) (m0, m2 uint64) {
	if !wideScan {
		return windowHitsGo(words, n0, n2, bits, shift)
	}
	return windowHitsAVX2(&words[0], n0, n2, &bits[0], shift)
}
