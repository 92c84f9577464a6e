package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// build is one build log to send: its id and its lines.
type build struct {
	ID      string
	Fixture string // the log file it came from ("" for generated lines)
	Lines   []string
}

// splitLines cuts a log into the lines a classify.Session is fed: at "\n",
// without a last empty line when the log ends with "\n". A "\r" is kept: the
// session handles it as Scan does.
func splitLines(data []byte) []string {
	if len(data) == 0 {
		return nil
	}
	data = bytes.TrimSuffix(data, []byte{'\n'})
	return strings.Split(string(data), "\n")
}

// fixtureName turns fixtures/pip/no_match.log into pip-no_match.
func fixtureName(path string) string {
	dir := filepath.Base(filepath.Dir(path))
	return dir + "-" + strings.TrimSuffix(filepath.Base(path), ".log")
}

// loadBuilds reads the logs and makes copies builds of each, with ids
// <prefix>-<dir>-<name>-<copy>.
func loadBuilds(files []string, copies int, prefix string) ([]build, error) {
	var out []build
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		lines := splitLines(data)
		for c := 0; c < copies; c++ {
			out = append(out, build{
				ID:      fmt.Sprintf("%s-%s-%d", prefix, fixtureName(f), c),
				Fixture: f,
				Lines:   lines,
			})
		}
	}
	return out, nil
}

// part returns the lines [from, to) of n lines for fractions from and to.
func part(n int, from, to float64) (int, int) {
	lo := int(float64(n) * from)
	hi := int(float64(n) * to)
	if to >= 1 {
		hi = n
	}
	return lo, hi
}

// step is one record to send: a line of a build, or its end marker.
type step struct {
	b    int // index of the build
	line int // index of the line; -1 for the end marker
}

// interleave orders the records of many builds as concurrent builds would
// send them: chunk lines of the first build, chunk of the second, and so on
// round the builds still running; a build's end marker follows its last
// line when end is set. Each build's own records stay in order.
func interleave(ranges [][2]int, chunk int, end bool) []step {
	if chunk < 1 {
		chunk = 1
	}
	next := make([]int, len(ranges))
	done := make([]bool, len(ranges))
	for i, r := range ranges {
		next[i] = r[0]
	}
	var out []step
	for left := len(ranges); left > 0; {
		for i, r := range ranges {
			if done[i] {
				continue
			}
			for k := 0; k < chunk && next[i] < r[1]; k++ {
				out = append(out, step{b: i, line: next[i]})
				next[i]++
			}
			if next[i] >= r[1] {
				if end {
					out = append(out, step{b: i, line: -1})
				}
				done[i] = true
				left--
			}
		}
	}
	return out
}
