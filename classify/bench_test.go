package classify_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/classify/internal/loggen"
	"github.com/buildlog/buildlog/patterns"
	"github.com/dlclark/regexp2/v2"
	"github.com/google/go-cmp/cmp"
)

// benchSize is the size of the generated log: a few MB by default, more
// with BUILDLOG_BENCH_MB=200.
func benchSize() int {
	if s := os.Getenv("BUILDLOG_BENCH_MB"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n << 20
		}
	}
	return 8 << 20
}

var benchLogs = map[string][]byte{}

func benchLog(name string) []byte {
	if b, ok := benchLogs[name]; ok {
		return b
	}
	opt := loggen.Options{}
	if name == "long" {
		opt = loggen.Options{LongLines: 1 << 20, LongEvery: 2000}
	}
	b := loggen.Bytes(opt, benchSize())
	benchLogs[name] = b
	return b
}

// report adds allocations per line to a benchmark's figures.
func report(b *testing.B, lines int, before *runtime.MemStats) {
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(lines)/float64(b.N), "allocs/line")
}

// BenchmarkSplitLines is the floor: reading the log and finding its lines.
func BenchmarkSplitLines(b *testing.B) {
	data := benchLog("realistic")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		br := bufio.NewReaderSize(bytes.NewReader(data), 64<<10)
		n := 0
		for {
			_, err := br.ReadSlice('\n')
			if err != nil && err != bufio.ErrBufferFull {
				break
			}
			n++
		}
	}
}

func benchClassify(b *testing.B, name string, opts ...classify.Option) {
	data := benchLog(name)
	c, err := patterns.Catalog()
	if err != nil {
		b.Fatal(err)
	}
	m, err := classify.Compile(c, append([]classify.Option{classify.WithLazyCompile()}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Count(data, []byte("\n"))
	// One scan first: patterns compile on first use, once per Matcher.
	if _, err := m.Classify(context.Background(), bytes.NewReader(data)); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var rep *classify.Report
	for b.Loop() {
		rep, err = m.Classify(context.Background(), bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
	}
	report(b, lines, &before)
	b.ReportMetric(float64(len(rep.Issues)), "issues")
	b.StopTimer()
	if diff := cmp.Diff(fedReport(m, data), rep); diff != "" {
		b.Fatalf("the benchmarked scan differs from feeding the lines one at a time (-fed +scanned):\n%s", diff)
	}
}

// fedReport is the reference every classify benchmark checks its report
// against: the same log fed to a session one line at a time, sequentially.
func fedReport(m *classify.Matcher, data []byte) *classify.Report {
	s := m.NewSession()
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		s.Feed(line)
		data = rest
	}
	s.Close()
	return s.Report()
}

// BenchmarkClassify runs the default catalog over the realistic log on
// one core.
func BenchmarkClassify(b *testing.B) { benchClassify(b, "realistic", classify.WithWorkers(1)) }

// BenchmarkClassifyParallel spreads the same work over every core.
func BenchmarkClassifyParallel(b *testing.B) {
	benchClassify(b, "realistic", classify.WithWorkers(runtime.GOMAXPROCS(0)))
}

// BenchmarkClassifyLongLines has a 1 MiB line without separators every
// 2,000 lines.
func BenchmarkClassifyLongLines(b *testing.B) { benchClassify(b, "long", classify.WithWorkers(1)) }

// BenchmarkNaive runs every pattern of the catalog on every line of the
// first 64 KiB, the way a plain loop would, for comparison (it is thousands
// of times slower, so a small slice is enough).
func BenchmarkNaive(b *testing.B) {
	data := benchLog("realistic")[:64<<10]
	c, err := patterns.Catalog()
	if err != nil {
		b.Fatal(err)
	}
	var res []*regexp2.Regexp
	for _, r := range c.Rules {
		for _, p := range r.Patterns {
			re, err := regexp2.Compile(p.Expr, regexp2.RE2)
			if err != nil {
				continue // patterns that use definitions
			}
			res = append(res, re)
		}
	}
	lines := bytes.Split(data, []byte("\n"))
	b.SetBytes(int64(len(data)))
	b.ReportMetric(float64(len(res)), "patterns")
	hits := 0
	for b.Loop() {
		for _, l := range lines {
			s := string(l)
			for _, re := range res {
				if ok, _ := re.MatchString(s); ok {
					hits++
				}
			}
		}
	}
}
