package buildlogprocessor

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
)

// Lines from the default catalog's examples, and the rules they fire.
const (
	lineOOM      = "Killed"
	lineDiskFull = "OSError: [Errno 28] No space left on device"
	linePip      = "ERROR: No matching distribution found for numpy==9.9"

	ruleOOM      = "out_of_memory"
	ruleDiskFull = "disk_full"
	rulePip      = "pip_no_matching_distribution"
)

// fakeClock is the processor's clock in tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// harness is a started processor whose output goes to a sink, with a fake
// clock and a ticker driven by the test.
type harness struct {
	t     *testing.T
	cfg   *Config
	p     *logsProcessor
	proc  processor.Logs
	sink  *consumertest.LogsSink
	clock *fakeClock
	ticks chan time.Time
}

func newHarness(t *testing.T, edit func(*Config)) *harness {
	t.Helper()
	return newHarnessWith(t, processortest.NewNopSettings(componentType), edit)
}

func newHarnessWith(t *testing.T, set processor.Settings, edit func(*Config)) *harness {
	t.Helper()
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	if edit != nil {
		edit(cfg)
	}
	h := &harness{
		t:     t,
		cfg:   cfg,
		sink:  new(consumertest.LogsSink),
		clock: &fakeClock{t: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)},
		ticks: make(chan time.Time),
	}
	p, err := newLogsProcessor(set, cfg, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	p.now = h.clock.Now
	p.newTicker = func(time.Duration) (<-chan time.Time, func()) { return h.ticks, func() {} }
	h.p = p
	h.proc, err = p.wrap(context.Background(), set, cfg, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.proc.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.proc.Shutdown(context.Background()) })
	return h
}

// tick makes the processor's loop look for idle streams, and returns once
// it has done so: the loop takes the second tick only after handling the
// first.
func (h *harness) tick() {
	h.ticks <- h.clock.Now()
	h.ticks <- h.clock.Now()
}

func (h *harness) consume(ld plog.Logs) {
	h.t.Helper()
	if err := h.proc.ConsumeLogs(context.Background(), ld); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) shutdown() {
	h.t.Helper()
	if err := h.proc.Shutdown(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}

// rec describes one log record: a build id (none when empty), a body and
// extra string attributes.
type rec struct {
	build string
	body  string
	attrs map[string]string
}

func r(build, body string) rec { return rec{build: build, body: body} }

// batch puts records into one resource logs, as a receiver would.
func batch(recs ...rec) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "ci-runner")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for _, x := range recs {
		lr := lrs.AppendEmpty()
		lr.Body().SetStr(x.body)
		if x.build != "" {
			lr.Attributes().PutStr(DefaultBuildIDAttribute, x.build)
		}
		for k, v := range x.attrs {
			lr.Attributes().PutStr(k, v)
		}
	}
	return ld
}

// output splits what the sink received into pass-through records and
// summary records, each in order.
func (h *harness) output() (recs, sums []plog.LogRecord) {
	for _, ld := range h.sink.AllLogs() {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			sls := ld.ResourceLogs().At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					lr := lrs.At(k)
					if lr.EventName() == SummaryEventName {
						sums = append(sums, lr)
					} else {
						recs = append(recs, lr)
					}
				}
			}
		}
	}
	return recs, sums
}

// summariesByBuild groups summary records by build id.
func (h *harness) summariesByBuild() map[string][]plog.LogRecord {
	_, sums := h.output()
	out := map[string][]plog.LogRecord{}
	for _, s := range sums {
		out[str(s.Attributes(), h.cfg.BuildID.Attribute)] = append(out[str(s.Attributes(), h.cfg.BuildID.Attribute)], s)
	}
	return out
}

// onlySummary returns the one summary of a build, failing unless there is
// exactly one.
func (h *harness) onlySummary(build string) plog.LogRecord {
	h.t.Helper()
	got := h.summariesByBuild()[build]
	if len(got) != 1 {
		h.t.Fatalf("build %q: %d summaries, want exactly 1", build, len(got))
	}
	return got[0]
}

func str(m pcommon.Map, key string) string {
	v, ok := m.Get(key)
	if !ok {
		return ""
	}
	return v.AsString()
}

func intAttr(m pcommon.Map, key string) int64 {
	v, ok := m.Get(key)
	if !ok {
		return -1
	}
	return v.Int()
}

func issueIDs(m pcommon.Map) []string {
	v, ok := m.Get(AttrIssueIDs)
	if !ok {
		return nil
	}
	var out []string
	for i := 0; i < v.Slice().Len(); i++ {
		out = append(out, v.Slice().At(i).Str())
	}
	return out
}
