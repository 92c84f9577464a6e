package envcheck

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Limits on hostile input. A definition file beyond them is refused with a
// positioned error; nothing is read past MaxFileBytes.
const (
	MaxFileBytes       = 8 << 20 // per file
	MaxDockerfileLines = 100_000
	MaxNestingDepth    = 64
	MaxFiles           = 256 // files loaded for one definition
	MaxIncludeDepth    = 8   // -r includes in requirements files
)

// Pos is a place in a definition file: 1-based line and column (column
// counted in bytes). Line 0 means the whole file.
type Pos struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Error is a definition file that could not be read or parsed, at a position.
type Error struct {
	Pos     Pos
	Msg     string
	refused bool
	// notUTF8 holds the first byte that is not UTF-8, for a file refused
	// for its encoding (a finding of its own: conda fails the same way).
	notUTF8 string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Unwrap gives ErrRefused for input refused by a limit.
func (e *Error) Unwrap() error {
	if e.refused {
		return ErrRefused
	}
	return nil
}

// ErrRefused is wrapped by errors for input refused by a limit.
var ErrRefused = errors.New("refused")

func refuse(p Pos, format string, args ...any) error {
	return &Error{Pos: p, Msg: fmt.Sprintf(format, args...), refused: true}
}

// posAt gives the line and column of byte offset off in b.
func posAt(file string, b []byte, off int) Pos {
	line := 1 + bytes.Count(b[:off], []byte{'\n'})
	col := off - (bytes.LastIndexByte(b[:off], '\n') + 1) + 1
	return Pos{File: file, Line: line, Column: col}
}

// checkText refuses data that is not valid UTF-8, at the first bad byte.
func checkText(file string, b []byte) error {
	if utf8.Valid(b) {
		return nil
	}
	off := 0
	for off < len(b) {
		r, n := utf8.DecodeRune(b[off:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		off += n
	}
	return &Error{Pos: posAt(file, b, off), Msg: fmt.Sprintf("not valid UTF-8 (byte 0x%02x)", b[off]), notUTF8: fmt.Sprintf("0x%02x", b[off])}
}
