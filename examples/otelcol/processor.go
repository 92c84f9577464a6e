package buildlogprocessor

import (
	"container/list"
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"

	"github.com/buildlog/buildlog/classify"
)

// Attributes set on the record that carries an issue's evidence.
const (
	AttrIssueID       = "buildlog.issue.id"
	AttrIssueGroup    = "buildlog.issue.group"
	AttrIssueSeverity = "buildlog.issue.severity"
	AttrIssueTitle    = "buildlog.issue.title"
)

// Attributes of the summary record emitted when a build's stream closes.
// The summary also carries the build id under the configured attribute key.
const (
	AttrPrimaryID          = "buildlog.primary.id"
	AttrPrimaryTitle       = "buildlog.primary.title"
	AttrPrimaryRemediation = "buildlog.primary.remediation"
	AttrPrimaryGroup       = "buildlog.primary.group"
	AttrPrimaryLine        = "buildlog.primary.line"
	AttrPrimaryStep        = "buildlog.primary.step"
	AttrIssueIDs           = "buildlog.issue.ids"
	AttrLines              = "buildlog.lines"
	AttrFailed             = "buildlog.failed"
	AttrCloseReason        = "buildlog.close_reason"

	// SummaryEventName is the event name of every summary record.
	SummaryEventName = "buildlog.build.summary"
)

// Why a stream was closed: the value of AttrCloseReason.
const (
	ReasonEndOfBuild = "end_of_build"
	ReasonIdle       = "idle_timeout"
	ReasonEvicted    = "evicted"
	ReasonShutdown   = "shutdown"
)

// maxLineBytes cuts a longer line before it is classified, as Scan does.
const maxLineBytes = classify.DefaultMaxLineBytes

// logsProcessor keeps one classify.Session per build stream.
//
// Locking: p.mu guards the stream table and LRU list; each stream's mu
// guards its session. A goroutine never holds two stream locks at once, and
// never waits for a stream lock while holding p.mu, so the order is always
// stream.mu before p.mu.
type logsProcessor struct {
	cfg       *Config
	m         *classify.Matcher
	next      consumer.Logs
	logger    *zap.Logger
	tel       *telemetry
	minSev    classify.Severity
	endValues map[string]bool
	endRe     *regexp.Regexp

	// now and newTicker are the clock; tests replace them before Start.
	now       func() time.Time
	newTicker func(time.Duration) (<-chan time.Time, func())

	mu      sync.Mutex
	streams map[string]*stream
	lru     list.List // of *stream, most recently used at the front

	malformed atomic.Int64
	summaries atomic.Int64

	stopOnce sync.Once
	stop     chan struct{}
	loopDone chan struct{}
}

// stream is the state of one build.
type stream struct {
	key      string
	id       pcommon.Value    // the build id as it arrived, for the summary
	resource pcommon.Resource // the resource of the build's first record

	elem     *list.Element // guarded by p.mu; nil once out of the table
	lastSeen time.Time     // guarded by p.mu

	mu     sync.Mutex
	sess   *classify.Session
	closed bool
}

// summary is a closed stream waiting to be written as a record.
type summary struct {
	st     *stream
	report *classify.Report
	reason string
	at     time.Time
}

func newLogsProcessor(set processor.Settings, cfg *Config, next consumer.Logs) (*logsProcessor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("buildlog: %w", err)
	}
	m, err := loadMatcher(cfg.Catalogs)
	if err != nil {
		return nil, fmt.Errorf("buildlog: %w", err)
	}
	tel, err := newTelemetry(set.TelemetrySettings)
	if err != nil {
		return nil, fmt.Errorf("buildlog: telemetry: %w", err)
	}
	sev, _ := classify.ParseSeverity(cfg.MinSeverity)
	p := &logsProcessor{
		cfg:     cfg,
		m:       m,
		next:    next,
		logger:  set.Logger,
		tel:     tel,
		minSev:  sev,
		now:     time.Now,
		streams: map[string]*stream{},
		newTicker: func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		},
	}
	if p.logger == nil {
		p.logger = zap.NewNop()
	}
	if len(cfg.EndOfBuild.Values) > 0 {
		p.endValues = map[string]bool{}
		for _, v := range cfg.EndOfBuild.Values {
			p.endValues[v] = true
		}
	}
	if cfg.EndOfBuild.LinePattern != "" {
		p.endRe = regexp.MustCompile(cfg.EndOfBuild.LinePattern) // checked by Validate
	}
	return p, nil
}

// MalformedRecords returns how many records were passed on untouched
// because they had no usable build id or line.
func (p *logsProcessor) MalformedRecords() int64 { return p.malformed.Load() }

// Summaries returns how many build summaries were emitted.
func (p *logsProcessor) Summaries() int64 { return p.summaries.Load() }

// OpenStreams returns the number of builds being classified.
func (p *logsProcessor) OpenStreams() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.streams)
}

// checkInterval is how often idle streams are looked for: half the idle
// timeout, within [10ms, 1m].
func (p *logsProcessor) checkInterval() time.Duration {
	return min(max(p.cfg.IdleTimeout/2, 10*time.Millisecond), time.Minute)
}

func (p *logsProcessor) start(context.Context, component.Host) error {
	ticks, stopTicker := p.newTicker(p.checkInterval())
	p.stop = make(chan struct{})
	p.loopDone = make(chan struct{})
	go p.loop(ticks, stopTicker)
	return nil
}

// loop closes idle streams between batches, so a build whose last line
// arrived long ago is summarised even when no more logs come.
func (p *logsProcessor) loop(ticks <-chan time.Time, stopTicker func()) {
	defer close(p.loopDone)
	defer stopTicker()
	for {
		select {
		case <-p.stop:
			return
		case <-ticks:
			ctx := context.Background()
			sums := p.closeStreams(ctx, p.expire(p.now()), ReasonIdle)
			if err := p.emit(ctx, sums); err != nil {
				p.logger.Warn("buildlog: sending summaries of idle builds failed", zap.Error(err))
			}
		}
	}
}

// shutdown closes every open stream and sends its summary on.
func (p *logsProcessor) shutdown(ctx context.Context) error {
	p.stopOnce.Do(func() {
		if p.stop != nil {
			close(p.stop)
			<-p.loopDone
		}
	})
	p.mu.Lock()
	var all []*stream
	for e := p.lru.Back(); e != nil; e = e.Prev() {
		all = append(all, e.Value.(*stream))
	}
	for _, st := range all {
		p.removeLocked(ctx, st)
	}
	p.mu.Unlock()
	return p.emit(ctx, p.closeStreams(ctx, all, ReasonShutdown))
}

// emit sends summaries to the next consumer outside a batch.
func (p *logsProcessor) emit(ctx context.Context, sums []summary) error {
	if len(sums) == 0 {
		return nil
	}
	ld := plog.NewLogs()
	p.appendSummaries(ld, sums)
	return p.next.ConsumeLogs(ctx, ld)
}

// record is one log record of a batch, with what the processor read from it.
type record struct {
	lr      plog.LogRecord
	res     pcommon.Resource
	line    string
	hasLine bool
	end     bool // marked by the end-of-build attribute
}

// group is the records of one build in a batch, in arrival order.
type group struct {
	key  string
	id   pcommon.Value
	recs []record
}

// processLogs classifies a batch. Records are changed in place (issue
// attributes) and never removed; summaries of the builds closed meanwhile
// are appended as new resource logs.
func (p *logsProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	sums := p.closeStreams(ctx, p.expire(p.now()), ReasonIdle)
	groups, malformed := p.group(ld)
	if malformed > 0 {
		p.malformed.Add(malformed)
		p.tel.malformed.Add(ctx, malformed)
	}
	for _, g := range groups {
		sums = p.feed(ctx, g, sums)
	}
	p.appendSummaries(ld, sums)
	return ld, nil
}

// group sorts a batch's records by build, keeping the order of each build's
// records, and counts the malformed ones.
func (p *logsProcessor) group(ld plog.Logs) ([]*group, int64) {
	var (
		groups    []*group
		byKey     = map[string]*group{}
		malformed int64
	)
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		res := rl.Resource()
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				key, id, ok := p.buildID(res, lr)
				if !ok {
					malformed++
					continue
				}
				r := record{lr: lr, res: res, end: p.endByAttribute(lr)}
				r.line, r.hasLine = p.line(lr)
				if !r.hasLine && !r.end {
					malformed++
					continue
				}
				g := byKey[key]
				if g == nil {
					g = &group{key: key, id: id}
					byKey[key] = g
					groups = append(groups, g)
				}
				g.recs = append(g.recs, r)
			}
		}
	}
	return groups, malformed
}

// buildID finds a record's build id; ok is false when it is missing, empty
// or neither a string nor an integer.
func (p *logsProcessor) buildID(res pcommon.Resource, lr plog.LogRecord) (key string, v pcommon.Value, ok bool) {
	attr := p.cfg.BuildID.Attribute
	src := p.cfg.BuildID.Source
	found := false
	if src != SourceResource {
		v, found = lr.Attributes().Get(attr)
	}
	if !found && src != SourceRecord {
		v, found = res.Attributes().Get(attr)
	}
	if !found {
		return "", v, false
	}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return v.Str(), v, v.Str() != ""
	case pcommon.ValueTypeInt:
		return strconv.FormatInt(v.Int(), 10), v, true
	default:
		return "", v, false
	}
}

// line returns the record's log line; ok is false when it is not a string.
func (p *logsProcessor) line(lr plog.LogRecord) (string, bool) {
	v := lr.Body()
	if p.cfg.LineAttribute != "" {
		var found bool
		if v, found = lr.Attributes().Get(p.cfg.LineAttribute); !found {
			return "", false
		}
	}
	if v.Type() != pcommon.ValueTypeStr {
		return "", false
	}
	return v.Str(), true
}

func (p *logsProcessor) endByAttribute(lr plog.LogRecord) bool {
	if p.cfg.EndOfBuild.Attribute == "" {
		return false
	}
	v, ok := lr.Attributes().Get(p.cfg.EndOfBuild.Attribute)
	if !ok {
		return false
	}
	return p.endValues == nil || p.endValues[v.AsString()]
}

// span maps the session's line numbers first..last to a record of a group.
type span struct {
	first, last int
	rec         int
}

// feed classifies one build's records of a batch.
func (p *logsProcessor) feed(ctx context.Context, g *group, sums []summary) []summary {
	var (
		st    *stream
		spans []span
		best  = map[int]classify.Issue{} // issue written on each record
	)
	for i := range g.recs {
		r := &g.recs[i]
		if st == nil {
			st, sums = p.acquire(ctx, g.key, g.id, r.res, sums)
			spans = spans[:0]
		}
		end := r.end
		if r.hasLine {
			line := r.line
			if len(line) > maxLineBytes {
				line = line[:maxLineBytes]
			}
			first := st.sess.Lines() + 1
			issues := st.sess.FeedString(line)
			spans = append(spans, span{first: first, last: st.sess.Lines(), rec: i})
			p.tag(g, spans, i, issues, best)
			if !end && p.endRe != nil && p.endRe.Match(st.sess.Normalized()) {
				end = true
			}
		}
		if end {
			p.tag(g, spans, i, st.sess.Close(), best)
			p.forget(ctx, st)
			sums = append(sums, p.finishLocked(ctx, st, ReasonEndOfBuild))
			st.mu.Unlock()
			st = nil
		}
	}
	if st != nil {
		st.mu.Unlock()
	}
	return sums
}

// tag writes issues on the records that carry their evidence: the record
// holding the issue's first line if it is in this batch, else the record
// being processed. When several issues fall on one record, the most severe
// (then the highest priority) wins.
func (p *logsProcessor) tag(g *group, spans []span, cur int, issues []classify.Issue, best map[int]classify.Issue) {
	for _, is := range issues {
		if is.Severity < p.minSev {
			continue
		}
		target := cur
		j := sort.Search(len(spans), func(k int) bool { return spans[k].last >= is.Line })
		if j < len(spans) && spans[j].first <= is.Line {
			target = spans[j].rec
		}
		if old, ok := best[target]; ok && !outranks(is, old) {
			continue
		}
		best[target] = is
		attrs := g.recs[target].lr.Attributes()
		attrs.PutStr(AttrIssueID, is.ID)
		attrs.PutStr(AttrIssueGroup, is.Group)
		attrs.PutStr(AttrIssueSeverity, is.Severity.String())
		attrs.PutStr(AttrIssueTitle, is.Title)
	}
}

func outranks(a, b classify.Issue) bool {
	if a.Severity != b.Severity {
		return a.Severity > b.Severity
	}
	return a.Priority > b.Priority
}

// acquire returns the open stream of a build, locked, opening one if needed.
// Opening one beyond MaxStreams closes the least recently used streams; their
// summaries are added to sums.
func (p *logsProcessor) acquire(ctx context.Context, key string, id pcommon.Value, res pcommon.Resource, sums []summary) (*stream, []summary) {
	for {
		var victims []*stream
		p.mu.Lock()
		st := p.streams[key]
		if st == nil {
			st = &stream{key: key, id: pcommon.NewValueEmpty(), resource: pcommon.NewResource(), sess: p.m.NewSession()}
			id.CopyTo(st.id)
			res.CopyTo(st.resource)
			st.elem = p.lru.PushFront(st)
			p.streams[key] = st
			p.tel.open.Add(ctx, 1)
			for len(p.streams) > p.cfg.MaxStreams {
				v := p.lru.Back().Value.(*stream) // never st: it is at the front
				p.removeLocked(ctx, v)
				victims = append(victims, v)
			}
		} else {
			p.lru.MoveToFront(st.elem)
		}
		st.lastSeen = p.now()
		p.mu.Unlock()

		sums = append(sums, p.closeStreams(ctx, victims, ReasonEvicted)...)
		st.mu.Lock()
		if !st.closed {
			return st, sums
		}
		// Closed by another goroutine between the two locks: open anew.
		st.mu.Unlock()
	}
}

// expire takes the streams idle since before now-IdleTimeout out of the
// table; the caller closes them.
func (p *logsProcessor) expire(now time.Time) []*stream {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*stream
	for e := p.lru.Back(); e != nil; e = p.lru.Back() {
		st := e.Value.(*stream)
		if now.Sub(st.lastSeen) < p.cfg.IdleTimeout {
			break
		}
		p.removeLocked(context.Background(), st)
		out = append(out, st)
	}
	return out
}

// removeLocked takes st out of the table; p.mu is held.
func (p *logsProcessor) removeLocked(ctx context.Context, st *stream) {
	if st.elem == nil {
		return
	}
	p.lru.Remove(st.elem)
	st.elem = nil
	if p.streams[st.key] == st {
		delete(p.streams, st.key)
	}
	p.tel.open.Add(ctx, -1)
}

func (p *logsProcessor) forget(ctx context.Context, st *stream) {
	p.mu.Lock()
	p.removeLocked(ctx, st)
	p.mu.Unlock()
}

// closeStreams closes streams already out of the table, skipping those
// another goroutine closed, and returns their summaries.
func (p *logsProcessor) closeStreams(ctx context.Context, sts []*stream, reason string) []summary {
	var out []summary
	for _, st := range sts {
		st.mu.Lock()
		if !st.closed {
			st.sess.Close()
			out = append(out, p.finishLocked(ctx, st, reason))
		}
		st.mu.Unlock()
	}
	return out
}

// finishLocked marks a stream closed and takes its report; st.mu is held
// and its session is closed.
func (p *logsProcessor) finishLocked(ctx context.Context, st *stream, reason string) summary {
	st.closed = true
	rep := st.sess.Report()
	st.sess = nil
	p.summaries.Add(1)
	p.tel.summaries.Add(ctx, 1, reasonOption(reason))
	p.logger.Debug("buildlog: build summarised",
		zap.String("build", st.key), zap.String("reason", reason),
		zap.Int("lines", rep.Lines), zap.Int("issues", len(rep.Issues)))
	return summary{st: st, report: rep, reason: reason, at: p.now()}
}

// appendSummaries writes one record per summary, each in its own resource
// logs with the resource of the build's first record.
func (p *logsProcessor) appendSummaries(ld plog.Logs, sums []summary) {
	for _, s := range sums {
		rl := ld.ResourceLogs().AppendEmpty()
		s.st.resource.CopyTo(rl.Resource())
		sl := rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName(ScopeName)
		p.fillSummary(sl.LogRecords().AppendEmpty(), s)
	}
}

func (p *logsProcessor) fillSummary(lr plog.LogRecord, s summary) {
	rep := s.report
	ts := pcommon.NewTimestampFromTime(s.at)
	lr.SetTimestamp(ts)
	lr.SetObservedTimestamp(ts)
	lr.SetEventName(SummaryEventName)

	attrs := lr.Attributes()
	s.st.id.CopyTo(attrs.PutEmpty(p.cfg.BuildID.Attribute))
	attrs.PutStr(AttrCloseReason, s.reason)
	attrs.PutInt(AttrLines, int64(rep.Lines))
	attrs.PutBool(AttrFailed, rep.Failed())
	ids := attrs.PutEmptySlice(AttrIssueIDs)
	seen := map[string]bool{}
	for _, is := range rep.Issues {
		if !seen[is.ID] {
			seen[is.ID] = true
			ids.AppendEmpty().SetStr(is.ID)
		}
	}

	switch pr := rep.Primary; {
	case pr != nil:
		attrs.PutStr(AttrPrimaryID, pr.ID)
		attrs.PutStr(AttrPrimaryTitle, pr.Title)
		attrs.PutStr(AttrPrimaryRemediation, pr.Remediation)
		attrs.PutStr(AttrPrimaryGroup, pr.Group)
		attrs.PutInt(AttrPrimaryLine, int64(pr.Line))
		if pr.Step != "" {
			attrs.PutStr(AttrPrimaryStep, pr.Step)
		}
		lr.SetSeverityNumber(plog.SeverityNumberError)
		lr.SetSeverityText("ERROR")
		lr.Body().SetStr(fmt.Sprintf("build %s failed: %s (%s, line %d)", s.st.key, pr.Title, pr.ID, pr.Line))
	case ids.Len() > 0:
		lr.SetSeverityNumber(plog.SeverityNumberWarn)
		lr.SetSeverityText("WARN")
		lr.Body().SetStr(fmt.Sprintf("build %s: no known failure in %d lines; %d issue(s) noted", s.st.key, rep.Lines, ids.Len()))
	default:
		lr.SetSeverityNumber(plog.SeverityNumberInfo)
		lr.SetSeverityText("INFO")
		lr.Body().SetStr(fmt.Sprintf("build %s: no known failure in %d lines", s.st.key, rep.Lines))
	}
}
