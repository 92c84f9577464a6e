//go:build unix

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// Exit statuses of run when the command could not be started, as a shell
// gives them.
const (
	exitNotFound      = 127
	exitNotExecutable = 126
)

// runCommand is "triage run [flags] -- CMD ARG...": it runs CMD with its
// standard output and error merged into one stream, shows that stream live
// on standard output as --tee does, classifies it, and writes the report
// at the end (also when the command was interrupted). The exit status is
// the command's when it failed (128+N when signal N killed it), else 0.
// SIGINT and SIGTERM are passed on to the command, which runs in a process
// group of its own so that a Ctrl-C reaches it once.
func runCommand(args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	flagArgs, argv, err := splitCommand(args)
	if err != nil {
		return usageError(stderr, err)
	}
	cfg, err := parseConfig(flagArgs)
	switch {
	case errors.Is(err, errHelp):
		fmt.Fprint(stdout, usageText)
		return exitOK
	case errors.Is(err, errVersion):
		return runVersion(nil, stdout, stderr)
	case err != nil:
		return usageError(stderr, err)
	case len(cfg.files) > 0:
		return usageError(stderr, fmt.Errorf("run: unexpected argument %q before --", cfg.files[0]))
	}
	m, err := compileCatalog(cfg.cat, classifyOptions(cfg)...)
	if err != nil {
		printCatalogError(stderr, err)
		return exitFailure
	}

	pr, pw, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(stderr, "triage: run: %v\n", err)
		return exitFailure
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, pw, pw
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		pr.Close()
		pw.Close()
		fmt.Fprintf(stderr, "triage: run: %v\n", err)
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			return exitNotFound
		}
		return exitNotExecutable
	}
	pw.Close() // the command holds the only writer: its end is our EOF

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	forwarded := make(chan struct{})
	go func() {
		defer close(forwarded)
		for sig := range sigs {
			// The whole group, as the terminal would have done.
			if syscall.Kill(-cmd.Process.Pid, sig.(syscall.Signal)) != nil {
				cmd.Process.Signal(sig)
			}
		}
	}()

	res, copyErr := passThrough(cfg, m, "command output", pr, stdout, stderr)
	pr.Close()
	waitErr := cmd.Wait()
	signal.Stop(sigs)
	close(sigs)
	<-forwarded

	if res.err != nil {
		fmt.Fprintf(stderr, "triage: %s\n", oneLine(res.err.Error()))
	}
	if copyErr != nil {
		fmt.Fprintf(stderr, "triage: copying to standard output: %v\n", copyErr)
	}
	if err := writeReport(cfg, m, res, stdout, stderr, env); err != nil {
		fmt.Fprintf(stderr, "triage: writing the report: %v\n", err)
	}
	status := exitOK
	var ee *exec.ExitError
	switch {
	case errors.As(waitErr, &ee):
		status = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			status = 128 + int(ws.Signal())
		}
		if status == 0 {
			status = exitFailure
		}
	case waitErr != nil:
		fmt.Fprintf(stderr, "triage: run: %v\n", waitErr)
		status = exitFailure
	}
	return status
}

// splitCommand separates run's flags from the command: at "--", or at the
// first argument that is not a flag when there is no "--".
func splitCommand(args []string) (flags, argv []string, err error) {
	for i, a := range args {
		if a == "--" {
			flags, argv = args[:i], args[i+1:]
			break
		}
	}
	if argv == nil && len(args) > 0 && !isFlag(args[0]) {
		argv = args
	}
	if flags == nil && argv == nil {
		flags = args
	}
	if len(argv) == 0 {
		for _, a := range flags {
			if a == "-h" || a == "-help" || a == "--help" {
				return flags, nil, nil
			}
		}
		return nil, nil, errors.New("run needs a command: triage run [flags] -- CMD [ARG ...]")
	}
	return flags, argv, nil
}

func isFlag(a string) bool { return len(a) > 1 && a[0] == '-' }
