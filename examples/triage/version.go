package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version reports the version; tests replace it to keep golden files stable.
var version = moduleVersion

// moduleVersion is the module version triage was built from: the tag for
// "go install …@v1.2.3"; for a build from a clone, "devel" with the VCS
// revision and its date, and "+dirty" when the work tree had changes.
func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	return develVersion(bi.Settings)
}

// develVersion describes a build from a clone from its VCS settings.
func develVersion(settings []debug.BuildSetting) string {
	var rev, when, dirty string
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if when != "" {
		return fmt.Sprintf("devel %s%s %s", rev, dirty, when)
	}
	return "devel " + rev + dirty
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "triage: version takes no arguments\n")
		return exitFailure
	}
	fmt.Fprintf(stdout, "triage %s (%s %s/%s)\n", version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}
