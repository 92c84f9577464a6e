//go:build !amd64 || purego

package classify

// newlineMasks sets out[w] to the newline mask of b[64w:64w+64]; b holds
// 64*len(out) bytes.
func newlineMasks(b []byte, out []uint64) { newlineMasksGo(b, out) }
