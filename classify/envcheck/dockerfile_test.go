package envcheck

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// summary renders the instructions the way these tests compare them: one
// line each, "cmd line-endline", then the flags, the exec form and the
// heredocs when present.
func summary(d *Dockerfile) string {
	var b strings.Builder
	for _, in := range d.Instructions {
		fmt.Fprintf(&b, "%s %d-%d", in.Cmd, in.Line, in.EndLine)
		if len(in.Flags) > 0 {
			fmt.Fprintf(&b, " flags=%q", in.Flags)
		}
		if in.JSON != nil {
			fmt.Fprintf(&b, " json=%q", in.JSON)
		} else if in.Args != "" {
			fmt.Fprintf(&b, " args=%q", in.Args)
		}
		for _, h := range in.Heredocs {
			fmt.Fprintf(&b, " <<%s=%q", h.Name, h.Body)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// The cases are disagreements with BuildKit that examples/dockerfilediff
// found in the earlier parser.
func TestParseDockerfileLikeBuildKit(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"continuation at the end of the file", "FROM a\nRUN echo \\\n",
			"from 1-1 args=\"a\"\nrun 2-2 args=\"echo\"\n"},
		{"continuation then a comment at the end", "FROM a\nRUN echo \\\n# c\n",
			"from 1-1 args=\"a\"\nrun 2-3 args=\"echo\"\n"},
		{"doubled backtick ends no line", "# escape=`\nFROM a\nRUN echo ``\nRUN b\n",
			"from 2-2 args=\"a\"\nrun 3-3 args=\"echo ``\"\nrun 4-4 args=\"b\"\n"},
		{"lone escape starts a continuation", "\\\nFROM a\n",
			"from 1-2 args=\"a\"\n"},
		{"unknown directive ends the directives", "# foo=bar\n# escape=`\nFROM a\nRUN a `\n",
			"from 3-3 args=\"a\"\nrun 4-4 args=\"a `\"\n"},
		{"empty escape value is a comment", "# escape=\nFROM a\nRUN a \\\n b\n",
			"from 2-2 args=\"a\"\nrun 3-4 args=\"a  b\"\n"},
		{"heredoc terminator keeps its tabs without <<-", "FROM a\nRUN <<EOF\n\tEOF\nEOF\n",
			"from 1-1 args=\"a\"\nrun 2-4 args=\"<<EOF\" <<EOF=\"\\tEOF\\n\"\n"},
		{"heredoc names are shell words", "FROM a\nCOPY <<one.sh <<\"t w\" /bin/\n1\none.sh\n2\nt w\n",
			"from 1-1 args=\"a\"\ncopy 2-6 args=\"<<one.sh <<\\\"t w\\\" /bin/\" <<one.sh=\"1\\n\" <<t w=\"2\\n\"\n"},
		{"heredoc glued to a word is none", "FROM a\nRUN cat<<EOF\nhi\nEOF\n",
			"from 1-1 args=\"a\"\nrun 2-2 args=\"cat<<EOF\"\nhi 3-3\neof 4-4\n"},
		{"heredoc marker in quotes is none", "FROM a\nRUN echo \"<<EOF\"\nRUN b\n",
			"from 1-1 args=\"a\"\nrun 2-2 args=\"echo \\\"<<EOF\\\"\"\nrun 3-3 args=\"b\"\n"},
		{"heredoc in ONBUILD", "FROM a\nONBUILD RUN <<EOF\nx\nEOF\n",
			"from 1-1 args=\"a\"\nonbuild 2-4 args=\"RUN <<EOF\" <<EOF=\"x\\n\"\n"},
		{"heredoc in CMD is none", "FROM a\nCMD cat <<EOF\nRUN b\n",
			"from 1-1 args=\"a\"\ncmd 2-2 args=\"cat <<EOF\"\nrun 3-3 args=\"b\"\n"},
		{"quoted flags", "FROM a\nRUN --mount=type=secret,id=\"a b\" --network=none cat x\n",
			"from 1-1 args=\"a\"\nrun 2-2 flags=[\"--mount=type=secret,id=a b\" \"--network=none\"] args=\"cat x\"\n"},
		{"flags end at a bare --", "FROM a\nRUN -- --x\n",
			"from 1-1 args=\"a\"\nrun 2-2 args=\"--x\"\n"},
		{"unicode white space before the instruction", "\u00a0FROM a\n",
			"from 1-1 args=\"a\"\n"},
		{"exec form only where the builder reads it", "FROM a\nEXPOSE [\"80\"]\nHEALTHCHECK --retries=3 CMD [\"curl\", \"x\"]\nCMD []\n",
			"from 1-1 args=\"a\"\nexpose 2-2 args=\"[\\\"80\\\"]\"\nhealthcheck 3-3 flags=[\"--retries=3\"] json=[\"curl\" \"x\"]\ncmd 4-4 json=[]\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := ParseDockerfile("Dockerfile", []byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(d); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestParseDockerfileRefuses(t *testing.T) {
	for _, c := range []struct{ name, src, msg string }{
		{"duplicate directive", "# escape=`\n# ESCAPE=\\\nFROM a\n", "only one escape"},
		{"escape of white space", "# escape= \nFROM a\n", "invalid escape"},
		{"exec form with a number", "FROM a\nCMD [\"a\", 1]\n", "strings only"},
		{"unterminated heredoc", "FROM a\nRUN <<EOF\necho\n", "unterminated heredoc"},
		{"ENV without a value", "FROM a\nENV A\n", "two arguments"},
		{"ENV mixing forms", "FROM a\nENV A=1 B\n", "can't find ="},
		{"ONBUILD trigger error", "FROM a\nONBUILD LABEL x\n", "two arguments"},
		{"empty file", "", "no instructions"},
		{"only comments", "# a\n\n# b\n", "no instructions"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseDockerfile("Dockerfile", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %v, want %q", err, c.msg)
			}
		})
	}
}

func TestStagesSubstitution(t *testing.T) {
	d, err := ParseDockerfile("Dockerfile", []byte("ARG V=\nARG W=1\nARG X\nARG B=img$W\nFROM ${B}${V-x}:${V:-y}\nFROM $X\nFROM ${X:-d}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range d.Stages() {
		got = append(got, st.Image)
	}
	// ${V-x} keeps the empty V, ${V:-y} does not; X has no default: unknown
	if want := "img1:y $X d"; strings.Join(got, " ") != want {
		t.Errorf("images %q, want %q", got, want)
	}
}

// TestStagesArgBomb: each ARG doubling the one before would reach 512 MiB
// from a file of 600 bytes; past maxArgValue the value is unknown instead.
func TestStagesArgBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("ARG A0=xxxxxxxx\n")
	for i := 1; i <= 26; i++ {
		fmt.Fprintf(&b, "ARG A%d=$A%d$A%d\n", i, i-1, i-1)
	}
	b.WriteString("FROM $A26\nFROM $A5\n")
	timed(t, 2*time.Second, func() {
		d, err := ParseDockerfile("Dockerfile", []byte(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		st := d.Stages()
		if len(st) != 2 || st[1].Image != strings.Repeat("x", 8<<5) {
			t.Fatalf("stages %d, second image of %d bytes", len(st), len(st[1].Image))
		}
		if len(st[0].Image) > maxArgValue*2 {
			t.Errorf("first image is %d bytes", len(st[0].Image))
		}
	})
}

func TestParseDockerfileHostileLines(t *testing.T) {
	for _, c := range []struct {
		name    string
		src     string
		refused bool
	}{
		{"blanks after <<", "FROM a\nRUN cat <<" + strings.Repeat(" ", 4<<20) + "EOF\nx\nEOF\n", false},
		{"many heredocs", "FROM a\nRUN cat" + strings.Repeat(" <<E", 90_000) + "\n" + strings.Repeat("E\n", 90_000), false},
		{"deep substitutions", "FROM a\nRUN cat <<" + strings.Repeat("${A:-", 1_000_000) + "\nx\n", true},
		{"deep ONBUILD", "FROM a\n" + strings.Repeat("ONBUILD ", 1_000_000) + "RUN x\n", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			timed(t, 2*time.Second, func() {
				_, err := ParseDockerfile("Dockerfile", []byte(c.src))
				if c.refused != errors.Is(err, ErrRefused) {
					t.Errorf("error %v, want refused=%v", err, c.refused)
				}
				if !c.refused && err != nil {
					t.Error(err)
				}
			})
		})
	}
}
