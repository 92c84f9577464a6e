package classify_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/patterns"
	"github.com/google/go-cmp/cmp"
)

// fuzzSeeds adds the fixture logs of the repository as seeds.
func fuzzSeeds(f *testing.F) {
	logs, _ := filepath.Glob("../fixtures/*/*.log")
	for _, name := range logs {
		data, err := os.ReadFile(name)
		if err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Add([]byte("Step 2/3 : RUN pip install x\nERROR: No matching distribution found for x\nKilled\n"))
	f.Add([]byte("PackagesNotFoundError: The following packages are not available\n\n  - a\r\n\x1b[31m  - b\n"))
	f.Add([]byte("\x00\x01\xff\r\r\r\n\n#8 1.0 Killed"))
}

func FuzzScan(f *testing.F) {
	fuzzSeeds(f)
	m, err := patterns.Compile(classify.WithMaxLineBytes(1024))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte("\n"))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			lines++
		}
		whole, err := m.ScanAll(context.Background(), bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		prev := 0
		for _, is := range whole {
			if is.Line < 1 || is.Line > lines || is.EndLine < is.Line || is.EndLine > lines {
				t.Fatalf("issue lines %d-%d out of 1-%d", is.Line, is.EndLine, lines)
			}
			if is.Line < prev {
				t.Fatalf("issues out of order: %d after %d", is.Line, prev)
			}
			prev = is.Line
			if !utf8.ValidString(is.Text) {
				t.Fatalf("evidence is not valid UTF-8: %q", is.Text)
			}
		}
		bytewise, err := m.ScanAll(context.Background(), iotest.OneByteReader(bytes.NewReader(data)))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(whole, bytewise); diff != "" {
			t.Fatalf("byte-at-a-time read differs (-whole +bytewise):\n%s", diff)
		}
		rep, _ := m.Classify(context.Background(), bytes.NewReader(data))
		if rep.Lines != lines || rep.Bytes != int64(len(data)) {
			t.Fatalf("report counts %d lines %d bytes, want %d, %d", rep.Lines, rep.Bytes, lines, len(data))
		}
	})
}
