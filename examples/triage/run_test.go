//go:build unix

package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRunForwardsExitStatus(t *testing.T) {
	for _, c := range []struct {
		script string
		want   int
	}{
		{"echo fine", 0},
		{"echo 'E: Unable to locate package nosuch' >&2; exit 100", 100},
		{"exit 3", 3},
		{"kill -TERM $$", 128 + 15},
	} {
		o := triage(t, nil, "", "run", "--", "sh", "-c", c.script)
		if o.code != c.want {
			t.Errorf("%q: exit %d, want %d; stderr:\n%s", c.script, o.code, c.want, o.stderr)
		}
	}
}

// A command that succeeds gives 0 even when its log shows an issue: run
// must not turn a passing step into a failing one.
func TestRunSuccessIsZero(t *testing.T) {
	o := triage(t, nil, "", "run", "--", "sh", "-c", "echo 'E: Unable to locate package x'")
	if o.code != 0 || !strings.Contains(o.stderr, "apt_package_not_found") {
		t.Errorf("exit %d, stderr:\n%s", o.code, o.stderr)
	}
}

func TestRunPassesMergedOutputAndStdin(t *testing.T) {
	o := triage(t, nil, "from stdin\n", "run", "--format", "json", "--", "sh", "-c", "cat; printf 'to stderr\\n' >&2; printf 'tail'")
	if o.stdout != "from stdin\nto stderr\ntail" {
		t.Errorf("stdout %q", o.stdout)
	}
	if !strings.Contains(o.stderr, `"lines": 3`) {
		t.Errorf("report on stderr:\n%s", o.stderr)
	}
}

func TestRunUsage(t *testing.T) {
	for _, args := range [][]string{{"run"}, {"run", "--format", "json"}, {"run", "--", "/nonexistent/cmd"}} {
		o := triage(t, nil, "", args...)
		if o.code != exitFailure && o.code != exitNotFound {
			t.Errorf("%q: exit %d, stderr %q", args, o.code, o.stderr)
		}
	}
	if o := triage(t, nil, "", "run", "--", "/nonexistent/cmd"); o.code != exitNotFound {
		t.Errorf("missing command: exit %d", o.code)
	}
	if o := triage(t, nil, "", "run", "echo", "hi"); o.code != 0 || o.stdout != "hi\n" {
		t.Errorf("without --: exit %d, stdout %q", o.code, o.stdout)
	}
}

func TestRunGitHubWritesAnnotationsAtTheEnd(t *testing.T) {
	summary := filepath.Join(t.TempDir(), "summary.md")
	o := triage(t, map[string]string{"GITHUB_STEP_SUMMARY": summary}, "", "run", "--format", "github", "--", "sh", "-c", "echo 'E: Unable to locate package nosuch'; exit 100")
	if o.code != 100 {
		t.Errorf("exit %d", o.code)
	}
	if !strings.HasPrefix(o.stdout, "E: Unable to locate package nosuch\n") || !strings.Contains(o.stdout, "::error") {
		t.Errorf("stdout:\n%s", o.stdout)
	}
	if data, err := os.ReadFile(summary); err != nil || !bytes.Contains(data, []byte("apt_package_not_found")) {
		t.Errorf("job summary: %v\n%s", err, data)
	}
}

// SIGINT and SIGTERM sent to triage reach the command; its partial output
// is still classified and reported, and its status is passed on.
func TestRunForwardsSignals(t *testing.T) {
	bin := triageBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		script := `trap 'echo "got signal"; exit 42' INT TERM; echo "E: Unable to locate package nosuch"; echo ready; while :; do sleep 0.1; done`
		cmd := exec.Command(bin, "run", "--", "sh", "-c", script)
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		var seen []string
		for sc.Scan() {
			seen = append(seen, sc.Text())
			if sc.Text() == "ready" {
				cmd.Process.Signal(sig)
			}
		}
		timer := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
		err = cmd.Wait()
		timer.Stop()
		if cmd.ProcessState.ExitCode() != 42 {
			t.Errorf("%v: exit %v, want 42; stderr:\n%s", sig, err, errOut.String())
		}
		if !strings.Contains(strings.Join(seen, "\n"), "got signal") {
			t.Errorf("%v: the command did not get the signal; output %q", sig, seen)
		}
		if !strings.Contains(errOut.String(), "apt_package_not_found") {
			t.Errorf("%v: no partial report:\n%s", sig, errOut.String())
		}
	}
}
