//go:build !unix

package main

import (
	"errors"
	"io"
)

// runCommand needs process groups and POSIX signals.
func runCommand(args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	return usageError(stderr, errors.New("run is only available on Unix systems"))
}
