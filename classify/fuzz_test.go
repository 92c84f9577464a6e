package classify

import (
	"bytes"
	"testing"
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
			if _, err := Compile(c); err != nil { // eager: every pattern goes to regexp2
				if _, ok := err.(ErrorList); !ok {
					t.Fatalf("Compile error is %T, not ErrorList", err)
				}
			}
		} else if _, ok := err.(ErrorList); !ok {
			t.Fatalf("error is %T, not ErrorList", err)
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, tt := range []string{"\x1b[31mKilled\x1b[0m", "#8 46.25 x", "2024-01-01T00:00:00Z x", "[91mERR", "=> => # x", "0.928 y", "\x1b]0;t\x07"} {
		f.Add([]byte(tt))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		in := append([]byte(nil), line...)
		out, vertex, _ := normalize(nil, line)
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
		// Normalising again may strip one more prefix, never add anything.
		if again, _, _ := normalize(nil, append([]byte(nil), out...)); len(again) > len(out) || !bytes.HasSuffix(out, again) && !bytes.ContainsAny(out, "\x1b[") {
			t.Fatalf("normalising %q again gave %q", out, again)
		}
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
