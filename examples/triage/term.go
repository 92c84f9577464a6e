package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// isTerminal reports whether w is a terminal (a character device; /dev/null
// counts too, which does no harm). Tests replace it.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// useColor decides whether to colour what goes to w. NO_COLOR (non-empty)
// wins over everything, then --color; in auto mode CLICOLOR_FORCE forces
// colour, TERM=dumb refuses it, and otherwise w must be a terminal.
func useColor(mode string, w io.Writer, env func(string) string) bool {
	if env("NO_COLOR") != "" || mode == "never" {
		return false
	}
	if mode == "always" {
		return true
	}
	if f := env("CLICOLOR_FORCE"); f != "" && f != "0" {
		return true
	}
	if env("TERM") == "dumb" {
		return false
	}
	return isTerminal(w)
}

// palette colours text with SGR sequences, or leaves it alone when colour is
// off. Only text that has gone through sanitize is ever coloured.
type palette struct{ on bool }

func (p palette) wrap(code, s string) string {
	if !p.on || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p palette) bold(s string) string   { return p.wrap("1", s) }
func (p palette) dim(s string) string    { return p.wrap("2", s) }
func (p palette) red(s string) string    { return p.wrap("1;31", s) }
func (p palette) yellow(s string) string { return p.wrap("33", s) }
func (p palette) cyan(s string) string   { return p.wrap("36", s) }

// sanitize makes text from a log (or a catalog) safe to show: control
// characters, DEL, C1 controls, invalid UTF-8 and the Unicode characters that
// reorder or break lines are written as escapes (\x1b, \r, \n, \u202e), so
// that nothing in a log can drive the terminal or disguise what it says.
// Tabs are kept.
func sanitize(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 && r != '\t', r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return true
		}
		if c >= 0x80 {
			// Check the rest rune by rune.
			for _, r := range s[i:] {
				if r == utf8.RuneError || r < 0x20 && r != '\t' || r == 0x7f || unsafeRune(r) {
					return true
				}
			}
			return false
		}
	}
	return false
}

// unsafeRune reports C1 controls, bidirectional formatting characters and
// Unicode line separators.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x2028, r == 0x2029, r == 0xfeff:
		return true
	}
	return false
}

// prose sanitizes text written in a catalog, such as a remediation, keeping
// its line breaks.
func prose(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = sanitize(strings.TrimRight(l, "\r"))
	}
	return strings.Join(lines, "\n")
}

// wrapText breaks s into lines of at most width columns at spaces. A word
// longer than width has a line of its own.
func wrapText(s string, width int) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			continue
		}
		line := words[0]
		for _, w := range words[1:] {
			if utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) > width {
				lines = append(lines, line)
				line = w
				continue
			}
			line += " " + w
		}
		lines = append(lines, line)
	}
	return lines
}
