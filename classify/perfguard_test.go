package classify_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/buildlog/buildlog/classify"
)

// TestThroughputGuard fails when classifying the generated log costs more
// than twice the recorded multiple of merely splitting it into lines. Both
// are measured in the same run, so a loaded machine slows both and the
// ratio holds; only a real regression of the hot path trips it. It runs
// when BUILDLOG_PERF_GUARD=1 (.ci/run sets it); the recorded ratio is in
// testdata/throughput-ratio.
func TestThroughputGuard(t *testing.T) {
	if os.Getenv("BUILDLOG_PERF_GUARD") != "1" {
		t.Skip("set BUILDLOG_PERF_GUARD=1 to run")
	}
	data, err := os.ReadFile("testdata/throughput-ratio")
	if err != nil {
		t.Fatal(err)
	}
	recorded, err := strconv.ParseFloat(strings.Fields(string(data))[0], 64)
	if err != nil {
		t.Fatal(err)
	}
	best := func(f func(*testing.B)) float64 {
		r := testing.Benchmark(f)
		return float64(r.T.Nanoseconds()) / float64(r.N)
	}
	split, scan := 0.0, 0.0
	for range 3 { // interleaved, best of three each
		if s := best(BenchmarkSplitLines); split == 0 || s < split {
			split = s
		}
		if c := best(func(b *testing.B) { benchClassify(b, "realistic", classify.WithWorkers(1)) }); scan == 0 || c < scan {
			scan = c
		}
	}
	ratio := scan / split
	t.Logf("classify takes %.1f× the time of splitting lines (recorded %.1f×, limit %.1f×)", ratio, recorded, 2*recorded)
	if ratio > 2*recorded {
		t.Errorf("classify takes %.1f× the time of splitting lines, more than twice the recorded %.1f×: the hot path regressed", ratio, recorded)
	}
}
