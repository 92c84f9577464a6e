//go:build !amd64 || purego

package classify

// Without assembly scan runs its one-window-at-a-time loop (wideScan is
// false); windowHits is windowHitsGo, so that scanWide and its tests still
// run, in Go.

var wideScan = false

func windowHits(words []byte, n0, n2 int, bits []uint64, shift uint32) (m0, m2 uint64) {
	return windowHitsGo(words, n0, n2, bits, shift)
}
