package classify

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func FuzzParseCatalog(f *testing.F) {
	for _, name := range []string{"testdata/basic.yaml", "testdata/broken.yaml"} {
		f.Add(mustReadTB(f, name))
	}
	f.Add([]byte("rules: [{id: a, group: g, title: t, patterns: ['(?<x>a+)+$']}]"))
	f.Add([]byte("definitions: {a: '{{b}}', b: '{{a}}'}\nrules: []"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Long runs of digits make YAML's number resolution crawl under
		// the fuzzer's coverage instrumentation (a normal build parses
		// 4,000 digits in 0.2 ms); they teach the fuzzer nothing.
		if longDigitRun(data, 200) {
			return
		}
		c, err := ParseCatalog("fuzz.yaml", data)
		if c == nil {
			t.Fatal("nil catalog")
		}
		if err == nil {
			// Whatever parses must compile or fail with positioned errors,
			// never panic.
			if _, err := Compile(c, WithoutExamples()); err != nil {
				if _, ok := err.(ErrorList); !ok {
					t.Fatalf("Compile error is %T, not ErrorList", err)
				}
			}
		} else if _, ok := err.(ErrorList); !ok {
			t.Fatalf("error is %T, not ErrorList", err)
		}
	})
}

// fuzzSeeds adds the fixture logs of the repository as seeds.
func fuzzSeeds(f *testing.F) {
	logs, _ := filepath.Glob("../fixtures/*/*.log")
	for _, name := range logs {
		data, err := os.ReadFile(name)
		if err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Add([]byte(classicLog))
	f.Add([]byte("PackagesNotFoundError: The following packages are not available\n\n  - a\r\n\x1b[31m  - b\n"))
	f.Add([]byte("\x00\x01\xff\r\r\r\n\n#8 1.0 Killed"))
}

func FuzzScan(f *testing.F) {
	fuzzSeeds(f)
	m := basicMatcher(f, WithMaxLineBytes(1024))
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

func FuzzNormalize(f *testing.F) {
	for _, tt := range []string{"\x1b[31mKilled\x1b[0m", "#8 46.25 x", "2024-01-01T00:00:00Z x", "[91mERR", "=> => # x", "0.928 y", "\x1b]0;t\x07"} {
		f.Add([]byte(tt))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var n normalizer
		in := append([]byte(nil), line...)
		out, vertex := n.normalize(line)
		if !bytes.Equal(in, line) {
			t.Fatal("normalize changed its input")
		}
		if len(out) > len(line) {
			t.Fatalf("output longer than input: %q -> %q", line, out)
		}
		if bytes.IndexByte(out, 0x1b) >= 0 && bytes.IndexByte(line, 0x1b) >= 0 {
			// Every ESC starts a sequence that is removed.
			t.Fatalf("escape left in %q -> %q", line, out)
		}
		if vertex < -1 {
			t.Fatalf("vertex %d", vertex)
		}
		again, _ := n.normalize(append([]byte(nil), out...))
		_ = again // normalising twice may strip one more prefix; it must not panic
	})
}

func longDigitRun(b []byte, n int) bool {
	run := 0
	for _, c := range b {
		if c >= '0' && c <= '9' {
			if run++; run > n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}
