package classify

import (
	"bytes"
	"fmt"
	"strings"
	"unsafe"

	"github.com/dlclark/regexp2/v2"
)

// This file is the detect stage: it matches one line. It splits the line at
// bare carriage returns, normalises each segment once, notes build-step
// headers, asks the prefilter which patterns could match, and runs only
// those. What it finds is written down as segments and events; a Session
// applies them in order (apply stage), and never splits or normalises a line
// again (except the handful kept raw to score a failed build's likely error
// lines, outcome.go). Keeping this stage free of the session's state lets parallel
// workers run it on many lines at once, and the sequential and parallel
// scans, Explain and the example checks all share every line of it.

type eventKind uint8

const (
	evStep     eventKind = iota // a build-step header
	evHit                       // a rule's pattern matched
	evWarn                      // a match timed out
	evKeyBegin                  // a private key block starts
	evKeyEnd                    // a private key block ends
)

// event is something found in one segment.
type event struct {
	kind   eventKind
	rule   int32
	pat    int32 // the start pattern that matched
	fields map[string]string
	text   string // the step header (masked and cut), or the warning
}

// segment is one part of a line between bare carriage returns, as the
// detector saw it: where it is in the raw line, where its normalised text
// is, and the events found in it. Offsets, not slices, so a batch of
// segments holds no pointers and can be kept for a whole block.
type segment struct {
	line         int32 // index of the line in the batch
	rawOff       int32 // the raw segment is line[rawOff:rawEnd]
	rawEnd       int32
	textOff      int32 // the normalised text is line[textOff:textEnd], or
	textEnd      int32 // buf[textOff:textEnd] when inBuf
	inBuf        bool
	vertex       int32 // BuildKit vertex of a "#N " prefix, or -1
	events, nEvs int32 // this segment's events are events[events:events+nEvs]
}

// batch is what the detector found in a run of lines: a line for a
// Session.Feed, or a block of a parallel scan.
type batch struct {
	segs   []segment
	events []event
	buf    []byte  // normalised text of segments that had to be rewritten
	hot    []int32 // the lines with events, in order
}

func (b *batch) reset() {
	b.segs = b.segs[:0]
	b.hot = b.hot[:0]
	clear(b.events) // drop references to captured fields
	b.events = b.events[:0]
	b.buf = b.buf[:0]
}

// text returns the normalised text of segment g of line.
func (b *batch) text(line []byte, g *segment) []byte {
	if g.inBuf {
		return b.buf[g.textOff:g.textEnd]
	}
	return line[g.textOff:g.textEnd]
}

// detector holds the scratch space for matching lines; one per goroutine.
type detector struct {
	m        *Matcher
	out      batch
	segments int               // segments normalised, for tests of the one-way flow
	runs     int               // patterns run on a segment, for tests of the prefilter
	cands    candidates        // start patterns found by the prefilter
	ruleSeen candidates        // rules already matched in the current segment
	steps    map[string]string // step headers seen, so that repeats cost nothing
	trace    *[]Trace          // Explain's hook: every pattern's verdict is recorded
}

// maxInterned bounds the step headers a detector remembers.
const maxInterned = 1024

// intern returns a step header as a string, masked, then cut to
// maxStepBytes; it allocates only the first time a header is seen.
func (d *detector) intern(b []byte) string {
	if s, ok := d.steps[string(b)]; ok { // the lookup does not allocate
		return s
	}
	if d.steps == nil || len(d.steps) >= maxInterned {
		d.steps = map[string]string{}
	}
	s := maskStep(&d.m.red, string(b))
	d.steps[string(b)] = s
	return s
}

func newDetector(m *Matcher) *detector {
	return &detector{m: m, cands: newCandidates(len(m.starts) + 1), ruleSeen: newCandidates(len(m.rules))}
}

// trimLast removes one c from the end of b, if b ends with it. (Unlike
// bytes.TrimSuffix it compares one byte, which matters on every line.)
func trimLast(b []byte, c byte) []byte {
	if n := len(b); n > 0 && b[n-1] == c {
		return b[:n-1]
	}
	return b
}

// cutSegment splits off the part of rest before the next '\r'.
func cutSegment(rest []byte) (seg, after []byte, more bool) {
	i := bytes.IndexByte(rest, '\r')
	if i < 0 {
		return rest, nil, false
	}
	return rest[:i], rest[i+1:], true
}

// line adds the segments and events of line li (without its line end) to
// d.out.
func (d *detector) line(li int, raw []byte) {
	off := 0
	for {
		seg, _, more := cutSegment(raw[off:])
		if len(seg) > 0 {
			d.segment(li, raw, off, off+len(seg))
		}
		if !more {
			return
		}
		off += len(seg) + 1
	}
}

func (d *detector) segment(li int, line []byte, from, to int) {
	d.segments++
	b := &d.out
	raw := line[from:to]
	g := segment{line: int32(li), rawOff: int32(from), rawEnd: int32(to), events: int32(len(b.events))}
	start := len(b.buf)
	text, vertex, grown := normalize(b.buf, raw)
	b.buf = grown
	if len(grown) > start {
		g.inBuf, g.textOff, g.textEnd = true, int32(len(grown)-len(text)), int32(len(grown))
	} else {
		g.textOff, g.textEnd = int32(to-len(text)), int32(to)
	}
	g.vertex = int32(vertex)
	if step := stepHeader(text); step != nil {
		b.events = append(b.events, event{kind: evStep, text: d.intern(step)})
	}
	d.match(li, text)
	g.nEvs = int32(len(b.events)) - g.events
	if g.nEvs > 0 && (len(b.hot) == 0 || b.hot[len(b.hot)-1] != int32(li)) {
		b.hot = append(b.hot, int32(li))
	}
	b.segs = append(b.segs, g)
}

// match runs the patterns the prefilter lets through on one normalised
// segment, adding an event for each rule that fires.
func (d *detector) match(li int, text []byte) {
	m := d.m
	if len(text) < minLiteral && len(m.always) == 0 && d.trace == nil {
		return
	}
	d.cands.reset()
	m.pf.scan(text, &d.cands)
	if d.trace != nil {
		d.explain(text)
	}
	for _, t := range m.always {
		d.cands.add(t)
	}
	if len(d.cands.list) > 0 {
		d.verify(text)
	}
}

// verify runs the candidate patterns on the normalised text.
func (d *detector) verify(text []byte) {
	m := d.m
	d.ruleSeen.reset()
	ignored := -1
	for _, t := range d.cands.sorted() {
		if int(t) == len(m.starts) {
			d.keyBlock(text)
			continue
		}
		st := &m.starts[t]
		if d.ruleSeen.stamp[st.rule] == d.ruleSeen.epoch {
			continue
		}
		r := m.rules[st.rule]
		re := st.regexp()
		if re == nil {
			continue
		}
		d.runs++
		str, mt, ok, err := matchText(re, text, len(st.names) > 0)
		if err != nil {
			d.warn(r.ID, re)
		}
		if !ok || d.excluded(r, str) >= 0 {
			continue
		}
		if ignored < 0 {
			ignored = 0
			if d.ignoredBy(text) >= 0 {
				ignored = 1
			}
		}
		if ignored == 1 {
			return
		}
		d.ruleSeen.add(st.rule)
		fields := captureFields(mt, st.names, nil)
		d.out.events = append(d.out.events, event{kind: evHit, rule: st.rule, pat: t, fields: fields})
	}
}

// ignoredBy returns the index of the catalog ignore pattern that matches
// text, or -1.
func (d *detector) ignoredBy(text []byte) int {
	for i, re := range d.m.ignore {
		if _, _, ok, _ := matchText(re, text, false); ok {
			return i
		}
	}
	return -1
}

// keyBlock notes the first and last lines of a private key block, whose
// lines the session masks.
func (d *detector) keyBlock(text []byte) {
	begin := bytes.Contains(text, []byte("-----BEGIN "))
	end := bytes.Contains(text, []byte("-----END "))
	switch {
	case begin && !end:
		d.out.events = append(d.out.events, event{kind: evKeyBegin})
	case end && !begin:
		d.out.events = append(d.out.events, event{kind: evKeyEnd})
	}
}

func (d *detector) warn(rule string, re *regexp2.Regexp) {
	d.out.events = append(d.out.events, event{kind: evWarn, text: rule + "\x00" + timeoutMessage(re)})
}

func timeoutMessage(re *regexp2.Regexp) string {
	return fmt.Sprintf("%v: pattern %.60q gave up on this line", ErrMatchTimeout, re.String())
}

// excluded returns the index of the rule's exclude pattern that vetoes a
// match in str, or -1.
func (d *detector) excluded(r *crule, str string) int {
	for i, l := range r.exclude {
		re := l.get()
		if re == nil {
			continue
		}
		ok, err := re.MatchString(str)
		if err != nil {
			d.warn(r.ID, re)
		}
		if ok {
			return i
		}
	}
	return -1
}

// matchText runs re on text, or on both ends of a very long text, and
// returns the part it matched in and, when capture is set, the match with its
// groups. A timeout is reported as an error and no match.
func matchText(re *regexp2.Regexp, text []byte, capture bool) (string, *regexp2.Match, bool, error) {
	if len(text) <= 2*verifyWindow {
		str := bytesString(text)
		mt, ok, err := run(re, str, capture)
		return str, mt, ok, err
	}
	head := bytesString(text[:verifyWindow])
	mt, ok, err := run(re, head, capture)
	if ok {
		return head, mt, true, nil
	}
	tail := bytesString(text[len(text)-verifyWindow:])
	mt, ok, err2 := run(re, tail, capture)
	if err == nil {
		err = err2
	}
	return tail, mt, ok, err
}

// run matches s with MatchString, which allocates nothing, and only on a
// match runs FindStringMatch for the groups, when they are wanted.
func run(re *regexp2.Regexp, s string, capture bool) (*regexp2.Match, bool, error) {
	ok, err := re.MatchString(s)
	if !ok || err != nil || !capture {
		return nil, ok && err == nil, err
	}
	mt, err := re.FindStringMatch(s)
	return mt, mt != nil && err == nil, err
}

// bytesString views b as a string without copying. The string is used only
// while b is unchanged; captured values are cloned.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// captureFields adds the named groups of a match to fields.
func captureFields(mt *regexp2.Match, names []string, fields map[string]string) map[string]string {
	if mt == nil {
		return fields
	}
	for _, n := range names {
		g := mt.GroupByName(n)
		if g == nil || len(g.Captures) == 0 {
			continue
		}
		if fields == nil {
			fields = map[string]string{}
		}
		fields[n] = strings.Clone(g.String())
	}
	return fields
}

// stepHeader returns the Docker build step a normalised line announces, or
// nil:
//
//	Step 3/12 : RUN pip install -r requirements.txt      (classic builder)
//	[2/5] RUN pip install …, [stage-1 3/7] COPY . .      (BuildKit, after "#8 ")
//	 > [ 8/10] RUN conda env create …:                   (BuildKit error summary)
//	The push refers to repository [myacr.azurecr.io/app] (docker push, after the build)
func stepHeader(text []byte) []byte {
	if len(text) < 6 {
		return nil
	}
	var step []byte
	switch text[0] {
	case 'S':
		if bytes.HasPrefix(text, []byte("Step ")) && isDigit(text[5]) {
			step = text
		}
	case '[':
		step = buildkitStep(text)
	case ' ':
		if bytes.HasPrefix(text, []byte(" > [")) {
			step = buildkitStep(text[3:])
			step = bytes.TrimSuffix(bytes.TrimSpace(step), []byte(":"))
		}
	case 'T':
		// After the build, a push is a stage of its own.
		if bytes.HasPrefix(text, []byte("The push refers to ")) {
			step = text
		}
	}
	return step
}

// buildkitStep returns text if it starts with a BuildKit step header such as
// "[2/5] RUN" or "[builder 3/7] COPY", else nil.
func buildkitStep(text []byte) []byte {
	end := bytes.IndexByte(text, ']')
	if end < 4 || end > 64 || end+2 > len(text) || text[end+1] != ' ' {
		return nil
	}
	inner := bytes.TrimSpace(text[1:end])
	if sp := bytes.LastIndexByte(inner, ' '); sp >= 0 {
		inner = inner[sp+1:]
	}
	slash := bytes.IndexByte(inner, '/')
	if slash <= 0 || digits(inner) != slash || slash == len(inner)-1 || digits(inner[slash+1:]) != len(inner)-slash-1 {
		return nil
	}
	// A Dockerfile instruction follows; "[12/340] Building CXX object" from
	// ninja or cmake has the same brackets but is not a build step.
	word := text[end+2:]
	if sp := bytes.IndexByte(word, ' '); sp >= 0 {
		word = word[:sp]
	}
	if !isInstruction(word) {
		return nil
	}
	return text
}

// isInstruction reports whether word is a Dockerfile instruction.
func isInstruction(word []byte) bool {
	switch string(word) { // compiled to comparisons: no hashing, no allocation
	case "FROM", "RUN", "COPY", "ADD", "WORKDIR", "ENV", "ARG", "USER", "LABEL", "EXPOSE", "VOLUME",
		"CMD", "ENTRYPOINT", "SHELL", "HEALTHCHECK", "ONBUILD", "STOPSIGNAL", "MAINTAINER":
		return true
	}
	return false
}
