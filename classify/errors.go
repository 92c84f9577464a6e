package classify

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Sentinel errors. Catalog problems wrap one of these inside a *CatalogError,
// so callers can test for a kind of mistake with errors.Is.
var (
	ErrSyntax          = errors.New("invalid YAML")
	ErrUnknownKey      = errors.New("unknown key")
	ErrBadValue        = errors.New("invalid value")
	ErrMissing         = errors.New("missing required key")
	ErrDuplicateID     = errors.New("duplicate rule id")
	ErrUnknownID       = errors.New("unknown rule id")
	ErrInvalidPattern  = errors.New("invalid pattern")
	ErrUndefinedField  = errors.New("undefined field")
	ErrUndefinedName   = errors.New("undefined definition")
	ErrCycle           = errors.New("cycle")
	ErrExampleFailed   = errors.New("example failed")
	ErrCatalogTooLarge = errors.New("catalog file too large")
	ErrMatchTimeout    = errors.New("match timeout")
	ErrSessionClosed   = errors.New("session is closed")
	ErrSessionBusy     = errors.New("session used by two goroutines at once")
	ErrNilCatalog      = errors.New("nil catalog")
	ErrNilReader       = errors.New("nil reader")
)

// Pos is a position in a catalog file. Line and Column are 1-based; a zero
// Pos means the value was built in Go rather than read from a file.
type Pos struct {
	File   string
	Line   int
	Column int
}

// String returns "file:line:col", leaving out the parts that are unknown.
func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Column == 0 && p.File == "":
		return fmt.Sprintf("%d", p.Line)
	case p.Column == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	case p.File == "":
		return fmt.Sprintf("%d:%d", p.Line, p.Column)
	default:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
	}
}

// Before reports whether p comes before q: by file, then line, then column.
func (p Pos) Before(q Pos) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Column < q.Column
}

// CatalogError is one problem in a catalog, with the place it was found and
// the rule it belongs to (empty for catalog-wide problems).
type CatalogError struct {
	Pos  Pos
	Rule string
	Err  error
}

func (e *CatalogError) Error() string {
	var b strings.Builder
	if s := e.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	if e.Rule != "" {
		b.WriteString("rule ")
		b.WriteString(e.Rule)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *CatalogError) Unwrap() error { return e.Err }

// ErrorList is every problem found in a catalog, sorted by position, so that a
// user can fix them all in one go. Its Error method prints one per line.
type ErrorList []*CatalogError

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap lets errors.Is and errors.As look at every error in the list.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// Err returns nil for an empty list and otherwise the list sorted, with
// repeats of the same problem at the same place removed (a value checked
// when a file is parsed is checked again when the catalog is compiled).
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	l.sort()
	out := l[:1]
	for _, e := range l[1:] {
		last := out[len(out)-1]
		if e.Pos == last.Pos && e.Rule == last.Rule && e.Err.Error() == last.Err.Error() {
			continue
		}
		out = append(out, e)
	}
	return out
}

func (l ErrorList) sort() {
	sort.SliceStable(l, func(i, j int) bool { return l[i].Pos.Before(l[j].Pos) })
}

// errorf appends a positioned error for rule id that wraps the sentinel kind.
func (l *ErrorList) add(pos Pos, rule string, kind error, format string, args ...any) {
	err := kind
	if format != "" {
		err = fmt.Errorf("%w: %s", kind, fmt.Sprintf(format, args...))
	}
	*l = append(*l, &CatalogError{Pos: pos, Rule: rule, Err: err})
}
