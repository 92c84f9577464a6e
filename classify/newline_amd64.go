//go:build amd64 && !purego

package classify

// newlineMasksSSE2 is newlineMasksGo in assembly (newline_amd64.s): words
// 64-byte chunks at p are read.
//
//go:noescape
func newlineMasksSSE2(p *byte, words int, out *uint64)

// newlineMasks sets out[w] to the newline mask of b[64w:64w+64]; b holds
// 64*len(out) bytes.
func newlineMasks(b []byte, out []uint64) {
	if len(out) == 0 {
		return
	}
	_ = b[64*len(out)-1]
	newlineMasksSSE2(&b[0], len(out), &out[0])
}
