// Command triage tells why a container-image build failed: it reads build
// logs (docker, BuildKit, conda, pip, apt, compiler output), classifies them
// with buildlog's default catalog of known failures, and prints the root
// cause with what to do about it.
//
// Install it from a clone of the repository, into $(go env GOPATH)/bin:
//
//	go install ./examples/triage
//
// Once the module is published, "go install
// github.com/buildlog/buildlog/examples/triage@latest" will do the same from
// anywhere; until then the module proxy has no version of it.
//
// # Classifying logs
//
//	triage [flags] [FILE ...]
//
// Each FILE is classified on its own; with no FILE, or with "-", the log is
// read from standard input. Gzip-compressed logs are recognised by their first
// bytes and read transparently. Flags may come before or after the files; an
// argument "--" ends the flags.
//
//	--format F      text (default), json, jsonl, sarif, github or markdown
//	--catalog PATH  a catalog file, or a folder of *.yaml files, merged over
//	                the default catalog (repeatable; it may disable or
//	                override default rules by id)
//	--no-default    use only the --catalog files
//	--fail-on S     error (default), warning, info or never: the least
//	                severity of an unsuppressed issue that makes the exit
//	                status 1
//	--context N     raw lines kept before and after each match (default 3)
//	--max-issues N  distinct issues kept per log (default 1000)
//	-v              text: also list suppressed issues and scan warnings
//	--color WHEN    auto (default), always or never; NO_COLOR turns colour off
//	--progress P    auto (default) or never: a status line on standard error
//	                for logs that take more than a second, only when standard
//	                error is a terminal and CI is unset
//	--version       print the version
//
// The formats:
//
//   - text: the primary issue first (title, line and build step, evidence,
//     what to do, links, retry advice), then the other issues in brief.
//     Control characters and escape sequences from the log are shown
//     escaped (\x1b), never passed to the terminal.
//   - json: one object per log ({"source", "lines", "bytes", "primary",
//     "issues", "warnings", "folded"}), or an array of them for several logs.
//   - jsonl: a {"type":"issue",…} line per distinct issue as soon as it is
//     found, then a {"type":"summary",…} line per log.
//   - sarif: one SARIF 2.1.0 run, a rule per catalog id, results located at
//     the log lines.
//   - github: GitHub Actions workflow commands (::error, ::warning, ::notice),
//     most important first and at most ten; when GITHUB_STEP_SUMMARY is set
//     the full Markdown report is appended to that file.
//   - markdown: a report for a pull-request comment or job summary.
//   - html: one self-contained page (strict Content-Security-Policy, no
//     external resources) with the primary issue first and the log with
//     the issues' lines highlighted; long logs are shown around the issues.
//
// Input that is BuildKit's JSON progress stream (--progress=rawjson) is
// recognised by its first bytes (or forced with --input rawjson) and decoded
// into the lines each build step printed; line numbers stay those of the
// JSON stream.
//
// # In a pipeline
//
//	docker build . 2>&1 | triage --tee [--live] [--report FILE] [flags]
//	triage run [flags] -- CMD [ARG ...]
//
// --tee copies standard input to standard output byte for byte as it
// arrives and writes the report to standard error (or FILE) at the end;
// --live announces issues on standard error as they are found, between
// lines of the log. run does the same for a command's merged output,
// forwards SIGINT and SIGTERM to it, and exits with its status when it
// failed (0 when it succeeded). With --format github the workflow commands
// go to standard output after the log.
//
// Exit status: 0 when no unsuppressed issue reaches --fail-on, 1 when one
// does, 2 for a usage, catalog or read error.
//
// # Other commands
//
//	triage lint [--no-default] PATH ...       check catalog files or folders
//	triage explain [--catalog PATH] ID        print a rule in full
//	triage explain --line TEXT [ID]           show which rules fire on a line, and why
//	triage version                            print the version
//	triage eval --labels FILE DIR|FILE ...    score the catalog against labelled logs
//	triage cluster DIR|FILE ...               group failures no rule explains, draft rules
//
// lint reports every catalog error at once as file:line:col, runs each rule's
// examples, and warns about patterns the prefilter cannot help with, rules
// without match examples, patterns no example exercises, and rules whose
// examples another rule of higher priority would take. The linted files are
// merged over the default catalog, as triage would use them; lint the
// default catalog's own files with --no-default. Its exit status is 0 when
// clean, 1 when it found problems and 2 when a file could not be read.
//
// eval classifies labelled logs (a file of PATH<TAB>ID,ID,... or
// PATH<TAB>none lines) and prints, per rule, right and false findings and
// misses with precision and recall, the share of right primary issues,
// false alarms on clean builds, wrong primaries, rules that never fired and
// failed builds no rule explains; --min-recall, --min-primary and
// --max-false-alarms make it exit 1 below a threshold. cluster reads many
// logs, groups the unexplained lines of their failed builds by fingerprint
// and then by log-template mining, and drafts a catalog rule for each group.
package main

import (
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// Exit statuses.
const (
	exitOK      = 0 // nothing at or above --fail-on; lint found nothing
	exitFound   = 1 // an issue at or above --fail-on; lint found problems
	exitFailure = 2 // usage, catalog or read error
)

// run is the whole command, with its environment passed in so that tests
// can run it in-process. It returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	if len(args) > 0 {
		switch args[0] {
		case "lint":
			return runLint(args[1:], stdout, stderr, env)
		case "explain":
			return runExplain(args[1:], stdout, stderr, env)
		case "version":
			return runVersion(args[1:], stdout, stderr)
		case "run":
			return runCommand(args[1:], stdin, stdout, stderr, env)
		case "check":
			return runCheck(args[1:], stdout, stderr, env)
		case "eval":
			return runEval(args[1:], stdout, stderr, env)
		case "cluster":
			return runCluster(args[1:], stdout, stderr, env)
		}
	}
	if hasEnvFlag(args) {
		return runClassifyWithEnv(args, stdin, stdout, stderr, env)
	}
	return runClassify(args, stdin, stdout, stderr, env)
}
