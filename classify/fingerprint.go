package classify

import (
	"strings"
	"unicode/utf8"
)

// This file gives a log line a fingerprint: the line with what varies from
// one build to the next masked, so that the same failure in two builds has
// the same fingerprint and different failures keep different ones.

// Masks a fingerprint uses in place of the variable parts of a line.
const (
	MaskNumber  = "<n>"    // a run of digits: 42, exit code 137, 3 in "python3"
	MaskVersion = "<ver>"  // digits with dots: 1.2.3, 3.11, 10.0.0.1, v2.0.1-rc1
	MaskHex     = "<hex>"  // a hex id or hash of 7 or more digits, a UUID, the value after "ID:"
	MaskPath    = "<path>" // a file path: /usr/lib/x.so, ./src/a.c, C:\x\y, src/a.go
	MaskURL     = "<url>"  // scheme://… up to white space or a closing quote
	MaskHost    = "<host>" // a lower-case host name: github.com, files.pythonhosted.org
	MaskTime    = "<ts>"   // dates and times: 2024-05-01T10:00:00Z, 10:00:01.5
	MaskTemp    = "<tmp>"  // temporary names: tmpab12cd, pip-install-k2j3h4l5
	MaskQuoted  = "<q>"    // what a pair of quotes holds ('x', "x", `x`, ‘x’, “x”)
)

// Fingerprint returns line with its variable parts masked: numbers,
// versions, hex ids and hashes, paths, URLs, host names, timestamps, temporary names
// and quoted names (see the Mask constants; quote characters are kept around
// MaskQuoted). Runs of white space become one space and the result is
// trimmed. It does not normalise the line: give it the text rules match
// (Normalize) for fingerprints that ignore ANSI escapes and BuildKit
// prefixes.
func Fingerprint(line string) string {
	var b strings.Builder
	b.Grow(len(line))
	space := false
	for i := 0; i < len(line); {
		c := line[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			space = true
			i++
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		atWord := i == 0 || !isWordByte(line[i-1])
		if atWord {
			if n := quotedLen(line, i); n > 0 {
				q, qn := utf8.DecodeRuneInString(line[i:])
				_ = q
				b.WriteString(line[i : i+qn])
				b.WriteString(MaskQuoted)
				_, cn := utf8.DecodeLastRuneInString(line[:i+n])
				b.WriteString(line[i+n-cn : i+n])
				i += n
				continue
			}
			if n := urlLen(line, i); n > 0 {
				b.WriteString(MaskURL)
				i += n
				continue
			}
			if n := timeLen(line, i); n > 0 {
				b.WriteString(MaskTime)
				i += n
				continue
			}
			if n := pathLen(line, i); n > 0 {
				b.WriteString(MaskPath)
				i += n
				continue
			}
			if n := uuidLen(line[i:]); n > 0 {
				b.WriteString(MaskHex)
				i += n
				continue
			}
			if n := hostLen(line[i:]); n > 0 {
				b.WriteString(MaskHost)
				i += n
				continue
			}
			if isWordByte(c) && afterID(line, i) {
				j := i
				for j < len(line) && (isWordByte(line[j]) || line[j] == '-') {
					j++
				}
				b.WriteString(MaskHex)
				i = j
				continue
			}
			if n := versionLen(line, i); n > 0 {
				b.WriteString(MaskVersion)
				i += n
				continue
			}
		}
		if isWordByte(c) {
			j := i
			for j < len(line) && isWordByte(line[j]) {
				j++
			}
			w := line[i:j]
			// a version glued to a name: python3.11, libssl1.1
			if k := len(w) - trailingDigits(w); k > 0 && k < len(w) && !isHexID(w) {
				if n := versionLen(line, i+k); n > 0 {
					maskWord(&b, w[:k])
					b.WriteString(MaskVersion)
					i += k + n
					continue
				}
			}
			maskWord(&b, w)
			i = j
			continue
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// closers maps an opening quote to its closing quote.
var closers = [...][2]string{{"'", "'"}, {`"`, `"`}, {"`", "`"}, {"‘", "’"}, {"“", "”"}, {"`", "'"}}

// quotedLen returns the length of a quoted span starting at line[i] (both
// quotes included), or 0: the closing quote must end a word and come within
// 200 bytes.
func quotedLen(line string, i int) int {
	for _, q := range closers {
		if !strings.HasPrefix(line[i:], q[0]) {
			continue
		}
		start := i + len(q[0])
		rest := line[start:]
		if len(rest) > 200 {
			rest = rest[:200]
		}
		for off := 0; ; {
			k := strings.Index(rest[off:], q[1])
			if k < 0 {
				break
			}
			end := start + off + k + len(q[1])
			if off+k > 0 && (end >= len(line) || !isWordByte(line[end])) {
				return end - i
			}
			off += k + len(q[1])
		}
	}
	return 0
}

// urlLen returns the length of a URL at line[i], or 0.
func urlLen(line string, i int) int {
	j := i
	for j < len(line) && (isAlpha(line[j]) || j > i && (isDigit(line[j]) || line[j] == '+' || line[j] == '.' || line[j] == '-')) {
		j++
	}
	if j == i || j-i > 12 || !strings.HasPrefix(line[j:], "://") {
		return 0
	}
	j += 3
	for j < len(line) {
		c := line[j]
		if c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '`' || c == '>' || c == ')' || c == ']' {
			break
		}
		j++
	}
	for j > i && strings.IndexByte(".,;:", line[j-1]) >= 0 { // sentence punctuation
		j--
	}
	return j - i
}

// fpDigits returns how many digits start s.
func fpDigits(s string) int {
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	return n
}

func trailingDigits(w string) int {
	n := 0
	for n < len(w) && isDigit(w[len(w)-1-n]) {
		n++
	}
	return n
}

// versionLen returns the length of a version at line[i], or 0: an optional
// v, digits with at least one dot (1.2, 10.0.0.1, 1:2.3 with a Debian
// epoch), and suffixes that hold a digit (-rc1, +cu121, -1ubuntu2).
func versionLen(line string, i int) int {
	s := line[i:]
	j := 0
	if len(s) > 1 && (s[0] == 'v' || s[0] == 'V') && isDigit(s[1]) {
		j = 1
	}
	n := fpDigits(s[j:])
	if n == 0 {
		return 0
	}
	j += n
	if j+1 < len(s) && s[j] == ':' && isDigit(s[j+1]) && n <= 2 { // epoch
		if k := j + 1 + fpDigits(s[j+1:]); k < len(s) && s[k] == '.' {
			j = k
		}
	}
	dots := 0
	for j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]) {
		j += 1 + fpDigits(s[j+1:])
		dots++
	}
	if dots == 0 {
		return 0
	}
	for j+1 < len(s) && (s[j] == '-' || s[j] == '+' || s[j] == '~' || s[j] == '.') {
		k := j + 1
		hasDigit := false
		for k < len(s) && (isAlpha(s[k]) || isDigit(s[k])) {
			hasDigit = hasDigit || isDigit(s[k])
			k++
		}
		if !hasDigit || k == j+1 {
			break
		}
		j = k
	}
	if k := alphaRun(s[j:]); k > 0 && k <= 5 && fpDigits(s[j+k:]) > 0 { // 2.0.0rc1, 1.2b3
		j += k + fpDigits(s[j+k:])
	}
	if j < len(s) && isWordByte(s[j]) {
		return 0
	}
	return j
}

func alphaRun(s string) int {
	n := 0
	for n < len(s) && isAlpha(s[n]) {
		n++
	}
	return n
}

// uuidLen returns 36 if a UUID starts s and ends a word, or 0.
func uuidLen(s string) int {
	if len(s) < 36 || len(s) > 36 && isWordByte(s[36]) {
		return 0
	}
	for i := 0; i < 36; i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return 0
			}
		} else if !isHex(s[i]) {
			return 0
		}
	}
	return 36
}

// tlds are the last labels that make a dotted lower-case word a host name.
var tlds = [...]string{"com", "org", "net", "io", "dev", "co", "cloud", "ai", "app", "edu", "gov", "local", "internal", "sh", "us", "uk", "de", "cn", "fr", "jp", "in", "eu", "ru", "me", "info", "biz", "xyz", "tech", "site"}

// hostLen returns the length of a host name at the start of s (lower-case
// labels joined by dots, ending in a common top-level domain), or 0.
func hostLen(s string) int {
	j, last, labels := 0, 0, 0
	for {
		k := j
		for k < len(s) && (s[k] >= 'a' && s[k] <= 'z' || isDigit(s[k]) || s[k] == '-') {
			k++
		}
		if k == j {
			return 0
		}
		labels++
		last = j
		j = k
		if j+1 < len(s) && s[j] == '.' && (s[j+1] >= 'a' && s[j+1] <= 'z' || isDigit(s[j+1])) {
			j++
			continue
		}
		break
	}
	if labels < 2 || j < len(s) && (isWordByte(s[j]) || s[j] == '/') {
		return 0
	}
	for _, t := range tlds {
		if s[last:j] == t {
			return j
		}
	}
	return 0
}

// afterID reports whether line[:i] ends with an "ID: ", "id=" or "ID " label,
// whose value is an id to mask whatever its shape.
func afterID(line string, i int) bool {
	j := i
	for j > 0 && line[j-1] == ' ' {
		j--
	}
	if j > 0 && (line[j-1] == ':' || line[j-1] == '=') {
		j--
	} else if j == i {
		return false
	}
	return j >= 2 && (line[j-2] == 'I' || line[j-2] == 'i') && (line[j-1] == 'D' || line[j-1] == 'd') &&
		(j == 2 || !isWordByte(line[j-3]))
}

// timeLen returns the length of a date, a date and time, or a clock time at
// line[i], or 0.
func timeLen(line string, i int) int {
	s := line[i:]
	j := 0
	if fpDigits(s) == 4 && len(s) >= 10 && (s[4] == '-' || s[4] == '/') && fpDigits(s[5:]) == 2 && s[7] == s[4] && fpDigits(s[8:]) == 2 {
		j = 10
		if len(s) > j+1 && (s[j] == 'T' || s[j] == ' ') && clockLen(s[j+1:]) > 0 {
			j += 1 + clockLen(s[j+1:])
		}
	} else if n := clockLen(s); n > 0 {
		j = n
	} else {
		return 0
	}
	// zone: Z, +02:00, -0700
	if j < len(s) && s[j] == 'Z' {
		j++
	} else if j < len(s) && (s[j] == '+' || s[j] == '-') && fpDigits(s[j+1:]) >= 2 {
		k := j + 1 + fpDigits(s[j+1:])
		if k < len(s) && s[k] == ':' && fpDigits(s[k+1:]) == 2 {
			k += 3
		}
		j = k
	}
	if j < len(s) && isWordByte(s[j]) {
		return 0
	}
	return j
}

// clockLen returns the length of hh:mm:ss(.frac) at the start of s, or 0.
func clockLen(s string) int {
	h := fpDigits(s)
	if h < 1 || h > 2 || len(s) < h+6 || s[h] != ':' || fpDigits(s[h+1:]) != 2 || s[h+3] != ':' || fpDigits(s[h+4:]) != 2 {
		return 0
	}
	j := h + 6
	if j+1 < len(s) && (s[j] == '.' || s[j] == ',') && fpDigits(s[j+1:]) > 0 {
		j += 1 + fpDigits(s[j+1:])
	}
	return j
}

func isPathByte(c byte) bool {
	return isWordByte(c) || c == '/' || c == '\\' || c == '.' || c == '-' || c == '+' || c == '~' || c == '@' || c == '%' || c == '='
}

// pathLen returns the length of a file path at line[i], or 0. A path starts
// with /, ./, ../, ~/ or a drive letter, or is a word with a slash between
// letters (src/main.go); it stops before a colon, so "a.c:12:3" keeps its
// line numbers apart.
func pathLen(line string, i int) int {
	s := line[i:]
	rooted := s[0] == '/' || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") || strings.HasPrefix(s, "~/") ||
		len(s) > 2 && isAlpha(s[0]) && s[1] == ':' && (s[2] == '\\' || s[2] == '/')
	j := 0
	if rooted && len(s) > 2 && s[1] == ':' {
		j = 2
	}
	slash, letter := false, false
	for j < len(s) && isPathByte(s[j]) {
		if s[j] == '/' || s[j] == '\\' {
			slash = true
		} else if isAlpha(s[j]) {
			letter = true
		}
		j++
	}
	for j > 0 && (s[j-1] == '.' || s[j-1] == ',') { // sentence punctuation
		j--
	}
	if rooted && j > 1 || slash && letter && !rooted {
		if !rooted && (s[0] == '-' || s[0] == '=' || strings.HasPrefix(s, "and/") || strings.HasPrefix(s, "or/")) {
			return 0
		}
		return j
	}
	return 0
}

// maskWord writes the word w (letters, digits, underscores) masked: a hex
// id, a temporary name, and the digit runs in it.
func maskWord(b *strings.Builder, w string) {
	if isHexID(w) {
		b.WriteString(MaskHex)
		return
	}
	if isTempName(w) {
		b.WriteString(MaskTemp)
		return
	}
	for i := 0; i < len(w); {
		if !isDigit(w[i]) {
			b.WriteByte(w[i])
			i++
			continue
		}
		b.WriteString(MaskNumber)
		i += fpDigits(w[i:])
	}
}

// isHexID reports whether w is a hex id: 7 or more hex digits with at least
// one digit and one letter, or 12 or more digits.
func isHexID(w string) bool {
	if len(w) < 7 {
		return false
	}
	d, l := 0, 0
	for i := 0; i < len(w); i++ {
		switch {
		case isDigit(w[i]):
			d++
		case isHex(w[i]):
			l++
		default:
			return false
		}
	}
	return d > 0 && l > 0 || d >= 12
}

// isTempName reports whether w looks like a generated name: tmp or temp
// followed by letters and digits, or 6 or more characters mixing at least
// two digits with letters after a lower-case start that no dictionary word
// has (a digit between letters twice).
func isTempName(w string) bool {
	lw := strings.ToLower(w)
	for _, p := range [...]string{"tmp", "temp"} {
		if strings.HasPrefix(lw, p) && len(w) >= len(p)+4 {
			return true
		}
	}
	if len(w) < 6 {
		return false
	}
	// letter-digit alternations: k2j3h4 has many, python3 or x86_64 few.
	switches, d := 0, 0
	for i := 1; i < len(w); i++ {
		if isDigit(w[i]) {
			d++
		}
		if isDigit(w[i]) != isDigit(w[i-1]) {
			switches++
		}
	}
	return d >= 2 && switches >= 4
}
