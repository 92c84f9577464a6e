package classify_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/patterns"
	"github.com/google/go-cmp/cmp"
)

// TestParallelKeepsUnexplainedLines: a failed build that no rule explains,
// big enough for the parallel scan, gets the same likely error lines as from
// the sequential scan. The quiet lines that hold them have no events, so the
// parallel scan's fast path once skipped them and found none.
func TestParallelKeepsUnexplainedLines(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("#7 [3/4] RUN make\n")
	for b.Len() < 6<<20 {
		b.WriteString("#7 12.3 compiling module number something\n")
	}
	b.WriteString("#7 15.0 \x1b[31merror: frobnicator exploded unexpectedly\x1b[0m\r\n") // rewritten by normalising
	b.WriteString("#7 15.1 panic: the widget registry is empty\n")
	b.WriteString("#7 ERROR: process \"/bin/sh -c make\" did not complete successfully: exit code: 2\n")
	seq, err := patterns.Compile(classify.WithWorkers(1))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := seq.Classify(context.Background(), bytes.NewReader(b.Bytes()))
	if len(want.Unexplained) < 2 {
		t.Fatalf("sequential scan: %d unexplained lines, want the two error lines: %+v", len(want.Unexplained), want.Unexplained)
	}
	for _, workers := range []int{2, 4} {
		par, err := patterns.Compile(classify.WithWorkers(workers))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := par.Classify(context.Background(), bytes.NewReader(b.Bytes()))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("workers=%d: report differs from the sequential one (-sequential +parallel):\n%s", workers, diff)
		}
	}
}
