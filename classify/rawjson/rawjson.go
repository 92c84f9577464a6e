// Package rawjson reads the JSON progress stream of BuildKit
// (`docker buildx build --progress=rawjson`, `buildctl build --progress=rawjson`)
// and classifies it with a classify.Matcher.
//
// The stream is one JSON object per line, each a SolveStatus update of
// BuildKit's client package:
//
//	{"vertexes":[{"digest":"sha256:…","name":"[2/5] RUN make","started":"…","completed":"…","error":"…","cached":true}],
//	 "statuses":[{"id":"…","vertex":"sha256:…","current":1,"total":2,"timestamp":"…","completed":"…"}],
//	 "logs":[{"vertex":"sha256:…","stream":1,"data":"<base64>","timestamp":"…"}],
//	 "warnings":[{"vertex":"sha256:…","level":1,"short":"<base64>","detail":["<base64>"],"url":"…"}]}
//
// A Decoder turns each update into the lines BuildKit's plain progress
// printer would show for it ("#5 [2/5] RUN make", "#5 0.412 gcc …",
// "#5 ERROR: …", "#5 DONE 1.2s"), so that the catalog's rules, which are
// written for plain logs, apply unchanged and every issue names the vertex
// as its build step. A Classifier feeds those lines to a classify.Session
// and maps every line number back to the line of the JSON stream it came
// from.
//
// Lines that are not JSON objects (the docker CLI prints its final
// "ERROR: failed to build: …" as text, which ends up in the same stream with
// 2>&1) are passed on as they are. Broken input never stops the decoder: a
// truncated or oversized object, invalid base64 or an unknown field is
// reported as a Warning and the rest of the stream is still read.
package rawjson

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Limits that keep memory bounded whatever the input.
const (
	// MaxObjectBytes is the longest JSON line decoded; a longer one is
	// skipped with a warning.
	MaxObjectBytes = 16 << 20
	// MaxPartialBytes is the longest unfinished log line kept for a vertex
	// while waiting for its newline; longer ones are cut into lines.
	MaxPartialBytes = 1 << 20
	// MaxVertexes is the number of vertexes tracked at once; beyond it the
	// oldest completed ones are forgotten.
	MaxVertexes = 1 << 16
	// MaxWarnings is the number of warnings kept; further ones are counted.
	MaxWarnings = 100
)

// Warning is a problem with the input that did not stop decoding.
type Warning struct {
	Line    int // 1-based line of the JSON stream
	Message string
}

func (w Warning) String() string { return fmt.Sprintf("line %d: %s", w.Line, w.Message) }

// Detect reports whether data, the first bytes of a stream, look like a
// rawjson progress stream: a JSON object whose first key is one of
// SolveStatus's. BuildKit writes the keys in a fixed order and leaves empty
// ones out, so the first key is always one of the four.
func Detect(data []byte) bool {
	data = bytes.TrimLeft(data, " \t\r\n\ufeff")
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(data) == 0 || data[0] != '{' {
		return false
	}
	data = bytes.TrimLeft(data[1:], " \t")
	for _, k := range []string{`"vertexes"`, `"statuses"`, `"logs"`, `"warnings"`} {
		if rest, ok := bytes.CutPrefix(data, []byte(k)); ok {
			rest = bytes.TrimLeft(rest, " \t")
			return len(rest) > 0 && rest[0] == ':'
		}
	}
	return false
}

// vertex is what the decoder remembers of one vertex.
type vertex struct {
	index     int
	name      string
	started   *time.Time
	headed    bool // the "#N name" line was written
	done      bool // the completion line was written
	partial   [3][]byte
	lastTouch int
}

// Decoder turns rawjson lines into plain-progress text lines. It is not
// safe for concurrent use.
type Decoder struct {
	byDigest map[string]*vertex
	next     int
	warnings []Warning
	dropped  int
	unknown  map[string]bool
	line     int
	emit     func(text []byte)
	buf      []byte
	touch    int
}

// NewDecoder returns a decoder; emit receives each text line it produces
// (without newline; the slice is reused after emit returns).
func NewDecoder(emit func(text []byte)) *Decoder {
	return &Decoder{byDigest: map[string]*vertex{}, unknown: map[string]bool{}, emit: emit}
}

// Warnings returns the problems met so far, at most MaxWarnings of them,
// and how many more were left out.
func (d *Decoder) Warnings() ([]Warning, int) { return d.warnings, d.dropped }

func (d *Decoder) warn(format string, args ...any) {
	if len(d.warnings) >= MaxWarnings {
		d.dropped++
		return
	}
	d.warnings = append(d.warnings, Warning{Line: d.line, Message: fmt.Sprintf(format, args...)})
}

// Decode handles one input line, numbered lineNo (1-based), with or
// without its newline.
func (d *Decoder) Decode(lineNo int, line []byte) {
	d.line = lineNo
	line = bytes.TrimSuffix(line, []byte("\n"))
	trimmed := bytes.TrimSuffix(line, []byte("\r"))
	obj := bytes.TrimLeft(trimmed, " \t")
	if lineNo == 1 {
		obj = bytes.TrimPrefix(obj, []byte("\xef\xbb\xbf"))
	}
	if len(obj) == 0 || obj[0] != '{' {
		if len(bytes.TrimSpace(line)) > 0 {
			d.emit(line)
		}
		return
	}
	if len(obj) > MaxObjectBytes {
		d.warn("JSON object of %d bytes skipped (limit %d)", len(obj), MaxObjectBytes)
		return
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(obj, &top); err != nil {
		d.warn("not a complete JSON object, skipped: %s", jsonProblem(err))
		return
	}
	for _, k := range sortedKeys(top) {
		switch k {
		case "vertexes", "statuses", "logs", "warnings":
		default:
			d.unknownField("", k)
		}
	}
	// The order BuildKit's printer applies an update in: vertexes, then
	// statuses, warnings and logs, and completions last.
	var completed []*vertex
	var errs []string
	var cached []bool
	for _, raw := range d.array(top["vertexes"], "vertexes") {
		var v struct {
			Digest    string     `json:"digest"`
			Name      string     `json:"name"`
			Started   *time.Time `json:"started"`
			Completed *time.Time `json:"completed"`
			Cached    bool       `json:"cached"`
			Error     string     `json:"error"`
		}
		if !d.object(raw, "vertexes", &v, "digest", "inputs", "name", "started", "completed", "cached", "error", "progressGroup") {
			continue
		}
		vx := d.vertex(v.Digest)
		if v.Name != "" {
			vx.name = v.Name
		}
		if v.Started != nil && vx.started == nil {
			vx.started = v.Started
		}
		if v.Started != nil || v.Completed != nil {
			d.head(vx)
		}
		if v.Completed != nil && !vx.done {
			completed = append(completed, vx)
			errs = append(errs, v.Error)
			cached = append(cached, v.Cached)
			if v.Started != nil {
				if dt := v.Completed.Sub(*v.Started); dt > 0 {
					errs[len(errs)-1] += "\x00" + fmt.Sprintf(" %.1fs", dt.Seconds())
				}
			}
		}
	}
	for _, raw := range d.array(top["statuses"], "statuses") {
		var s struct {
			ID        string     `json:"id"`
			Vertex    string     `json:"vertex"`
			Current   int64      `json:"current"`
			Total     int64      `json:"total"`
			Started   *time.Time `json:"started"`
			Completed *time.Time `json:"completed"`
		}
		if !d.object(raw, "statuses", &s, "id", "vertex", "name", "total", "current", "timestamp", "started", "completed") {
			continue
		}
		if s.Completed == nil || s.ID == "" {
			continue // BuildKit's printer shows running statuses only now and then
		}
		vx := d.vertex(s.Vertex)
		d.head(vx)
		text := s.ID
		if s.Total != 0 {
			text += fmt.Sprintf(" %d / %d", s.Current, s.Total)
		} else if s.Current != 0 {
			text += fmt.Sprintf(" %d", s.Current)
		}
		if s.Started != nil {
			if dt := s.Completed.Sub(*s.Started).Seconds(); dt > 0.01 {
				text += fmt.Sprintf(" %.1fs", dt)
			}
		}
		d.print(vx, text+" done")
	}
	for _, raw := range d.array(top["warnings"], "warnings") {
		var w struct {
			Vertex string   `json:"vertex"`
			Short  string   `json:"short"`
			Detail []string `json:"detail"`
		}
		if !d.object(raw, "warnings", &w, "vertex", "level", "short", "detail", "url", "sourceInfo", "range") {
			continue
		}
		vx := d.vertex(w.Vertex)
		d.head(vx)
		if short, ok := d.base64(w.Short, "warnings.short"); ok {
			for _, l := range splitLines(short) {
				d.print(vx, "WARN: "+l)
			}
		}
		for _, det := range w.Detail {
			if b, ok := d.base64(det, "warnings.detail"); ok {
				for _, l := range splitLines(b) {
					d.print(vx, l)
				}
			}
		}
	}
	for _, raw := range d.array(top["logs"], "logs") {
		var l struct {
			Vertex    string    `json:"vertex"`
			Stream    int       `json:"stream"`
			Data      string    `json:"data"`
			Timestamp time.Time `json:"timestamp"`
		}
		if !d.object(raw, "logs", &l, "vertex", "stream", "data", "timestamp") {
			continue
		}
		data, ok := d.base64(l.Data, "logs.data")
		if !ok {
			continue
		}
		vx := d.vertex(l.Vertex)
		d.head(vx)
		d.logData(vx, l.Stream, data, l.Timestamp)
	}
	for i, vx := range completed {
		d.flush(vx)
		msg, tm, _ := strings.Cut(errs[i], "\x00")
		switch {
		case msg != "" && strings.HasSuffix(msg, "context canceled"):
			d.print(vx, "CANCELED")
		case msg != "":
			for j, l := range splitLines([]byte(msg)) {
				if j == 0 {
					l = "ERROR: " + l
				}
				d.print(vx, l)
			}
		case cached[i]:
			d.print(vx, "CACHED")
		default:
			d.print(vx, "DONE"+tm)
		}
		vx.done = true
	}
}

// Close writes out unfinished log lines of every vertex, in vertex order.
func (d *Decoder) Close() {
	vs := make([]*vertex, 0, len(d.byDigest))
	for _, v := range d.byDigest {
		vs = append(vs, v)
	}
	sortVertexes(vs)
	for _, v := range vs {
		d.flush(v)
	}
}

func (d *Decoder) logData(vx *vertex, stream int, data []byte, ts time.Time) {
	if stream < 0 || stream > 2 {
		stream = 0
	}
	for len(data) > 0 {
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			if len(vx.partial[stream]) == 0 {
				vx.partial[stream] = append(vx.partial[stream], elapsed(vx, ts)...)
			}
			vx.partial[stream] = append(vx.partial[stream], data...)
			for len(vx.partial[stream]) > MaxPartialBytes {
				d.print(vx, string(vx.partial[stream][:MaxPartialBytes]))
				vx.partial[stream] = append(vx.partial[stream][:0], vx.partial[stream][MaxPartialBytes:]...)
			}
			return
		}
		chunk := data[:nl]
		data = data[nl+1:]
		if p := vx.partial[stream]; len(p) > 0 {
			d.print(vx, string(append(p, chunk...)))
			vx.partial[stream] = p[:0]
			continue
		}
		d.print(vx, elapsed(vx, ts)+string(chunk))
	}
}

// elapsed is the time prefix BuildKit's plain printer puts before a log
// line: seconds since the vertex started, with 3, 2 or 1 decimals.
func elapsed(vx *vertex, ts time.Time) string {
	sec := 0.0
	if vx.started != nil && !ts.IsZero() {
		if dt := ts.Sub(*vx.started).Seconds(); dt > 0 {
			sec = dt
		}
	}
	prec := 1
	if sec < 10 {
		prec = 3
	} else if sec < 100 {
		prec = 2
	}
	return fmt.Sprintf("%.*f ", prec, sec)
}

func (d *Decoder) flush(vx *vertex) {
	for i, p := range vx.partial {
		if len(p) > 0 {
			d.print(vx, string(p))
			vx.partial[i] = p[:0]
		}
	}
}

// head writes the "#N name" line of a vertex the first time it shows.
func (d *Decoder) head(vx *vertex) {
	if vx.headed {
		return
	}
	vx.headed = true
	if vx.name != "" {
		d.print(vx, vx.name)
	}
}

func (d *Decoder) print(vx *vertex, text string) {
	d.buf = fmt.Appendf(d.buf[:0], "#%d %s", vx.index, text)
	d.emit(d.buf)
}

func (d *Decoder) vertex(digest string) *vertex {
	d.touch++
	if v, ok := d.byDigest[digest]; ok {
		v.lastTouch = d.touch
		return v
	}
	if len(d.byDigest) >= MaxVertexes {
		d.forget()
	}
	d.next++
	v := &vertex{index: d.next, lastTouch: d.touch}
	d.byDigest[digest] = v
	return v
}

// forget drops the least recently seen half of the vertexes.
func (d *Decoder) forget() {
	d.warn("more than %d vertexes; the oldest are forgotten", MaxVertexes)
	vs := make([]*vertex, 0, len(d.byDigest))
	for _, v := range d.byDigest {
		vs = append(vs, v)
	}
	cut := sortByTouch(vs)
	for k, v := range d.byDigest {
		if v.lastTouch <= cut {
			d.flush(v)
			delete(d.byDigest, k)
		}
	}
}

// array decodes a JSON array of objects; anything else is a warning.
func (d *Decoder) array(raw json.RawMessage, field string) []json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		d.warn("%q is not a list, skipped: %s", field, jsonProblem(err))
		return nil
	}
	return items
}

// object decodes one array element into v, warning once per unknown key.
func (d *Decoder) object(raw json.RawMessage, field string, v any, known ...string) bool {
	if string(raw) == "null" {
		return false
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		d.warn("an entry of %q is not an object, skipped: %s", field, jsonProblem(err))
		return false
	}
	for _, k := range sortedKeys(keys) {
		if !contains(known, k) {
			d.unknownField(field, k)
		}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		d.warn("an entry of %q has a field of the wrong type, skipped: %s", field, jsonProblem(err))
		return false
	}
	return true
}

func (d *Decoder) unknownField(in, k string) {
	name := k
	if in != "" {
		name = in + "." + k
	}
	if d.unknown[name] || len(d.unknown) >= 64 {
		return
	}
	d.unknown[name] = true
	d.warn("unknown field %q ignored (a newer BuildKit?)", truncate(name, 80))
}

func (d *Decoder) base64(s, field string) ([]byte, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		d.warn("%s is not valid base64, entry skipped: %v", field, err)
		return nil, false
	}
	return b, true
}

func jsonProblem(err error) string {
	switch e := err.(type) {
	case *json.SyntaxError:
		return fmt.Sprintf("%s at byte %d", e.Error(), e.Offset)
	}
	return truncate(err.Error(), 200)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func splitLines(b []byte) []string {
	b = bytes.TrimRight(b, "\n")
	if len(b) == 0 {
		return nil
	}
	return strings.Split(string(b), "\n")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sortVertexes(vs []*vertex) {
	slices.SortFunc(vs, func(a, b *vertex) int { return a.index - b.index })
}

// sortByTouch returns the lastTouch at or below which half of vs lies.
func sortByTouch(vs []*vertex) int {
	slices.SortFunc(vs, func(a, b *vertex) int { return a.lastTouch - b.lastTouch })
	return vs[len(vs)/2].lastTouch
}
