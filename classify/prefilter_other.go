//go:build !amd64 || purego

package classify

// Without assembly the window test is windowHitsGo, and scan keeps its own
// loop, which is faster than calling it.

var wideScan = false

func windowHits(words []byte, n0, n2 int, bits []uint64, shift uint32) (m0, m2 uint64) {
	return windowHitsGo(words, n0, n2, bits, shift)
}
