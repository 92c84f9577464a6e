package classify

import (
	"bytes"
	"sort"
)

// This file follows the builds a log shows and how each ended, from the
// catalog's outcome markers (rules with an outcome), and keeps, for each
// build step, the few lines most likely to say why a build failed, so that a
// failure no rule explains still gets its likely lines (Report.Unexplained).
// Both run in the apply stage, in the same single pass, in bounded memory.

// Outcome is how a build ended.
type Outcome string

const (
	OutcomeUnknown   Outcome = "unknown"   // no end marker: a truncated log, or a log of no build
	OutcomeSucceeded Outcome = "succeeded" // the build's own success markers
	OutcomeFailed    Outcome = "failed"    // the build's own failure markers
	OutcomeCancelled Outcome = "cancelled" // interrupted: a signal, a cancelled job
	// OutcomeStarted is for rules only: a marker of a new build's start
	// (a second "Sending build context", "#0 building with"). It is never
	// the outcome of a build.
	OutcomeStarted Outcome = "started"
)

// rank orders end outcomes within one build: cancelled over failed over
// succeeded, whatever their order in the log.
func (o Outcome) rank() int {
	switch o {
	case OutcomeSucceeded:
		return 1
	case OutcomeFailed:
		return 2
	case OutcomeCancelled:
		return 3
	}
	return 0
}

// Build is one build of a log: its lines, how it ended, and, when it failed
// and nothing specific explains why, its likely error lines.
type Build struct {
	Outcome   Outcome `json:"outcome"`
	FirstLine int     `json:"first_line"`
	LastLine  int     `json:"last_line"`
	// MarkerLine is the line of the marker that decided the outcome; 0
	// when it is unknown.
	MarkerLine  int       `json:"marker_line"`
	Unexplained []Suspect `json:"unexplained,omitempty"`
}

// Suspect is a line that likely says why a build failed, found without a
// rule: error words and tool prefixes, the end of the failing step.
type Suspect struct {
	Line  int     `json:"line"`
	Step  string  `json:"step"`
	Text  string  `json:"text"` // the raw line, masked and cut like Issue.Text
	Score float64 `json:"score"`
	// Fingerprint is the normalised text with what varies between builds
	// masked (see Fingerprint): the same failure in two builds has the
	// same fingerprint.
	Fingerprint string `json:"fingerprint"`
}

// MaxUnexplained is the most suspect lines a build or a report carries.
const MaxUnexplained = 5

// Limits of the suspect windows.
const (
	suspectSlots   = 24  // last lines kept per step
	suspectWindows = 16  // steps tracked at once; the least recently used goes
	suspectBytes   = 512 // bytes of a candidate line kept
)

type suspectSlot struct {
	line   int
	score  uint8
	marker bool   // an outcome marker's line: it says that the build failed, not why
	raw    []byte // the line as the log has it (shown), in the window's buffer
	text   []byte // what the patterns saw (scored): inside raw, or in the text buffer
}

// stepWindow keeps the best candidate lines of one build step.
type stepWindow struct {
	step  string
	slots [suspectSlots]suspectSlot // a ring of the step's last lines
	n     int
	next  int
	used  int    // line of the last line, for eviction
	buf   []byte // the slots' raw lines
	tbuf  []byte // the slots' normalised text, when it is not part of the raw line
}

// builds follows the builds of a log.
type builds struct {
	list       []Build
	windows    [suspectWindows]stepWindow
	nwin       int
	last       *stepWindow // the window of the last line
	lastVertex int         // its BuildKit vertex
	failStep   string      // step of the current build's failure marker
	lastStep   string      // step of the last candidate
	marked     bool        // an outcome marker matched on the current segment
	started    int         // line of the last start marker applied
	found      [][]Suspect
	cache      [64]vertexWindow // the window of recently seen vertices
	gen        uint32           // bumped whenever a cached window may be stale
}

// noWindowCache turns the cache off, for the test that it changes nothing.
var noWindowCache = false

// vertexWindow remembers the window a BuildKit vertex's lines (vertex -1:
// lines without one) went to, valid while gen is the builds' gen.
type vertexWindow struct {
	vertex int32
	gen    uint32
	w      *stepWindow
}

func (b *builds) cur() *Build {
	if len(b.list) == 0 {
		b.list = append(b.list, Build{Outcome: OutcomeUnknown, FirstLine: 1})
	}
	return &b.list[len(b.list)-1]
}

func (b *builds) index() int {
	b.cur()
	return len(b.list) - 1
}

// mark applies an outcome marker of rule r at the session's current line.
func (s *Session) mark(r *crule, vertex int) {
	b := &s.bs
	cur := b.cur()
	s.bs.marked = true
	if r.outcome == OutcomeStarted {
		if s.bs.started == s.line {
			return // already applied for this line (apply runs starts first)
		}
		s.bs.started = s.line
		// A start after the current build ended begins another build;
		// before, it is the same build's (BuildKit repeats headers). A
		// truncated build followed by another is seen as one.
		if cur.Outcome != OutcomeUnknown && s.line > cur.FirstLine {
			s.endBuild()
			b.list = append(b.list, Build{Outcome: OutcomeUnknown, FirstLine: s.line})
		}
		return
	}
	cur = b.cur()
	if r.outcome.rank() > cur.Outcome.rank() {
		cur.Outcome = r.outcome
		cur.MarkerLine = s.line
		if r.outcome == OutcomeFailed || r.outcome == OutcomeCancelled {
			b.failStep = s.stepFor(vertex)
		}
	}
}

// endBuild closes the current build: its last line is set and, when it
// failed, its best suspect lines are chosen. It returns the build.
func (s *Session) endBuild() {
	b := &s.bs
	cur := b.cur()
	cur.LastLine = max(s.line-1, cur.FirstLine)
	for len(b.found) < len(b.list) {
		b.found = append(b.found, nil)
	}
	if cur.Outcome == OutcomeFailed {
		b.found[len(b.list)-1] = s.pickSuspects(cur)
	}
	for i := 0; i < b.nwin; i++ {
		b.windows[i].n, b.windows[i].next = 0, 0
		b.windows[i].step = ""
	}
	b.nwin, b.last = 0, nil
	b.failStep, b.lastStep = "", ""
	b.gen++
}

// keep records one line in the window of its step: the last lines of each
// step, raw and as the detector normalised them, in reused buffers. Nothing
// is scored here; the windows of a failed build are scored when it ends, so
// the common line costs a copy (two when normalising rewrote it).
func (s *Session) keep(raw []byte, b *batch, segs []segment) {
	if s.inKey || len(segs) == 0 {
		return
	}
	bs := &s.bs
	g := &segs[len(segs)-1] // what a progress bar's rewrites leave
	seg := raw[g.rawOff:g.rawEnd]
	if blank(seg) {
		return
	}
	// Which window a vertex's lines go to changes only when a step is set
	// or a window is reused, which bump gen: until then it is remembered.
	c := &bs.cache[uint32(g.vertex)%uint32(len(bs.cache))]
	if c.gen == bs.gen && c.vertex == g.vertex && c.w != nil && !noWindowCache {
		w := c.w
		bs.last, bs.lastVertex = w, int(g.vertex)
		w.used = s.line
		bs.lastStep = w.step
		s.fill(w, raw, b, g, seg)
		return
	}
	step := s.step
	if g.vertex >= 0 {
		if int(g.vertex) == bs.lastVertex && bs.last != nil {
			step = bs.last.step // the same vertex as the last line: no lookup
		} else {
			step = s.stepFor(int(g.vertex))
		}
	}
	bs.lastVertex = int(g.vertex)
	w := bs.last
	if w == nil || w.step != step {
		w = nil
		for i := 0; i < bs.nwin; i++ {
			if bs.windows[i].step == step {
				w = &bs.windows[i]
				break
			}
		}
		if w == nil {
			if bs.nwin < suspectWindows {
				w = &bs.windows[bs.nwin]
				bs.nwin++
			} else {
				w = &bs.windows[0]
				for i := 1; i < bs.nwin; i++ {
					if bs.windows[i].used < w.used {
						w = &bs.windows[i]
					}
				}
			}
			w.step, w.n, w.next = step, 0, 0
			bs.gen++ // a window changed hands: what the cache says may be stale
		}
		bs.last = w
	}
	*c = vertexWindow{vertex: g.vertex, w: w, gen: bs.gen}
	w.used = s.line
	bs.lastStep = step
	s.fill(w, raw, b, g, seg)
}

// blank reports whether b is empty or all white space (as bytes.TrimSpace
// sees it). Most lines start with a printable ASCII byte, which settles it.
func blank(b []byte) bool {
	if len(b) > 0 && b[0] > ' ' && b[0] < 0x80 {
		return false
	}
	return len(bytes.TrimSpace(b)) == 0
}

// fill puts a line in the next slot of its window's ring.
func (s *Session) fill(w *stepWindow, raw []byte, b *batch, g *segment, seg []byte) {
	si := w.next
	slot := &w.slots[si]
	w.next = (w.next + 1) % suspectSlots
	w.n = min(w.n+1, suspectSlots)
	slot.line, slot.marker = s.line, s.bs.marked
	if w.buf == nil {
		w.buf = make([]byte, suspectSlots*suspectBytes) // one allocation per window, kept
	}
	k := si * suspectBytes
	slot.raw = w.buf[k : k+copy(w.buf[k:k+suspectBytes], seg)]
	if !g.inBuf {
		// The text is the tail of the segment (prefixes gone): a part of
		// the copy just made.
		n := len(slot.raw)
		slot.text = slot.raw[min(int(g.textOff-g.rawOff), n):min(int(g.textEnd-g.rawOff), n)]
		return
	}
	if w.tbuf == nil {
		w.tbuf = make([]byte, suspectSlots*suspectBytes)
	}
	slot.text = w.tbuf[k : k+copy(w.tbuf[k:k+suspectBytes], b.text(raw, g))]
}

// pickSuspects chooses the best lines of a failed build's windows: scored
// without rules (suspectScore), more in the failing step, more the nearer
// the end of their step, without lines the catalog ignores, one line per
// fingerprint.
func (s *Session) pickSuspects(bd *Build) []Suspect {
	b := &s.bs
	fail := b.failStep
	if fail == "" {
		fail = b.lastStep
	}
	var out []Suspect
	seen := map[string]int{}
	for wi := 0; wi < b.nwin; wi++ {
		w := &b.windows[wi]
		last := 0
		for i := 0; i < w.n; i++ {
			last = max(last, w.slots[i].line)
		}
		for i := 0; i < w.n; i++ {
			sl := &w.slots[i]
			if sl.line < bd.FirstLine {
				continue
			}
			buf := sl.text // normalised once, by the detector
			base := suspectScore(buf)
			if base == 0 || s.ignored(buf) {
				continue
			}
			score := float64(base)
			switch {
			case sl.marker:
				score = 0.5
			case bd.MarkerLine > 0 && sl.line > bd.MarkerLine:
				// after the failure: wrappers and summaries that repeat it
				score--
			case w.step == fail && fail != "":
				score += 3
			}
			// up to one point for the step's last lines
			score += 1 / float64(1+last-sl.line)
			fp := Fingerprint(string(buf))
			su := Suspect{Line: sl.line, Step: w.step, Text: maskCut(&s.m.red, string(sl.raw), MaxEvidenceBytes), Score: float64(int(score*100+0.5)) / 100, Fingerprint: maskCut(&s.m.red, fp, MaxEvidenceBytes)}
			if j, ok := seen[fp]; ok {
				if su.Score > out[j].Score || su.Score == out[j].Score && su.Line < out[j].Line {
					out[j] = su
				}
				continue
			}
			seen[fp] = len(out)
			out = append(out, su)
		}
	}
	sortSuspects(out)
	if len(out) > MaxUnexplained {
		out = out[:MaxUnexplained]
	}
	return out
}

func sortSuspects(out []Suspect) {
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Line > out[j].Line
	})
}

// ignored reports whether a catalog ignore pattern matches text.
func (s *Session) ignored(text []byte) bool {
	for _, re := range s.m.ignore {
		if _, _, ok, _ := matchText(re, text, false); ok {
			return true
		}
	}
	return false
}

// settle gives the report its builds, outcome and unexplained lines, and
// marks the issues of builds that succeeded as recovered, before ranking.
func (s *Session) settle(issues []Issue) (list []Build, outcome Outcome) {
	b := &s.bs
	b.cur()
	list = make([]Build, len(b.list))
	copy(list, b.list)
	last := &list[len(list)-1]
	last.LastLine = max(s.line, last.FirstLine)
	for i := range issues {
		is := &issues[i]
		if is.Build >= len(list) {
			continue
		}
		ri, ok := s.m.byID[is.ID]
		keep := ok && s.m.rules[ri].keep
		is.Recovered = list[is.Build].Outcome == OutcomeSucceeded && is.Severity == SeverityError && !keep
	}
	outcome = OutcomeUnknown
	all := true
	for _, bd := range list {
		switch bd.Outcome {
		case OutcomeFailed:
			outcome = OutcomeFailed
		case OutcomeCancelled:
			if outcome != OutcomeFailed {
				outcome = OutcomeCancelled
			}
		}
		all = all && bd.Outcome == OutcomeSucceeded
	}
	if all {
		outcome = OutcomeSucceeded
	}
	return list, outcome
}

// explainBuilds sets the unexplained lines of each failed build that no
// ranked issue more specific than a fallback explains.
func (s *Session) explainBuilds(r *Report) {
	explained := make([]bool, len(r.Builds))
	for _, is := range r.Issues {
		if is.Build < len(explained) && is.Severity == SeverityError && is.SuppressedBy == "" && !is.Recovered && !s.m.ranker.rules[is.ID].fallback {
			explained[is.Build] = true
		}
	}
	found := s.bs.found
	for i := range r.Builds {
		bd := &r.Builds[i]
		if bd.Outcome != OutcomeFailed || explained[i] {
			continue
		}
		var sus []Suspect
		if i < len(found) && found[i] != nil {
			sus = found[i]
		} else if i == len(r.Builds)-1 {
			sus = s.pickSuspects(bd) // still open: the windows hold it
		}
		sus = withoutIssueLines(sus, r.Issues, i)
		bd.Unexplained = append([]Suspect(nil), sus...)
		r.Unexplained = append(r.Unexplained, sus...)
	}
	if len(r.Unexplained) > 0 {
		sortSuspects(r.Unexplained)
		if len(r.Unexplained) > MaxUnexplained {
			r.Unexplained = r.Unexplained[:MaxUnexplained]
		}
	}
}

// withoutIssueLines drops the suspects on a line an issue of build b
// already cites (the fallback's own "non-zero code" line): the report shows
// those lines once.
func withoutIssueLines(sus []Suspect, issues []Issue, b int) []Suspect {
	var out []Suspect
	for _, su := range sus {
		cited := false
		for _, is := range issues {
			if is.Build == b && su.Line >= is.Line && su.Line <= max(is.EndLine, is.Line) {
				cited = true
				break
			}
		}
		if !cited {
			out = append(out, su)
		}
	}
	return out
}

// suspectScore scores a normalised segment as a likely error line without
// any rule: error words (error, fatal, exception, failed, killed…), tool
// prefixes at the start (error:, E:, npm ERR!, FAILED), exception names
// (ModuleNotFoundError), exit-status words; warnings count little. 0 for
// most lines, and for short fragments of structured data such as
// `"error": {`, which name an error without saying one. It allocates nothing.
func suspectScore(t []byte) uint8 {
	score, fail, exit, words := 0, 0, 0, 0
	warn, tool, second := false, false, false
	prev := ""
	first := true
	for i := 0; i < len(t); {
		if letter[t[i]] == 0 {
			i++
			continue
		}
		j := i + 1
		for j < len(t) && letter[t[j]] != 0 {
			j++
		}
		w := t[i:j]
		k := kindNone
		if len(w) >= 3 && (keyStart[w[0]] != 0 || len(w) >= 6 && w[len(w)-5] == 'E' || len(w) >= 10 && w[len(w)-9] == 'E') {
			k = wordKind(w)
		}
		if prev == "not" && eqFold(w, "found") || prev == "could" && eqFold(w, "not") {
			k = kindFail // "sh: 1: foo: not found", "Could not read"
		}
		if prev == "non" && eqFold(w, "zero") {
			k = kindExit // "returned a non-zero code: 2"
		}
		if first && k == kindNone && j+1 < len(t) && t[j] == ':' && t[j+1] == ' ' && w[0] >= 'a' && w[0] <= 'z' && i == 0 {
			tool = true // "sed: -e expression #1…", "tar: …": a tool's own message
		}
		if i >= 2 && t[i-1] == ' ' && t[i-2] == '0' && (i == 2 || t[i-3] < '0' || t[i-3] > '9') {
			prev = "0" // "0 errors", not "10 errors" or "32 errors"
		}
		if k == kindError && (prev == "0" || prev == "no" || prev == "No") {
			k = kindNone // "0 errors", "no error"
		}
		switch k {
		case kindError:
			score = max(score, 3)
			if (first || second) && j < len(t) && (t[j] == ':' || t[j] == '!' || t[j] == ']' || t[j] == ' ' && isUpperWord(w)) {
				score = 5 // "error:", "ERROR ", and behind a tool's name: "npm ERR!"
			}
		case kindFail:
			fail++
			if first && j < len(t) && (t[j] == ':' || isUpperWord(w)) {
				score = max(score, 4)
			}
		case kindExit:
			exit++
		case kindWarn:
			warn = true
		}
		if first && len(w) == 1 && (w[0] == 'E' || w[0] == 'F') && j < len(t) && t[j] == ':' {
			score = 5 // apt's "E:", "F:"
		}
		if i > 0 && t[i-1] >= '0' && t[i-1] <= '9' {
			prev = "0"
		} else if len(w) == 2 && (w[0] == 'n' || w[0] == 'N') && w[1] == 'o' {
			prev = "no"
		} else if eqFold(w, "not") {
			prev = "not"
		} else if eqFold(w, "could") {
			prev = "could"
		} else if eqFold(w, "non") {
			prev = "non"
		} else {
			prev = ""
		}
		if i >= 2 && t[i-1] == ' ' && t[i-2] == '0' {
			prev = "0"
		}
		second = first && tool0(w)
		first = false
		words++
		i = j
	}
	if words < 3 && structured(t) {
		return 0
	}
	if fail > 0 {
		score = max(score, 2)
		if score == 3 || score == 2 && fail > 1 {
			score++
		}
	}
	if score == 0 && (exit > 0 || tool) {
		score = 1
	}
	if warn {
		score /= 2
	}
	return uint8(score)
}

// tool0 reports whether w, the first word of a line, is a lower-case tool
// name that prefixes its own messages ("npm ERR!", "pip error:").
func tool0(w []byte) bool {
	for _, c := range w {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return len(w) >= 2 && len(w) <= 12
}

// structured reports whether t starts, after blanks, like a line of JSON
// or of a quoted key: a quote, brace or bracket.
func structured(t []byte) bool {
	for _, c := range t {
		switch c {
		case ' ', '\t':
			continue
		case '"', '\'', '{', '}', '[', ']':
			return true
		}
		return false
	}
	return false
}

// letter marks ASCII letters; keyStart the first letters of the words
// wordKind knows, so that most words are passed over with one lookup.
var letter, keyStart [256]uint8

func init() {
	for c := 'a'; c <= 'z'; c++ {
		letter[c], letter[c-'a'+'A'] = 1, 1
	}
	for _, c := range "efpkadrucswn" {
		keyStart[c], keyStart[c-'a'+'A'] = 1, 1
	}
}

const (
	kindNone = iota
	kindError
	kindFail
	kindExit
	kindWarn
)

func isUpperWord(w []byte) bool {
	for _, c := range w {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return len(w) > 1
}

// eqFold reports whether w equals lower-case word k, ignoring ASCII case.
func eqFold(w []byte, k string) bool {
	if len(w) != len(k) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i]|0x20 != k[i] {
			return false
		}
	}
	return true
}

// hasSuffixFold reports whether w ends with lower-case k, ignoring case.
func hasSuffixFold(w []byte, k string) bool {
	return len(w) > len(k) && eqFold(w[len(w)-len(k):], k)
}

// wordKind sorts a word of letters.
func wordKind(w []byte) int {
	if len(w) < 3 {
		return kindNone
	}
	switch w[0] | 0x20 {
	case 'e':
		if eqFold(w, "error") || eqFold(w, "errors") || eqFold(w, "err") || eqFold(w, "exception") {
			return kindError
		}
		if eqFold(w, "exit") || eqFold(w, "exited") {
			return kindExit
		}
	case 'f':
		if eqFold(w, "fatal") {
			return kindError
		}
		if eqFold(w, "failed") || eqFold(w, "failure") || eqFold(w, "fail") || eqFold(w, "fails") {
			return kindFail
		}
	case 'p':
		if eqFold(w, "panic") {
			return kindError
		}
	case 'k':
		if eqFold(w, "killed") {
			return kindFail
		}
	case 'a':
		if eqFold(w, "abort") || eqFold(w, "aborted") || eqFold(w, "aborting") {
			return kindFail
		}
	case 'd':
		if eqFold(w, "denied") {
			return kindFail
		}
	case 'r':
		if eqFold(w, "refused") {
			return kindFail
		}
	case 'u':
		if eqFold(w, "unable") || eqFold(w, "undefined") {
			return kindFail
		}
	case 'c':
		if eqFold(w, "cannot") || eqFold(w, "couldn") {
			return kindFail
		}
	case 's':
		if eqFold(w, "segmentation") {
			return kindError
		}
	case 'w':
		if eqFold(w, "warning") || eqFold(w, "warn") || eqFold(w, "warnings") {
			return kindWarn
		}
	}
	// ModuleNotFoundError, NullPointerException; not -Werror, liberror.
	if hasSuffixFold(w, "error") && w[len(w)-5] == 'E' || hasSuffixFold(w, "exception") && w[len(w)-9] == 'E' {
		return kindError
	}
	return kindNone
}
