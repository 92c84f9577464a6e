package classify

import (
	"bytes"
	"testing"

	"github.com/buildlog/buildlog/classify/internal/loggen"
)

// BenchmarkPrefilter measures the literal prefilter alone on the realistic
// log, to compare with the whole pipeline.
func BenchmarkPrefilter(b *testing.B) {
	m := basicMatcher(b)
	data := loggen.Bytes(loggen.Options{}, 4<<20)
	lines := bytes.Split(data, []byte("\n"))
	c := newCandidates(len(m.starts))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		for _, l := range lines {
			c.reset()
			m.pf.scan(l, &c)
		}
	}
}
