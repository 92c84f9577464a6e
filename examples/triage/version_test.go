package main

import (
	"runtime/debug"
	"testing"
)

func TestDevelVersion(t *testing.T) {
	for _, tt := range []struct {
		settings []debug.BuildSetting
		want     string
	}{
		{nil, "devel"},
		{[]debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-04T22:56:57Z"}},
			"devel 0123456789ab 2026-12-04T22:56:57Z"},
		{[]debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "true"}}, "devel abc+dirty"},
	} {
		if got := develVersion(tt.settings); got != tt.want {
			t.Errorf("develVersion(%v) = %q, want %q", tt.settings, got, tt.want)
		}
	}
}
