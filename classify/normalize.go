package classify

import "bytes"

// This file turns one raw line segment into the text that rules match. The
// raw segment is kept for evidence; only the normalised copy is matched.
//
// In order:
//  1. ANSI escape sequences are removed: CSI (ESC [ … final), OSC (ESC ] …
//     BEL or ESC \), two-byte escapes, and the ESC-less colour remnants such
//     as "[91m" and "[0m" that some registries' logs keep after losing the
//     ESC byte.
//  2. Up to four leading prefixes are removed, in any order: timestamps
//     (RFC 3339 as in "2025-02-16T00:22:57.123Z ", "2020/05/24 04:28:34 ",
//     "22:30:26 "), BuildKit plain-progress prefixes ("#8 ", "#8 46.25 ") and
//     BuildKit's TTY prefixes ("=> => # "), and the "0.928 " or "46.80 "
//     elapsed-time prefix of BuildKit's error summary; the prefixes other
//     tools put in front of a build's lines: Azure Pipelines' and GitHub's
//     "##[warning]" ("##[error]" is kept: rules match it), "[stderr] " and
//     "[stdout] ", Python logging's "ERROR:azureml.core:" and the level after
//     its default "2024-01-02 03:04:05,678 " stamp ("ERROR ", "- ERROR - ",
//     "[ERROR] "), and docker compose's "web-1  | " (a service with a replica
//     number, padded, then "| ").
//
// Splitting a line at bare carriage returns happens before this, in the
// detector (detect.go): each segment is normalised once and matched on its
// own.

// normalize returns the text rules match for the raw segment seg, and the
// BuildKit vertex number of a "#N " prefix (-1 when there is none). The text
// is a part of seg, or, when escapes had to be removed, a suffix of what it
// appended to buf; it returns buf grown.
func normalize(buf, seg []byte) (text []byte, vertex int, grown []byte) {
	if bytes.IndexByte(seg, 0x1b) >= 0 || hasRemnant(seg) {
		start := len(buf)
		buf = stripANSI(buf, seg)
		text, vertex = stripPrefixes(buf[start:])
		return text, vertex, buf
	}
	text, vertex = stripPrefixes(seg)
	return text, vertex, buf
}

// Normalize returns the text that rules match for one raw line segment: ANSI
// escapes and log prefixes removed. It is exported for tools that explain a
// match; the detector does the same without allocating.
func Normalize(line string) string {
	return string(AppendNormalize(nil, []byte(line)))
}

// AppendNormalize appends the normalised form of line to dst and returns
// the extended buffer; with a dst of enough capacity it allocates nothing.
// It is the detector's own normalisation, for services that match lines of
// their own next to a Matcher.
func AppendNormalize(dst, line []byte) []byte {
	start := len(dst)
	text, _, grown := normalize(dst, line)
	if len(grown) > start { // text is a suffix of grown[start:]: copy it down
		return append(grown[:start], text...)
	}
	return append(dst, text...)
}

// hasRemnant reports whether b may hold an ESC-less colour code like "[91m".
func hasRemnant(b []byte) bool {
	for {
		i := bytes.IndexByte(b, '[')
		if i < 0 {
			return false
		}
		if remnantLen(b[i:]) > 0 {
			return true
		}
		b = b[i+1:]
	}
}

// remnantLen returns the length of an SGR code without its ESC ("[0m",
// "[1;31m") at the start of b, or 0.
func remnantLen(b []byte) int {
	if len(b) < 3 || b[0] != '[' {
		return 0
	}
	for j := 1; j < len(b) && j < 16; j++ {
		c := b[j]
		switch {
		case c >= '0' && c <= '9', c == ';':
		case c == 'm' && j > 1:
			return j + 1
		default:
			return 0
		}
	}
	return 0
}

// stripANSI appends src to dst without escape sequences.
func stripANSI(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		c := src[i]
		if c == '[' {
			if k := remnantLen(src[i:]); k > 0 {
				i += k
				continue
			}
		}
		if c != 0x1b {
			dst = append(dst, c)
			i++
			continue
		}
		if i+1 >= len(src) {
			break // a lone ESC at the end
		}
		switch src[i+1] {
		case '[': // CSI: parameters and intermediates, then one final byte
			j := i + 2
			for j < len(src) && src[j] >= 0x20 && src[j] <= 0x3f {
				j++
			}
			if j < len(src) && src[j] >= 0x40 && src[j] <= 0x7e {
				j++
			}
			i = j
		case ']', 'P', '_', '^': // OSC and other strings: up to BEL or ESC \
			j := i + 2
			for j < len(src) {
				if src[j] == 0x07 {
					j++
					break
				}
				if src[j] == 0x1b && j+1 < len(src) && src[j+1] == '\\' {
					j += 2
					break
				}
				j++
			}
			i = j
		default: // two-byte escape such as ESC ( B or ESC =
			j := i + 2
			if src[i+1] >= 0x20 && src[i+1] <= 0x2f && j < len(src) { // ESC ( B: one more byte
				j++
			}
			i = j
		}
	}
	return dst
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// digits returns how many ASCII digits b starts with.
func digits(b []byte) int {
	i := 0
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

// stripPrefixes removes the log prefixes described above.
func stripPrefixes(b []byte) ([]byte, int) {
	vertex := -1
	for round := 0; round < 4 && len(b) > 0; round++ {
		var k int
		switch c := b[0]; {
		case c == '#':
			var v int
			k, v = buildkitPrefix(b)
			if k > 0 {
				vertex = v
			} else if bytes.HasPrefix(b, []byte("##[warning]")) {
				k = len("##[warning]")
			}
		case isDigit(c):
			k = timestampPrefix(b)
			if k > 0 && commaMillis(b[:k]) {
				k += levelAfterStamp(b[k:])
			}
			if k == 0 {
				k = elapsedPrefix(b)
			}
			if k == 0 {
				k = composePrefix(b)
			}
		case c == '[':
			// "[2024-05-01 10:00:00] " or "[10:00:00] "
			if t := timestampCore(b[1:]); t > 0 && 1+t < len(b) && b[1+t] == ']' {
				k = separator(b, 2+t)
			} else if bytes.HasPrefix(b, []byte("[stderr] ")) || bytes.HasPrefix(b, []byte("[stdout] ")) {
				k = len("[stderr] ")
			}
		case c >= 'A' && c <= 'Z':
			k = loggerPrefix(b)
			if k == 0 {
				k = composePrefix(b)
			}
		case c >= 'a' && c <= 'z':
			k = composePrefix(b)
		case c == '=':
			k = ttyPrefix(b)
		}
		if k == 0 {
			break
		}
		b = b[k:]
	}
	return b, vertex
}

// buildkitPrefix matches "#12 " optionally followed by an elapsed time
// "46.25 ", and returns its length and the vertex number.
func buildkitPrefix(b []byte) (int, int) {
	n := digits(b[1:])
	if n == 0 || n > 6 || 1+n >= len(b) || b[1+n] != ' ' {
		return 0, -1
	}
	v := 0
	for _, c := range b[1 : 1+n] {
		v = v*10 + int(c-'0')
	}
	k := 1 + n + 1
	// elapsed seconds: 0.123, 12.34, 301.2, or a bare integer
	if d := digits(b[k:]); d > 0 && d <= 6 {
		j := k + d
		if j < len(b) && b[j] == '.' {
			if f := digits(b[j+1:]); f > 0 {
				j += 1 + f
			}
		}
		if j < len(b) && b[j] == ' ' {
			k = j + 1
		}
	}
	return k, v
}

// elapsedPrefix matches the elapsed-time prefix of BuildKit's error summary
// ("0.928 ", "46.80 ", "470.5 "): digits, a dot, one to three digits, and
// one space.
func elapsedPrefix(b []byte) int {
	d := digits(b)
	if d == 0 || d > 6 || d+2 >= len(b) || b[d] != '.' {
		return 0
	}
	f := digits(b[d+1:])
	k := d + 1 + f
	if f == 0 || f > 3 || k >= len(b) || b[k] != ' ' {
		return 0
	}
	return k + 1 // one space: what follows keeps its indentation
}

// timestampPrefix matches a leading timestamp and the separator after it:
//
//	2025-02-16T00:22:57.1348805Z   2025-02-16 00:22:57,123+02:00
//	2020/05/24 04:28:34            22:30:26   22:30:26.123
//
// followed by an optional ':' and at least one space (or the end of b).
func timestampPrefix(b []byte) int {
	t := timestampCore(b)
	if t == 0 {
		return 0
	}
	return separator(b, t)
}

// separator returns the index after an optional ':' and the blanks that
// follow k, or 0 when no blank (or end of line) follows.
func separator(b []byte, k int) int {
	if k < len(b) && b[k] == ':' {
		k++
	}
	if k == len(b) {
		return k
	}
	if b[k] != ' ' && b[k] != '\t' {
		return 0
	}
	for k < len(b) && (b[k] == ' ' || b[k] == '\t') {
		k++
	}
	return k
}

// timestampCore returns the length of the timestamp b starts with, or 0.
func timestampCore(b []byte) int {
	k := 0
	if len(b) >= 10 && digits(b) == 4 && (b[4] == '-' || b[4] == '/') && digits(b[5:]) == 2 && b[7] == b[4] && digits(b[8:]) == 2 {
		k = 10
		if k < len(b) && (b[k] == 'T' || b[k] == ' ') {
			if t := clockPrefix(b[k+1:]); t > 0 {
				k += 1 + t
			} else if b[k] == 'T' {
				return 0
			}
		}
	} else if t := clockPrefix(b); t > 0 {
		k = t
	} else {
		return 0
	}
	if k < len(b) && (b[k] == '.' || b[k] == ',') {
		if f := digits(b[k+1:]); f > 0 {
			k += 1 + f
		}
	}
	if k < len(b) && b[k] == 'Z' {
		k++
	} else if k+3 <= len(b) && (b[k] == '+' || b[k] == '-') && digits(b[k+1:]) >= 2 {
		j := k + 3
		if j < len(b) && b[j] == ':' {
			j++
		}
		if digits(b[j:]) >= 2 {
			k = j + 2
		}
	}
	return k
}

// clockPrefix matches HH:MM:SS.
func clockPrefix(b []byte) int {
	if len(b) >= 8 && digits(b) == 2 && b[2] == ':' && digits(b[3:]) == 2 && b[5] == ':' && digits(b[6:]) == 2 {
		return 8
	}
	return 0
}

// ttyPrefix matches BuildKit's TTY display prefixes "=> => # " and "=> # ".
func ttyPrefix(b []byte) int {
	k := 0
	for bytes.HasPrefix(b[k:], []byte("=> ")) {
		k += 3
	}
	if k > 0 && bytes.HasPrefix(b[k:], []byte("# ")) {
		return k + 2
	}
	return 0
}

// levelLen returns the length of the Python logging level name (DEBUG,
// INFO, WARNING, WARN, ERROR, CRITICAL, FATAL) that b starts with, or 0.
func levelLen(b []byte) int {
	var l string
	if len(b) < 4 {
		return 0
	}
	switch b[0] { // most lines start with none of these: one comparison
	case 'D':
		l = "DEBUG"
	case 'I':
		l = "INFO"
	case 'W':
		l = "WARNING"
		if len(b) < len(l) || string(b[:len(l)]) != l {
			l = "WARN"
		}
	case 'E':
		l = "ERROR"
	case 'C':
		l = "CRITICAL"
	case 'F':
		l = "FATAL"
	default:
		return 0
	}
	if len(b) >= len(l) && string(b[:len(l)]) == l {
		return len(l)
	}
	return 0
}

// loggerPrefix matches Python logging's default format "LEVEL:logger:"
// ("ERROR:azureml._restclient:", "INFO:root:"): a level, a colon, a dotted
// logger name without blanks, a colon.
func loggerPrefix(b []byte) int {
	n := levelLen(b)
	if n == 0 || n >= len(b) || b[n] != ':' {
		return 0
	}
	j := n + 1
	start := j
	for j < len(b) && (b[j] == '_' || b[j] == '.' || b[j] == '-' || isDigit(b[j]) || b[j]|0x20 >= 'a' && b[j]|0x20 <= 'z') {
		j++
	}
	if j == start || j >= len(b) || b[j] != ':' || b[start] == '.' || b[start] == '-' {
		return 0
	}
	return j + 1
}

// commaMillis reports whether the stamp holds Python logging's ",123"
// milliseconds (wget's "2024-03-05 09:12:44 ERROR 403:" has none).
func commaMillis(stamp []byte) bool {
	i := bytes.IndexByte(stamp, ',')
	return i > 0 && digits(stamp[i+1:]) == 3
}

// levelAfterStamp matches the level that follows a logging stamp: "ERROR ",
// "- ERROR - ", "[ERROR] ", "ERROR: ".
func levelAfterStamp(b []byte) int {
	k := 0
	if len(b) >= 2 && b[0] == '-' && b[1] == ' ' {
		k = 2
	}
	bracket := k < len(b) && b[k] == '['
	if bracket {
		k++
	}
	n := levelLen(b[k:])
	if n == 0 {
		return 0
	}
	k += n
	if bracket {
		if k >= len(b) || b[k] != ']' {
			return 0
		}
		k++
	}
	switch {
	case k+3 <= len(b) && string(b[k:k+3]) == " - ":
		return k + 3
	case k+2 <= len(b) && b[k] == ':' && b[k+1] == ' ':
		return k + 2
	case k+1 <= len(b) && b[k] == ' ':
		return k + 1
	}
	return 0
}

// composePrefix matches docker compose's service prefix: a name ending in a
// replica number ("web-1", "app_1", "proj-web-1"), blanks, "| ".
func composePrefix(b []byte) int {
	j := 0
	for j < len(b) && j < 64 && nameByte[b[j]] {
		j++
	}
	if j < 2 || j >= len(b) || b[j] != ' ' || !isDigit(b[j-1]) {
		return 0 // the common case: a word not followed by a blank, or not ending in a digit
	}
	d := 0
	for d < j && isDigit(b[j-1-d]) {
		d++
	}
	if d == j || (b[j-1-d] != '-' && b[j-1-d] != '_') {
		return 0
	}
	k := j
	for k < len(b) && b[k] == ' ' {
		k++
	}
	if k+1 >= len(b) || b[k] != '|' || b[k+1] != ' ' {
		return 0
	}
	return k + 2
}

// nameByte marks the bytes of a compose service name: letters, digits, "_",
// "-" and ".".
var nameByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c == '_' || c == '-' || c == '.' || c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z'
	}
	return t
}()
