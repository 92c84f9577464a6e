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
// "go install …@v1.2.3", or "devel" for a build from a checkout.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "triage: version takes no arguments\n")
		return exitFailure
	}
	fmt.Fprintf(stdout, "triage %s (%s %s/%s)\n", version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}
