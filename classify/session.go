package classify

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/dlclark/regexp2/v2"
)

// Limits that keep a session's memory bounded whatever the log holds.
const (
	maxPending     = 256  // multi-line matches and context windows open at once
	maxWarnings    = 100  // warnings kept; more are counted
	maxVertexSteps = 4096 // BuildKit vertices remembered
)

// Session is the state of one log being classified: line numbers, the
// current build step, open multi-line matches and context windows, and the
// issues found so far. Feed it lines in order from one goroutine at a time,
// then Close it. Two goroutines in it at once, or Feed after Close, are bugs
// in the caller, like a concurrent map write, and panic with an error that
// wraps ErrSessionBusy or ErrSessionClosed.
//
// A Session is what Scan and Classify use inside; use one directly when
// lines arrive one by one, as in a log-processing service.
type Session struct {
	m     *Matcher
	line  int   // physical lines seen
	bytes int64 // bytes seen, newlines included
	cut   int   // lines longer than the limit

	det     *detector // matches lines fed one at a time
	lastRaw []byte    // the last line it matched, as given (for Normalized)

	step        string
	vertexSteps map[int]string

	ring    ring // raw lines before the current one, for context
	pending []*pending
	ready   []Issue // complete issues waiting for earlier pending ones
	out     []Issue // released issues, in line order, not yet handed out

	inKey   bool // inside a private key block: lines are masked
	keyEnds bool // the block ends with this line

	// retried[i] counts the attempts of rule i that its unless pattern
	// showed were retried, since the rule's last issue.
	retried []int32

	agg        aggregator
	bs         builds
	markers    bool // marker rules give issues too: for their examples
	warnings   []Warning
	moreWarned int
	closed     bool
	quiet      bool // only the report is wanted: released issues are not kept in out
	distinct   bool // only issues new to the report are handed out
	busy       atomic.Bool
}

// pending is an issue not yet complete: a multi-line rule waiting for its
// next step, a list being collected, or context lines still to come.
type pending struct {
	rule       *crule
	steps      []cstep // of the pattern that matched
	issue      Issue
	next       int // next sequence step
	last       int // line of the last step matched
	collecting bool
	colStart   int // line after which collecting starts
	items      int
	afterLeft  int
	unlessLeft int  // lines left in which the rule's unless pattern cancels the issue
	cancelled  bool // the unless pattern was found
}

// NewSession starts classifying a new log.
func (m *Matcher) NewSession() *Session {
	s := &Session{
		m:           m,
		det:         newDetector(m),
		vertexSteps: map[int]string{},
		agg:         newAggregator(m.opt.maxIssues),
		retried:     make([]int32, len(m.rules)),
	}
	if m.before > 0 {
		s.ring = newRing(m.before)
	}
	return s
}

// Feed classifies the next line of the log (a trailing "\n" or "\r\n" is
// removed; a line holding more "\n" counts as several) and returns the
// issues that became complete, in line order. Most calls return nil. The
// line is not retained.
func (s *Session) Feed(line []byte) []Issue {
	s.enter(true)
	defer s.busy.Store(false)
	line = trimLast(line, '\n')
	for {
		i := bytes.IndexByte(line, '\n')
		if i < 0 {
			break
		}
		s.feedOne(line[:i])
		line = line[i+1:]
	}
	s.feedOne(line)
	return s.take()
}

// enter marks the session busy, catching its use from two goroutines at
// once (and, with open, its use after Close) with a panic: both are bugs in
// the caller.
//
// The panic value is an error wrapping ErrSessionBusy or ErrSessionClosed,
// so a recover can tell them with errors.Is. Scan reports a closed session
// as an error instead; see Scan.
func (s *Session) enter(open bool) {
	if !s.busy.CompareAndSwap(false, true) {
		panic(fmt.Errorf("classify: %w", ErrSessionBusy))
	}
	if open && s.closed {
		s.busy.Store(false)
		panic(fmt.Errorf("classify: Feed: %w", ErrSessionClosed))
	}
}

// feedOne handles one line given to Feed, cutting it to the line limit as
// Scan does.
func (s *Session) feedOne(line []byte) {
	size := len(line) + 1
	if max := s.m.opt.maxLineBytes; len(line) > max {
		s.processCut(line[:max], size, true)
		return
	}
	s.processCut(line, size, false)
}

// FeedString is Feed for a string.
func (s *Session) FeedString(line string) []Issue {
	return s.Feed(unsafe.Slice(unsafe.StringData(line), len(line)))
}

// Close ends the log: open windows are completed (a multi-line rule still
// missing steps is dropped) and the remaining issues are returned. Close is
// idempotent.
func (s *Session) Close() []Issue {
	s.enter(false)
	defer s.busy.Store(false)
	s.close()
	return s.take()
}

// Flush hands out the issues whose match is already certain but that still
// wait for more lines: after-context (they keep the context seen so far) or
// a list being collected (it keeps the items so far). Issues whose rule may
// still be cancelled by a retry (unless) keep waiting, and so do multi-line
// matches not yet complete. A service streaming a live build calls it when
// its input goes quiet, so that a failure is reported before the build ends.
func (s *Session) Flush() []Issue {
	s.enter(false)
	defer s.busy.Store(false)
	keep := s.pending[:0]
	for _, p := range s.pending {
		if p.next == len(p.steps) && p.unlessLeft == 0 && !p.cancelled {
			s.ready = append(s.ready, s.finish(p))
			continue
		}
		keep = append(keep, p)
	}
	clear(s.pending[len(keep):])
	s.pending = keep
	s.release()
	return s.take()
}

// Report ranks what the session has seen so far. Call it after Close for
// the final result; before, issues still pending are left out.
func (s *Session) Report() *Report {
	var builds []Build
	var outcome Outcome
	r := s.agg.report(s.m.ranker, func(issues []Issue) { builds, outcome = s.settle(issues) })
	r.Builds, r.Outcome = builds, outcome
	s.explainBuilds(r)
	r.Lines = s.line
	r.Bytes = s.bytes
	r.LinesCut = s.cut
	r.Warnings = append([]Warning(nil), s.warnings...)
	if s.moreWarned > 0 {
		r.Warnings = append(r.Warnings, Warning{Line: s.line, Message: fmt.Sprintf("%d more warnings not shown", s.moreWarned)})
	}
	return r
}

// Normalized returns the normalised text of the last line fed — what the
// catalog's patterns saw: timestamps and BuildKit prefixes gone, and only
// its last segment when bare carriage returns rewrote it. A service that
// tests lines of its own (an end-of-build pattern, say) uses it instead of
// normalising the line again. The result is nil for an empty line, is valid
// until the next Feed, and may share memory with the line given to Feed.
func (s *Session) Normalized() []byte {
	segs := s.det.out.segs
	if len(segs) == 0 || s.lastRaw == nil {
		return nil
	}
	return s.det.out.text(s.lastRaw, &segs[len(segs)-1])
}

// Lines returns the number of lines fed so far.
func (s *Session) Lines() int { return s.line }

func (s *Session) close() {
	if s.closed {
		return
	}
	s.closed = true
	for _, p := range s.pending {
		if p.next == len(p.steps) && !p.cancelled {
			s.ready = append(s.ready, s.finish(p))
		}
	}
	s.pending = s.pending[:0]
	s.release()
}

// take hands out the released issues; nil when there are none.
func (s *Session) take() []Issue {
	if len(s.out) == 0 {
		return nil
	}
	out := s.out
	s.out = nil
	return out
}

func (s *Session) warn(rule, format string, args ...any) {
	if len(s.warnings) >= maxWarnings {
		s.moreWarned++
		return
	}
	s.warnings = append(s.warnings, Warning{Line: s.line, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// processCut matches one line and applies what was found.
func (s *Session) processCut(raw []byte, size int, cut bool) {
	raw = trimLast(raw, '\r')
	d := s.det
	d.out.reset()
	d.line(0, raw)
	s.lastRaw = raw
	s.apply(raw, size, cut, &d.out, d.out.segs)
}

// apply updates the session with one line and what the detector found in
// it: segs are the line's segments, in order, with their events in b. A bare
// \r rewrites the terminal line (progress bars), so each segment is handled
// in turn; its normalised text comes from the detector, never made again.
func (s *Session) apply(raw []byte, size int, cut bool, b *batch, segs []segment) {
	s.line++
	s.bytes += int64(size)
	if cut {
		s.cut++
		s.warn("", "line longer than %d bytes: matched on its first part", s.m.opt.maxLineBytes)
	}
	if len(s.pending) == 0 && !hasWork(segs) {
		s.quietLine(raw, b, segs, true) // the common case: nothing found, nothing open
		return
	}
	s.bs.marked = false
	for i := range segs {
		g := &segs[i]
		evs := b.events[g.events : g.events+g.nEvs]
		for len(evs) > 0 && evs[0].kind == evStep {
			s.setStep(evs[0].text, int(g.vertex))
			evs = evs[1:]
		}
		seg := raw[g.rawOff:g.rawEnd]
		if len(s.pending) > 0 {
			s.advance(seg, b.text(raw, g))
		}
		for _, e := range evs {
			// A new build starts before anything else on its first line
			// is found, so that what is found there belongs to it.
			if e.kind == evHit {
				if r := s.m.rules[s.m.starts[e.pat].rule]; r.outcome == OutcomeStarted {
					s.mark(r, int(g.vertex))
				}
			}
		}
		for _, e := range evs {
			switch e.kind {
			case evHit:
				st := &s.m.starts[e.pat]
				s.start(s.m.rules[st.rule], st.steps, seg, e.fields, int(g.vertex))
			case evWarn:
				rule, msg, _ := strings.Cut(e.text, "\x00")
				s.warn(rule, "%s", msg)
			case evKeyBegin:
				s.inKey = !s.m.red.off
			case evKeyEnd:
				s.keyEnds = s.inKey
			}
		}
	}
	s.keep(raw, b, segs)
	s.endLine(raw)
}

// quietLine applies a line in which nothing was found while no match is open,
// after it was counted: it may be context for a later match (asContext; the
// parallel scan knows when no match is near enough to show it), and it may
// be why a failed build failed, so it is kept as a candidate error line.
func (s *Session) quietLine(raw []byte, b *batch, segs []segment, asContext bool) {
	s.bs.marked = false
	if asContext && s.ring.size > 0 {
		s.pushContext(raw)
	}
	s.keep(raw, b, segs)
}

// hasWork reports whether a segment has events.
func hasWork(segs []segment) bool {
	for i := range segs {
		if segs[i].nEvs > 0 {
			return true
		}
	}
	return false
}

// setStep records the build step that the following lines belong to.
func (s *Session) setStep(step string, vertex int) {
	s.step = step
	s.bs.gen++ // the candidate windows' cache of vertices may be stale
	if vertex >= 0 {
		if len(s.vertexSteps) >= maxVertexSteps {
			clear(s.vertexSteps)
		}
		s.vertexSteps[vertex] = step
	}
}

// match runs a multi-line rule's later pattern, warning on a timeout.
func (s *Session) match(l *lazyRegexp, text []byte, rule string, capture bool) (*regexp2.Match, bool) {
	re := l.get()
	if re == nil {
		return nil, false // it did not compile (see WithLazyCompile)
	}
	_, mt, ok, err := matchText(re, text, capture)
	if err != nil {
		s.warn(rule, "%s", timeoutMessage(re))
	}
	return mt, ok
}

// rawText copies a raw line segment for an issue: masked, then cut to n
// bytes; inside a private key block, its stand-in.
func (s *Session) rawText(raw []byte, n int) string {
	if s.inKey {
		return privateKeyLine
	}
	return maskCut(&s.m.red, string(raw), n)
}

// start begins an issue for rule r on the current line.
func (s *Session) start(r *crule, steps []cstep, seg []byte, fields map[string]string, vertex int) {
	if r.outcome != "" {
		s.mark(r, vertex)
		if r.noIssue && !s.markers {
			return
		}
	}
	build := s.bs.index()
	if s.quiet && len(steps) == 0 && r.collect == nil && r.unless == nil {
		// Only the report is wanted: a repeat of a released issue is
		// just counted, which keeps a log of a million identical lines
		// cheap.
		finishFields(&s.m.red, fields)
		if s.agg.repeat(r.ID, fields, build, s.line) {
			return
		}
	}
	is := Issue{
		ID:       r.ID,
		Group:    r.Group,
		Title:    r.Title,
		Severity: r.severity,
		Priority: r.Priority,
		Line:     s.line,
		EndLine:  s.line,
		Text:     s.rawText(seg, MaxEvidenceBytes),
		Fields:   fields,
		Step:     s.stepFor(vertex),
		Retry:    r.Retry,
		Build:    build,
	}
	if r.before > 0 {
		is.Context = s.ring.last(r.before, s.line, &s.m.red)
	}
	p := &pending{rule: r, steps: steps, issue: is, last: s.line, afterLeft: r.after}
	if len(steps) > 0 || r.collect != nil {
		p.issue.Evidence = []Line{{Number: s.line, Text: is.Text}}
	}
	if len(steps) == 0 {
		s.sequenceDone(p)
	}
	if p.complete() {
		s.ready = append(s.ready, s.finish(p))
		return
	}
	if len(s.pending) >= maxPending {
		old := s.pending[0]
		s.pending = s.pending[1:]
		if old.next == len(old.steps) && !old.cancelled {
			s.ready = append(s.ready, s.finish(old))
		}
		s.warn(old.rule.ID, "too many open multi-line matches: closed the oldest early")
	}
	s.pending = append(s.pending, p)
}

func (s *Session) sequenceDone(p *pending) {
	p.issue.EndLine = s.line
	if p.rule.unless != nil {
		p.unlessLeft = p.rule.unless.within
	}
	if p.rule.collect != nil {
		p.collecting = true
		p.colStart = s.line
	}
}

func (p *pending) complete() bool {
	return p.next == len(p.steps) && !p.collecting && p.afterLeft == 0 && p.unlessLeft == 0
}

// advance tries the open multi-line matches on one segment: text is what
// patterns see, seg the raw bytes kept as evidence.
func (s *Session) advance(seg, text []byte) {
	for _, p := range s.pending {
		r := p.rule
		if p.unlessLeft > 0 && s.line > p.issue.EndLine && !p.cancelled {
			if _, ok := s.match(r.unless.re, text, r.ID, false); ok {
				p.cancelled = true
			}
		}
		switch {
		case p.next < len(p.steps):
			if p.last == s.line {
				continue // the next step must be on a later line
			}
			st := &p.steps[p.next]
			mt, ok := s.match(st.re, text, r.ID, len(st.names) > 0)
			if !ok {
				continue
			}
			p.issue.Fields = captureFields(mt, st.names, p.issue.Fields)
			p.issue.Evidence = append(p.issue.Evidence, Line{Number: s.line, Text: s.rawText(seg, MaxEvidenceBytes)})
			p.last = s.line
			p.next++
			if p.next == len(p.steps) {
				s.sequenceDone(p)
			}
		case p.collecting && s.line > p.colStart:
			if len(bytes.TrimSpace(text)) == 0 {
				continue
			}
			mt, ok := s.match(r.collect, text, r.ID, true)
			if !ok {
				p.collecting = false
				continue
			}
			g := mt.GroupByNumber(0)
			if r.collectKey != "" {
				if named := mt.GroupByName(r.collectKey); named != nil {
					g = named
				}
			}
			item := g.String()
			field := r.collectField
			if p.issue.Lists == nil {
				p.issue.Lists = map[string][]string{}
			}
			p.issue.Lists[field] = append(p.issue.Lists[field], strings.Clone(item))
			p.issue.Evidence = append(p.issue.Evidence, Line{Number: s.line, Text: s.rawText(seg, MaxEvidenceBytes)})
			p.issue.EndLine = s.line
			p.items++
			if p.items >= r.collectMax {
				p.collecting = false
			}
		}
	}
}

// endLine closes windows that the line ends, takes context, and releases
// complete issues.
func (s *Session) endLine(raw []byte) {
	if len(s.pending) > 0 {
		keep := s.pending[:0]
		for _, p := range s.pending {
			r := p.rule
			if p.cancelled {
				// The unless pattern followed: this attempt was retried,
				// so it is not the build's failure; the next is counted.
				s.retried[r.index]++
				continue
			}
			if p.next < len(p.steps) {
				if s.line-p.last >= p.steps[p.next].within {
					continue // expired: the rule did not match
				}
				keep = append(keep, p)
				continue
			}
			if p.unlessLeft > 0 && s.line > p.issue.EndLine {
				p.unlessLeft--
			}
			if p.collecting && s.line-p.colStart >= r.collectWithin {
				p.collecting = false
			}
			if p.afterLeft > 0 && s.line > p.issue.EndLine && !p.collecting {
				p.issue.Context = append(p.issue.Context, Line{Number: s.line, Text: s.rawText(raw, maxContextBytes)})
				p.afterLeft--
			}
			if p.complete() {
				s.ready = append(s.ready, s.finish(p))
				continue
			}
			keep = append(keep, p)
		}
		clear(s.pending[len(keep):])
		s.pending = keep
	}
	if s.ring.size > 0 {
		s.pushContext(raw)
	}
	if s.keyEnds {
		s.inKey, s.keyEnds = false, false
	}
	if len(s.ready) > 0 {
		s.release()
	}
}

// pushContext keeps a line for the context of later issues.
func (s *Session) pushContext(raw []byte) {
	if s.inKey {
		s.ring.push([]byte(privateKeyLine))
	} else {
		s.ring.push(raw)
	}
}

// release moves ready issues that no pending issue precedes to the output,
// in line order, and into the report.
func (s *Session) release() {
	limit := int(^uint(0) >> 1)
	for _, p := range s.pending {
		limit = min(limit, p.issue.Line)
	}
	sort.SliceStable(s.ready, func(i, j int) bool {
		a, b := &s.ready[i], &s.ready[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return s.m.byID[a.ID] < s.m.byID[b.ID]
	})
	n := 0
	for n < len(s.ready) && s.ready[n].Line < limit {
		n++
	}
	for _, is := range s.ready[:n] {
		isNew := s.agg.add(is)
		if !s.quiet && (isNew || !s.distinct) {
			s.out = append(s.out, is)
		}
	}
	s.ready = append(s.ready[:0], s.ready[n:]...)
}

// stepFor returns the build step of a line of BuildKit vertex vertex (-1:
// no vertex). A vertex that announced no Dockerfile step (an ADD's URL
// source, "[internal] load build context") has none: the previous vertex's
// step would be another instruction's.
func (s *Session) stepFor(vertex int) string {
	if vertex >= 0 {
		st, ok := s.vertexSteps[vertex]
		if !ok && len(s.vertexSteps) > 0 && len(s.vertexSteps) < maxVertexSteps {
			return ""
		}
		if ok {
			return st
		}
	}
	return s.step
}

// ring keeps the last few raw lines, each cut to ringLineBytes, in reused
// buffers. Lines are masked when an issue takes them, on all they kept, and
// only then cut to the context length.
type ring struct {
	size  int
	lines [][]byte
	next  int
	count int
}

func newRing(n int) ring {
	return ring{size: n, lines: make([][]byte, n)}
}

func (r *ring) push(raw []byte) {
	if len(raw) > ringLineBytes {
		raw = raw[:ringLineBytes]
	}
	r.lines[r.next] = append(r.lines[r.next][:0], raw...)
	r.count++
	r.next = (r.next + 1) % r.size
}

// last returns up to n lines before line cur, oldest first.
func (r *ring) last(n, cur int, red *redactor) []Line {
	n = min(n, r.size, r.count)
	out := make([]Line, 0, n)
	for k := n; k >= 1; k-- {
		i := (r.next - k + r.size) % r.size
		out = append(out, Line{Number: cur - k, Text: maskCut(red, string(r.lines[i]), maxContextBytes)})
	}
	return out
}
