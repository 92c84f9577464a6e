package main

import (
	"slices"
	"testing"
)

func TestSplitLines(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a\n", []string{"a"}},
		{"a\nb", []string{"a", "b"}},
		{"a\r\n\nb\n", []string{"a\r", "", "b"}},
	} {
		if got := splitLines([]byte(tc.in)); !slices.Equal(got, tc.want) {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPart(t *testing.T) {
	if lo, hi := part(10, 0, 0.5); lo != 0 || hi != 5 {
		t.Errorf("first half %d:%d", lo, hi)
	}
	if lo, hi := part(11, 0.5, 1); lo != 5 || hi != 11 {
		t.Errorf("second half %d:%d", lo, hi)
	}
}

// Every build's records come in order, each once, with its marker last, and
// builds alternate.
func TestInterleave(t *testing.T) {
	ranges := [][2]int{{0, 5}, {2, 4}, {0, 0}}
	steps := interleave(ranges, 2, true)
	want := []step{{0, 0}, {0, 1}, {1, 2}, {1, 3}, {1, -1}, {2, -1}, {0, 2}, {0, 3}, {0, 4}, {0, -1}}
	if !slices.Equal(steps, want) {
		t.Errorf("got %v\nwant %v", steps, want)
	}
	if n := len(interleave(ranges, 1, false)); n != 7 {
		t.Errorf("without markers: %d steps, want 7", n)
	}
}

func TestTableFormat(t *testing.T) {
	if got := thousands(1234567.4); got != "1,234,567" {
		t.Errorf("thousands: %s", got)
	}
	if got := thousands(999); got != "999" {
		t.Errorf("thousands: %s", got)
	}
	if got := bytesText(3 << 10); got != "3.0 KiB" {
		t.Errorf("bytesText: %s", got)
	}
}
