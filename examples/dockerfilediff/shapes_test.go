package dockerfilediff

import (
	"strings"
	"testing"
)

// shape is one hand-written Dockerfile of the corpus. reject says BuildKit
// refuses it (then ours must refuse it too); known names the entry of
// knownDiffs it shows, if any.
type shape struct {
	name   string
	src    string
	reject bool
	known  string
}

var shapes = []shape{
	// line continuations
	{name: "backslash continuation", src: "FROM alpine:3.20\nRUN apk add \\\n    curl \\\n    git\nRUN echo done\n"},
	{name: "spaces after backslash", src: "FROM a\nRUN echo a \\   \n  b\nRUN c\n"},
	{name: "tab after backslash", src: "FROM a\nRUN echo a \\\t\n  b\n"},
	{name: "comment lines inside continuation", src: "FROM a\nRUN a \\\n# a note\n  b \\\n    # an indented note\n  c\nRUN d\n"},
	{name: "empty lines inside continuation", src: "FROM a\nRUN a \\\n\n   \n  b\nRUN c\n"},
	{name: "escaped backslash ends no line", src: "FROM a\nRUN echo a\\\\\nRUN b\n"},
	{name: "three backslashes end no line", src: "FROM a\nRUN echo a\\\\\\\nRUN b\n"},
	{name: "backslash alone on the first line", src: "\\\nFROM a\nRUN b\n"},
	{name: "backslash alone inside continuation", src: "FROM a\nRUN a \\\n\\\n  b\n"},
	{name: "continuation joins flags", src: "FROM a\nRUN --mount=type=cache,target=/root/.cache \\\n    --network=none \\\n    pip install x\n"},
	{name: "file ends in a continuation", src: "FROM a\nRUN echo \\\n"},
	{name: "file ends in a continuation and a comment", src: "FROM a\nRUN echo \\\n# trailing\n\n"},
	{name: "file ends in a continuation without newline", src: "FROM a\nRUN echo \\"},
	{name: "no final newline", src: "FROM a\nRUN b"},

	// the escape directive
	{name: "escape backtick", src: "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir C:\\ `\n  && echo hi\nCOPY C:\\foo\\bar\\ C:\\app\\\nWORKDIR C:\\\\foo\n"},
	{name: "escape backtick doubled ends no line", src: "# escape=`\nFROM a\nRUN echo ``\nRUN b\n"},
	{name: "escape backtick windows paths", src: "# escape=`\nFROM a\nRUN powershell -Command `\n    New-Item C:\\foo\\ -Type Directory; `\n    Copy-Item C:\\x C:\\foo\\\nCMD [\"C:\\\\app\\\\run.exe\"]\n"},
	{name: "escape backslash explicit", src: "# escape=\\\nFROM a\nRUN a \\\n b\n"},
	{name: "directive upper case", src: "# ESCAPE=`\nFROM a\nRUN a `\n b\n"},
	{name: "directive with spaces", src: "#   escape   =   `   \nFROM a\nRUN a `\n b\n"},
	{name: "directive without space after hash", src: "#escape=`\nFROM a\nRUN a `\n b\n"},
	{name: "directive with leading white space", src: "   # escape=`\nFROM a\nRUN a `\n b\n"},
	{name: "directive after a comment", src: "# hello\n# escape=`\nFROM a\nRUN a `\n b\n"},
	{name: "directive after an unknown directive", src: "# foo=bar\n# escape=`\nFROM a\nRUN a `\n b\n"},
	{name: "directive after a blank line", src: "\n# escape=`\nFROM a\nRUN a `\n b\n"},
	{name: "directive after an instruction", src: "FROM a\n# escape=`\nRUN a `\n b\n"},
	{name: "syntax directive", src: "# syntax=docker/dockerfile:1.7\n# escape=`\nFROM a\nRUN a `\n b\n"},
	{name: "check directive", src: "# check=skip=JSONArgsRecommended;error=true\nFROM a\n"},
	{name: "directive key with a dash ends directives", src: "# my-key=1\n# escape=`\nFROM a\nRUN a `\n b\n"},
	{name: "empty escape value is a comment", src: "# escape=\nFROM a\nRUN a \\\n b\n"},
	{name: "escape value only a space", src: "# escape= \nFROM a\n", reject: true},
	{name: "invalid escape", src: "# escape=x\nFROM a\n", reject: true},
	{name: "duplicate escape directive", src: "# escape=`\n# escape=\\\nFROM a\n", reject: true},
	{name: "duplicate syntax directive in other case", src: "# syntax=a\n# SYNTAX=b\nFROM a\n", reject: true},

	// JSON (exec) form
	{name: "JSON forms", src: "FROM a\nCMD [\"python\", \"-m\", \"app\"]\nENTRYPOINT [\"/bin/sh\", \"-c\"]\nRUN [\"a\"]\nSHELL [\"pwsh\", \"-c\"]\nVOLUME [\"/data\", \"/logs\"]\n"},
	{name: "JSON escaped quotes", src: "FROM a\nCMD [\"sh\", \"-c\", \"echo \\\"hi\\\" \\\\ there\", \"\\u0041\\t\"]\n"},
	{name: "JSON across a continuation", src: "FROM a\nCMD [\"a\", \\\n     \"b\"]\n"},
	{name: "JSON empty array", src: "FROM a\nCMD []\nCOPY [] \n"},
	{name: "COPY JSON form", src: "FROM a\nCOPY [\"a b.txt\", \"/dst/\"]\nADD --chown=1:1 [\"x\", \"/y\"]\n"},
	{name: "malformed JSON is shell form", src: "FROM a\nRUN [\"a\", \"b\"\nCMD [a, b]\nENTRYPOINT ['a']\nCMD [\"a\"] trailing\nCOPY [\"a\" \"b\"] /x\n"},
	{name: "JSON only for exec-form instructions", src: "FROM a\nEXPOSE [\"80\"]\nWORKDIR [\"/x\"]\nUSER [\"a\"]\n"},
	{name: "JSON with non-strings", src: "FROM a\nCMD [\"a\", 1]\n", reject: true},
	{name: "JSON with null", src: "FROM a\nRUN [\"a\", null]\n", reject: true},
	{name: "HEALTHCHECK JSON", src: "FROM a\nHEALTHCHECK --interval=5s --retries=3 CMD [\"curl\", \"-f\", \"http://localhost/\"]\nHEALTHCHECK NONE\nHEALTHCHECK CMD curl -f http://x/\n"},

	// heredocs
	{name: "heredoc", src: "FROM a\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\nRUN echo after\n"},
	{name: "heredoc dash strips tabs from terminator", src: "FROM a\nRUN <<-EOF\n\techo hi\n\t\tEOF\nRUN b\n"},
	{name: "heredoc without dash keeps tabbed terminator in the body", src: "FROM a\nRUN <<EOF\n\tEOF\nEOF\n"},
	{name: "heredoc quoted names", src: "FROM a\nRUN <<\"EOF\"\necho $HOME\nEOF\nRUN python3 <<'PY'\nprint(1)\nPY\n"},
	{name: "two heredocs on one line", src: "FROM a\nRUN <<A cat /dev/stdin <<B\nfirst\nA\nsecond\nB\nRUN c\n"},
	{name: "heredoc in COPY", src: "FROM a\nCOPY <<EOF /etc/app.conf\nkey=value\nEOF\nCOPY --chmod=755 <<one.sh <<two.sh /usr/bin/\necho 1\none.sh\necho 2\ntwo.sh\n"},
	{name: "heredoc in ADD", src: "FROM a\nADD <<EOF /x\nhi\nEOF\n"},
	{name: "heredoc with redirection", src: "FROM a\nRUN cat <<EOF > /etc/x\nhello\nEOF\n"},
	{name: "heredoc glued to a word is none", src: "FROM a\nRUN cat<<EOF\nhi\nEOF\n"},
	{name: "heredoc name with dash and dot", src: "FROM a\nRUN <<END-OF.TEXT\nx\nEND-OF.TEXT\n"},
	{name: "heredoc name with escape", src: "FROM a\nRUN <<E\\OF\nx\nEOF\n"},
	{name: "heredoc marker inside quotes is none", src: "FROM a\nRUN echo \"a <<EOF\"\nRUN b\n"},
	{name: "heredoc with file descriptor", src: "FROM a\nRUN 3<<EOF cat /dev/fd/3\nx\nEOF\n"},
	{name: "heredoc with space after <<", src: "FROM a\nRUN cat << EOF\nx\nEOF\n"},
	{name: "heredoc <<- with space is none", src: "FROM a\nRUN cat <<- EOF\nx\nEOF\n"},
	{name: "here-string is no heredoc", src: "FROM a\nRUN cat <<<\"x\"\nRUN b\n"},
	{name: "heredoc in JSON RUN is none", src: "FROM a\nRUN [\"cat\", \"<<EOF\"]\nRUN b\n"},
	{name: "heredoc after continuation", src: "FROM a\nRUN cat <<EOF \\\n  > /x\nhello\nEOF\n"},
	{name: "heredoc body keeps comments and blank lines", src: "FROM a\nRUN <<EOF\n# not a comment here\n\n  \\\nEOF\nRUN b\n"},
	{name: "heredoc name with dollar", src: "FROM a\nRUN <<$X\nbody\n$X\n"},
	{name: "heredoc in a substitution", src: "FROM a\nRUN echo ${X:- <<EOF}\nx\nEOF}\n"},
	{name: "heredoc marker on an unlexable line is none", src: "FROM a\nRUN cat <<EOF 'unterminated\nRUN b\n"},
	{name: "heredoc name after text and a substitution is lost", src: "FROM a\nRUN <<${A:-EOF}\nx\n${A:-EOF}\nRUN cat <<E${A#x}\nb\nE${A#x}\n"},
	{name: "heredoc name quoted with a space", src: "FROM a\nRUN <<\"A B\"\nx\nA B\n"},
	{name: "heredoc name with an escaped quote", src: "FROM a\nRUN <<\"E\\\"F\"\nx\nE\"F\n"},
	{name: "heredoc terminator with a trailing space", src: "FROM a\nRUN <<EOF\nx\nEOF \nEOF\n"},
	{name: "heredoc empty name is none", src: "FROM a\nRUN cat <<\"\"\nx\n"},
	{name: "heredoc escape is backslash under the backtick directive", src: "# escape=`\nFROM a\nRUN <<E\\F\nx\nEF\n"},
	{name: "heredoc marker on a line with a bad substitution is none", src: "FROM a\nRUN cat <<EOF ${\nx\nEOF\n"},
	{name: "heredoc name after a byte order mark", src: "FROM a\nRUN <<\uFEFFEOF\nx\nEOF\n"},
	{name: "heredoc in CMD is none", src: "FROM a\nCMD cat <<EOF\nRUN b\nEOF\n"},
	{name: "heredoc in ONBUILD", src: "FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\nONBUILD COPY <<X /x\ny\nX\n"},
	{name: "heredoc in CRLF file", src: "FROM a\r\nRUN <<EOF\r\nx\r\nEOF\r\nRUN b\r\n"},
	{name: "heredoc unterminated", src: "FROM a\nRUN <<EOF\necho\n", reject: true},

	// instructions
	{name: "ONBUILD", src: "FROM a\nONBUILD RUN echo hi\nONBUILD COPY . /app\nonbuild add x y\nONBUILD\nONBUILD RUN [\"a\"]\n"},
	{name: "ONBUILD trigger error", src: "FROM a\nONBUILD ENV X\n", reject: true},
	{name: "lower-case instructions", src: "from alpine\nrun echo hi\ncopy a b\ncmd [\"x\"]\n"},
	{name: "mixed-case instructions", src: "FrOm a AS Build\nRuN b\nfrom build\n"},
	{name: "leading white space", src: "  FROM a\n\tRUN b\n   # comment\n \t COPY x y\n"},
	{name: "unicode white space", src: "\u00a0FROM a\nRUN\va b\nFROM\fc\nRUN d\u00a0e\n"},
	{name: "CRLF line endings", src: "FROM a\r\nRUN echo a \\\r\n  b\r\n# c\r\nCOPY x y\r\n"},
	{name: "carriage returns inside a line", src: "FROM a\rb\nRUN x\r\r\n"},
	{name: "BOM", src: "\uFEFFFROM a\nRUN b\n"},
	{name: "BOM and directive", src: "\uFEFF# escape=`\nFROM a\nRUN a `\n b\n"},
	{name: "unknown instruction", src: "FROM a\nFOO bar\nRUN apt-get install x &&\n    echo done\n"},
	{name: "flags", src: "FROM a\nRUN --mount=type=secret,id=\"a b\" --network=none cat /run/secrets/x\nCOPY --from=build --chown=1:1 /a /b\nRUN -- --not-a-flag\nRUN --\nRUN --x='' y\n"},
	{name: "flag with escape", src: "FROM a\nRUN --mount=target=/a\\ b x\n"},
	{name: "ENV and LABEL forms", src: "FROM a\nENV A=1 B=\"x y\" C=\nENV D 2 3\nLABEL a=b \"c d\"=e\nENV\n"},
	{name: "ENV without value", src: "FROM a\nENV A\n", reject: true},
	{name: "ENV mixed forms", src: "FROM a\nENV A=1 B\n", reject: true},
	{name: "LABEL without equals", src: "FROM a\nLABEL a=b c\n", reject: true},

	// stages and ARGs
	{name: "ARG before FROM with default", src: "ARG BASE=python\nARG TAG\nFROM ${BASE}:${TAG:-3.12}-slim AS build\nFROM build\n"},
	{name: "ARG empty with dash default", src: "ARG V=\nARG W=1\nFROM img${V-x}:${W}${V:-y}\n"},
	{name: "ARG referencing ARG", src: "ARG A=ubuntu\nARG B=$A\nFROM $B:24.04\n"},
	{name: "multi-stage AS names", src: "FROM golang:1.26 AS Build\nRUN go build\nFROM scratch as final\nCOPY --from=Build /out /\nFROM Build AS test\n"},
	{name: "FROM with platform flag", src: "FROM --platform=$BUILDPLATFORM alpine:3 AS x\n"},

	// empty and degenerate files
	{name: "empty file", src: "", reject: true},
	{name: "only comments", src: "# a\n# b\n\n", reject: true},
	{name: "only directives", src: "# syntax=x\n# escape=`\n", reject: true},
	{name: "only white space", src: " \n\t\n\r\n", reject: true},

	// long lines
	{name: "long line", src: "FROM a\nRUN echo " + strings.Repeat("x", 10000) + "\n"},
	{name: "line just under the scanner limit", src: "FROM a\nRUN echo " + strings.Repeat("x", bkMaxLine-10) + "\n"},

	// the known differences
	{name: "line over the scanner limit", src: "FROM a\nRUN echo " + strings.Repeat("x", bkMaxLine) + "\n", known: "long-line"},
	{name: "non-ASCII in a flag", src: "FROM a\nRUN --mount=id=caf\u00e9 x\n", known: "flag-bytes"},
	{name: "unicode space in a flag", src: "FROM a\nRUN --a\u2003b c\n", known: "flag-bytes"},
	{name: "not UTF-8", src: "FROM a\nRUN echo caf\xe9\n", known: "not-utf8"},
	{name: "deeply nested substitution", src: "FROM a\nRUN cat <<" + strings.Repeat("${A:-", 100) + "x" + strings.Repeat("}", 100) + "\nx\n", known: "limits"},
}

func TestShapes(t *testing.T) {
	if len(shapes) < 40 {
		t.Fatalf("%d shapes, want at least 40", len(shapes))
	}
	seen := map[string]bool{}
	for _, c := range shapes {
		if seen[c.name] {
			t.Fatalf("duplicate shape %q", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) { check(t, []byte(c.src), c.known, c.reject) })
	}
}
