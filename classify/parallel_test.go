package classify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/buildlog/buildlog/classify/internal/loggen"
	"github.com/google/go-cmp/cmp"
)

// multiLineLog is generated noise with multi-line failures (a collected list,
// a two-line sequence, context) spread so that some straddle the 1 MiB
// blocks of the parallel scan.
func multiLineLog(size int) []byte {
	w := loggen.New(loggen.Options{FailureEvery: 997})
	var b []byte
	for n := 0; len(b) < size; n++ {
		b = w.Line(b)
		switch n % 2713 {
		case 0:
			b = append(b, "PackagesNotFoundError: The following packages are not available from current channels:\n\n  - numpy=1.99\n"...)
			b = w.Line(b)
			b = append(b, "  - scipy=0.1\n\nCurrent channels:\n"...)
		case 1500:
			b = append(b, "UnsatisfiableError: The following specifications were found\n"...)
			b = w.Line(b)
			b = append(b, "to be incompatible with each other:\n"...)
		case 2000:
			b = append(b, "ERROR: No matching distribution found for torch==9.9\n"...)
		}
	}
	return b
}

func TestParallelAgreesWithSequential(t *testing.T) {
	data := multiLineLog(5 << 20)
	seq := basicMatcher(t, WithWorkers(1))
	want, err := seq.ScanAll(context.Background(), bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	wantRep, _ := seq.Classify(context.Background(), bytes.NewReader(data))
	if len(want) < 80 {
		t.Fatalf("only %d issues: the test log is too plain", len(want))
	}
	for _, workers := range []int{2, 3, 8} {
		par := basicMatcher(t, WithWorkers(workers))
		got, err := par.ScanAll(context.Background(), bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("workers=%d: mismatch (-sequential +parallel):\n%s", workers, diff)
		}
		gotRep, _ := par.Classify(context.Background(), bytes.NewReader(data))
		if diff := cmp.Diff(wantRep, gotRep); diff != "" {
			t.Errorf("workers=%d: report mismatch (-sequential +parallel):\n%s", workers, diff)
		}
	}
}

func TestWorkersForInput(t *testing.T) {
	m := basicMatcher(t)
	big := bytes.NewReader(make([]byte, autoParallelBytes))
	if n := m.workersFor(strings.NewReader("small")); n != 1 {
		t.Errorf("small input: %d workers", n)
	}
	if n := m.workersFor(big); n < 1 {
		t.Errorf("big input: %d workers", n)
	}
	if n := basicMatcher(t, WithWorkers(3)).workersFor(strings.NewReader("x")); n != 3 {
		t.Errorf("WithWorkers(3): %d", n)
	}
}

func TestParallelStopsEarlyAndCancels(t *testing.T) {
	data := multiLineLog(3 << 20)
	m := basicMatcher(t, WithWorkers(2))
	n := 0
	for _, err := range m.Scan(context.Background(), bytes.NewReader(data)) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 5 {
			break
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Classify(ctx, bytes.NewReader(data)); err != context.Canceled {
		t.Errorf("err = %v", err)
	}
}

// TestParallelLineShapes compares sequential and parallel reports on inputs
// built to stress block boundaries: long lines cut at the limit, lines over
// a block, no final newline, CRLF, and odd read sizes.
func TestParallelLineShapes(t *testing.T) {
	noise := string(multiLineLog(1 << 20))
	inputs := map[string]string{
		"lines over the limit": noise + strings.Repeat("x", 5000) + " Killed\nKilled\n" + strings.Repeat("y", 3<<20) + "\n" + noise,
		"a line over a block":  noise + "ERROR: No matching distribution found for " + strings.Repeat("z", 3<<20) + "\nKilled\n",
		"no final newline":     noise + noise + "Killed",
		"last line over":       noise + strings.Repeat("w", 2<<20),
		"CRLF":                 strings.ReplaceAll(noise+noise, "\n", "\r\n"),
		"empty":                "",
		"only newlines":        strings.Repeat("\n", 3<<20),
	}
	for name, in := range inputs {
		for _, max := range []int{1000, DefaultMaxLineBytes} {
			seq := basicMatcher(t, WithWorkers(1), WithMaxLineBytes(max))
			par := basicMatcher(t, WithWorkers(3), WithMaxLineBytes(max))
			want, werr := seq.Classify(context.Background(), strings.NewReader(in))
			got, gerr := par.Classify(context.Background(), iotest.HalfReader(strings.NewReader(in)))
			if werr != nil || gerr != nil {
				t.Fatalf("%s: errors %v, %v", name, werr, gerr)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s, max %d: mismatch (-sequential +parallel):\n%s", name, max, diff)
			}
		}
	}
}

func TestParallelReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	in := string(multiLineLog(3<<20)) + "partial"
	par := basicMatcher(t, WithWorkers(2))
	rep, err := par.Classify(context.Background(), io.MultiReader(strings.NewReader(in), iotest.ErrReader(boom)))
	var re *ReadError
	if !errors.As(err, &re) || !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	seq := basicMatcher(t, WithWorkers(1))
	want, _ := seq.Classify(context.Background(), io.MultiReader(strings.NewReader(in), iotest.ErrReader(boom)))
	if rep.Lines != want.Lines || len(rep.Issues) != len(want.Issues) || re.Line != want.Lines+1 {
		t.Errorf("parallel: %d lines, %d issues, error at line %d; sequential: %d lines, %d issues", rep.Lines, len(rep.Issues), re.Line, want.Lines, len(want.Issues))
	}
}

// shapedBuildKitLog is a BuildKit log shaped to test the candidate windows
// (Session.keep) in both scans: runs of one vertex longer and shorter than a
// step window, interleaved vertices, blank lines, more steps than there are
// windows (so windows are evicted), error-like lines, and rewritten
// (coloured) lines, over many blocks.
func shapedBuildKitLog(seed uint64, size, vertices, eventEvery int, mixed bool) []byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	var b bytes.Buffer
	for v := 1; v <= vertices; v++ {
		fmt.Fprintf(&b, "#%d [stage-%d %d/%d] RUN ./build.sh part%d\n", v, v%3, v, vertices, v)
	}
	for b.Len() < size {
		v := 1 + rng.IntN(vertices)
		run := 1 + rng.IntN(200)
		if rng.IntN(4) == 0 {
			run = 1 + rng.IntN(3) // interleaving
		}
		if mixed { // one busy vertex among many, line by line
			v, run = 1, 1
			if rng.IntN(2) == 0 {
				v = 2 + rng.IntN(vertices-1)
			}
		}
		for k := 0; k < run; k++ {
			switch r := rng.IntN(1000); {
			case r < 30:
				fmt.Fprintf(&b, "#%d\n", v)
			case r < 50:
				b.WriteString("\n")
			case r < 70:
				fmt.Fprintf(&b, "#%d %d.%03d \x1b[31mwidget %d exploded\x1b[0m\n", v, k, rng.IntN(1000), rng.IntN(50)) // rewritten, no event
			case rng.IntN(eventEvery) == 0:
				fmt.Fprintf(&b, "Step %d/30 : RUN make part%d\n", rng.IntN(30), v) // a classic step header: an event
			default:
				fmt.Fprintf(&b, "#%d %d.%03d compiling unit %d of %d\n", v, k, rng.IntN(1000), rng.IntN(9999), 9999)
			}
		}
	}
	return b.Bytes()
}

// windowShapes are the logs of shapedBuildKitLog that the window tests run:
// few vertices (windows to spare), as many as windows, more than windows;
// events rare or frequent; one busy vertex among 40 quieter ones, so that
// windows are evicted in the middle of its runs.
var windowShapes = []struct {
	vertices, eventEvery int
	mixed                bool
}{{3, 2000, false}, {suspectWindows, 300, false}, {24, 2000, false}, {8, 50, false}, {40, 5000, true}}

// windowState is a session's candidate windows in a form that does not
// depend on where in its ring each line sits.
func windowState(s *Session) []string {
	var out []string
	for i := 0; i < s.bs.nwin; i++ {
		w := &s.bs.windows[i]
		var lines []string
		for k := 0; k < w.n; k++ {
			sl := &w.slots[k]
			lines = append(lines, fmt.Sprintf("L%d %q %q marker=%v", sl.line, sl.raw, sl.text, sl.marker))
		}
		sort.Strings(lines)
		oldest := 0
		if w.n == suspectSlots {
			oldest = w.slots[w.next].line // the slot to be reused next holds the oldest line
		}
		out = append(out, fmt.Sprintf("step=%q n=%d used=%d oldest=%d\n  %s", w.step, w.n, w.used, oldest, strings.Join(lines, "\n  ")))
	}
	sort.Strings(out)
	return append(out, fmt.Sprintf("lastStep=%q", s.bs.lastStep))
}

// TestParallelKeepsTheSameCandidates: after a parallel scan, the session's
// candidate windows hold exactly what the sequential scan left in them (the
// parallel scan once kept no quiet line at all).
func TestParallelKeepsTheSameCandidates(t *testing.T) {
	size := 3 << 20
	if raceEnabled || testing.Short() {
		size = 1 << 20
	}
	for seed, c := range windowShapes {
		data := shapedBuildKitLog(uint64(seed), size, c.vertices, c.eventEvery, c.mixed)
		var states [][]string
		for _, workers := range []int{1, 3} {
			// The scan without its Close, which would empty the windows.
			m := basicMatcher(t)
			s := m.NewSession()
			var err error
			if workers == 1 {
				err = m.runSequential(context.Background(), newLineReader(bytes.NewReader(data), m.opt.maxLineBytes), s, nil)
			} else {
				err = m.runParallel(bytes.NewReader(data), s, workers, func() error { return nil }, nil)
			}
			if err != io.EOF {
				t.Fatal(err)
			}
			states = append(states, windowState(s))
		}
		if diff := cmp.Diff(states[0], states[1]); diff != "" {
			t.Errorf("seed %d: candidate windows differ (-sequential +parallel):\n%s", seed, diff)
		}
	}
}

// TestWindowCacheChangesNothing: the candidate windows' cache of the window
// each vertex's lines go to leaves the same windows as looking it up on
// every line.
func TestWindowCacheChangesNothing(t *testing.T) {
	size := 2 << 20
	if raceEnabled || testing.Short() {
		size = 512 << 10
	}
	defer func() { noWindowCache = false }()
	for seed, c := range windowShapes {
		data := shapedBuildKitLog(uint64(seed), size, c.vertices, c.eventEvery, c.mixed)
		var states [][]string
		for _, off := range []bool{true, false} {
			noWindowCache = off
			m := basicMatcher(t)
			s := m.NewSession()
			if err := m.runSequential(context.Background(), newLineReader(bytes.NewReader(data), m.opt.maxLineBytes), s, nil); err != io.EOF {
				t.Fatal(err)
			}
			states = append(states, windowState(s))
		}
		if diff := cmp.Diff(states[0], states[1]); diff != "" {
			t.Errorf("seed %d: windows differ (-no cache +cache):\n%s", seed, diff)
		}
	}
}
