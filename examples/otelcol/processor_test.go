package buildlogprocessor

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/buildlog/buildlog/patterns"
)

func endMarker(build string) rec {
	return rec{build: build, body: "build finished", attrs: map[string]string{"build.event": "finished"}}
}

func TestInterleavedBuilds(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.EndOfBuild = EndOfBuildConfig{Attribute: "build.event", Values: []string{"finished"}}
	})
	// Two builds whose lines are interleaved, over two batches.
	h.consume(batch(
		r("a", "#8 [2/4] RUN pip install numpy==9.9"),
		r("b", "Step 3/5 : RUN make -j8"),
		r("a", "#8 1.203 Collecting numpy==9.9"),
		r("b", "cc -O2 -c widget.c"),
	))
	h.consume(batch(
		r("a", "#8 2.911 "+linePip),
		r("b", lineOOM),
		endMarker("a"),
		endMarker("b"),
	))

	recs, _ := h.output()
	if len(recs) != 8 {
		t.Fatalf("%d records passed on, want 8", len(recs))
	}
	cat := patterns.Default().Catalog()
	for _, tc := range []struct {
		index int
		id    string
		group string
	}{{4, rulePip, "pip"}, {5, ruleOOM, "system"}} {
		a := recs[tc.index].Attributes()
		if got := str(a, AttrIssueID); got != tc.id {
			t.Errorf("record %d (%q): %s = %q, want %q", tc.index, recs[tc.index].Body().Str(), AttrIssueID, got, tc.id)
		}
		if got := str(a, AttrIssueGroup); got != tc.group {
			t.Errorf("record %d: %s = %q, want %q", tc.index, AttrIssueGroup, got, tc.group)
		}
		if got := str(a, AttrIssueSeverity); got != "error" {
			t.Errorf("record %d: %s = %q, want error", tc.index, AttrIssueSeverity, got)
		}
		if got, want := str(a, AttrIssueTitle), cat.Rule(tc.id).Title; got != want {
			t.Errorf("record %d: %s = %q, want %q", tc.index, AttrIssueTitle, got, want)
		}
	}
	for i, lr := range recs {
		if id := str(lr.Attributes(), AttrIssueID); (id == rulePip || id == ruleOOM) && i != 4 && i != 5 {
			t.Errorf("record %d (%q) carries %s", i, lr.Body().Str(), id)
		}
		if got := str(lr.Attributes(), DefaultBuildIDAttribute); got != "a" && got != "b" {
			t.Errorf("record %d lost its build id: %q", i, got)
		}
	}

	for build, want := range map[string]string{"a": rulePip, "b": ruleOOM} {
		s := h.onlySummary(build)
		a := s.Attributes()
		if got := str(a, AttrPrimaryID); got != want {
			t.Errorf("build %s: primary %q, want %q", build, got, want)
		}
		if got, want := str(a, AttrPrimaryTitle), cat.Rule(want).Title; got != want {
			t.Errorf("build %s: primary title %q, want %q", build, got, want)
		}
		if str(a, AttrPrimaryRemediation) == "" {
			t.Errorf("build %s: no remediation", build)
		}
		if ids := issueIDs(a); !slices.Contains(ids, want) {
			t.Errorf("build %s: issue ids %q lack %q", build, ids, want)
		}
		if got := intAttr(a, AttrLines); got != 4 {
			t.Errorf("build %s: %d lines, want 4", build, got)
		}
		if got := str(a, AttrCloseReason); got != ReasonEndOfBuild {
			t.Errorf("build %s: reason %q, want %q", build, got, ReasonEndOfBuild)
		}
		if v, _ := a.Get(AttrFailed); !v.Bool() {
			t.Errorf("build %s: %s is false", build, AttrFailed)
		}
		if s.SeverityNumber() != plog.SeverityNumberError {
			t.Errorf("build %s: severity %v", build, s.SeverityNumber())
		}
	}
	if build := "a"; str(h.onlySummary(build).Attributes(), AttrPrimaryStep) == "" {
		t.Errorf("build %s: the primary issue's BuildKit step is missing", build)
	}
	if n := h.p.OpenStreams(); n != 0 {
		t.Errorf("%d streams open after both end markers", n)
	}

	// The builds are closed: shutting down must not summarise them again.
	before := h.sink.LogRecordCount()
	h.shutdown()
	if after := h.sink.LogRecordCount(); after != before {
		t.Errorf("shutdown emitted %d more records", after-before)
	}
	if got := h.p.Summaries(); got != 2 {
		t.Errorf("Summaries() = %d, want 2", got)
	}
}

func TestSummaryKeepsResource(t *testing.T) {
	h := newHarness(t, nil)
	h.consume(batch(r("a", lineDiskFull)))
	h.shutdown()
	var found bool
	for _, ld := range h.sink.AllLogs() {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			rl := ld.ResourceLogs().At(i)
			sl := rl.ScopeLogs().At(0)
			if sl.LogRecords().At(0).EventName() != SummaryEventName {
				continue
			}
			found = true
			if got := str(rl.Resource().Attributes(), "service.name"); got != "ci-runner" {
				t.Errorf("summary resource service.name = %q", got)
			}
			if sl.Scope().Name() != ScopeName {
				t.Errorf("summary scope %q", sl.Scope().Name())
			}
		}
	}
	if !found {
		t.Fatal("no summary")
	}
}

func TestEvidenceRecord(t *testing.T) {
	t.Parallel() // compiles a catalog with its examples: can be slow under -race
	h := newHarness(t, func(c *Config) {
		c.Catalogs = []string{"testdata/extra-*.yaml"}
	})
	// test_widget_failure keeps two lines of context after its match, so it
	// completes two lines later. In the same batch, the matched record is
	// tagged; across batches, the record being processed is.
	h.consume(batch(
		r("same", "FATAL widget failure: gear jammed"),
		r("same", "cleaning up"),
		r("same", "cleaned"),
		r("split", "FATAL widget failure: belt slipped"),
	))
	h.consume(batch(
		r("split", "cleaning up"),
		r("split", "cleaned"),
		r("last", "FATAL widget failure: cog lost"),
	))
	// An issue that completes only when its stream is closed by shutdown
	// (or idle timeout, or eviction) is in the summary alone: its record
	// has left.
	h.shutdown()
	recs, _ := h.output()
	want := []string{"test_widget_failure", "", "", "", "", "test_widget_failure", ""}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d", len(recs), len(want))
	}
	for i, lr := range recs {
		if got := str(lr.Attributes(), AttrIssueID); got != want[i] {
			t.Errorf("record %d (%s %q): issue %q, want %q", i, str(lr.Attributes(), DefaultBuildIDAttribute), lr.Body().Str(), got, want[i])
		}
	}
	for _, build := range []string{"same", "split", "last"} {
		if got := str(h.onlySummary(build).Attributes(), AttrPrimaryID); got != "test_widget_failure" {
			t.Errorf("build %s: primary %q, want test_widget_failure", build, got)
		}
	}
}

func TestMinSeverity(t *testing.T) {
	t.Parallel() // compiles a catalog with its examples: can be slow under -race
	h := newHarness(t, func(c *Config) {
		c.Catalogs = []string{"testdata/extra-catalog.yaml"}
		c.MinSeverity = "warning"
		c.EndOfBuild.LinePattern = `^build finished$`
	})
	// The end marker completes every issue within the batch, whatever
	// context lines the rules wait for.
	h.consume(batch(r("a", "DEPRECATED FLAG --legacy-resolver"), r("a", lineDiskFull), r("a", "build finished")))
	recs, _ := h.output()
	if got := str(recs[0].Attributes(), AttrIssueID); got != "" {
		t.Errorf("an info issue below min_severity was written: %q", got)
	}
	if got := str(recs[1].Attributes(), AttrIssueID); got != ruleDiskFull {
		t.Errorf("record 1: issue %q, want %q", got, ruleDiskFull)
	}
	s := h.onlySummary("a")
	ids := issueIDs(s.Attributes())
	if !slices.Contains(ids, "test_deprecated_flag") || !slices.Contains(ids, ruleDiskFull) {
		t.Errorf("summary issue ids %q: want every issue, whatever its severity", ids)
	}
	if got := str(s.Attributes(), AttrPrimaryID); got != ruleDiskFull {
		t.Errorf("primary %q, want %q", got, ruleDiskFull)
	}
}

func TestIdleTimeout(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.IdleTimeout = time.Minute })

	// A batch closes the streams that went idle before it.
	h.consume(batch(r("x", lineDiskFull)))
	h.clock.Advance(time.Minute)
	h.consume(batch(r("y", "Step 1/2 : FROM alpine")))
	last := h.sink.AllLogs()[len(h.sink.AllLogs())-1]
	if last.LogRecordCount() != 2 {
		t.Fatalf("the second batch left with %d records, want its record and x's summary", last.LogRecordCount())
	}
	s := h.onlySummary("x")
	if got := str(s.Attributes(), AttrCloseReason); got != ReasonIdle {
		t.Errorf("x: reason %q, want %q", got, ReasonIdle)
	}
	if got := str(s.Attributes(), AttrPrimaryID); got != ruleDiskFull {
		t.Errorf("x: primary %q, want %q", got, ruleDiskFull)
	}

	// With no traffic, the ticker does it.
	h.clock.Advance(time.Minute - time.Second)
	h.tick()
	if got := len(h.summariesByBuild()["y"]); got != 0 {
		t.Fatalf("y summarised before its idle timeout")
	}
	h.clock.Advance(time.Second)
	h.tick()
	s = h.onlySummary("y")
	if got := str(s.Attributes(), AttrCloseReason); got != ReasonIdle {
		t.Errorf("y: reason %q, want %q", got, ReasonIdle)
	}
	if v, _ := s.Attributes().Get(AttrFailed); v.Bool() {
		t.Errorf("y: failed without an issue")
	}
	if n := h.p.OpenStreams(); n != 0 {
		t.Errorf("%d streams open", n)
	}

	// A later line of an idle-closed build starts a new stream.
	h.consume(batch(r("x", "more output")))
	h.shutdown()
	if got := len(h.summariesByBuild()["x"]); got != 2 {
		t.Errorf("x: %d summaries, want 2 (one per stream)", got)
	}
}

func TestMaxStreamsEvictsLeastRecentlyUsed(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxStreams = 2 })
	h.consume(batch(r("s1", lineOOM)))
	h.consume(batch(r("s2", "compiling")))
	h.consume(batch(r("s1", "after the kill")))
	h.consume(batch(r("s3", lineDiskFull))) // s2 is the least recently used
	if n := h.p.OpenStreams(); n != 2 {
		t.Errorf("%d streams open, want 2", n)
	}
	s := h.onlySummary("s2")
	if got := str(s.Attributes(), AttrCloseReason); got != ReasonEvicted {
		t.Errorf("s2: reason %q, want %q", got, ReasonEvicted)
	}
	if got := intAttr(s.Attributes(), AttrLines); got != 1 {
		t.Errorf("s2: %d lines, want 1", got)
	}
	if n := len(h.summariesByBuild()); n != 1 {
		t.Errorf("%d builds summarised before shutdown, want 1", n)
	}

	// Several evictions within one batch.
	h.consume(batch(r("s4", "a"), r("s5", "b"), r("s6", lineDiskFull), r("s4", "c")))
	if n := h.p.OpenStreams(); n > 2 {
		t.Errorf("%d streams open, want at most 2", n)
	}
	h.shutdown()
	byBuild := h.summariesByBuild()
	for _, b := range []string{"s1", "s2", "s3", "s4", "s5", "s6"} {
		if len(byBuild[b]) == 0 {
			t.Errorf("build %s never summarised", b)
		}
	}
	if got := str(h.onlySummary("s1").Attributes(), AttrPrimaryID); got != ruleOOM {
		t.Errorf("s1: primary %q, want %q", got, ruleOOM)
	}
	if got := intAttr(h.onlySummary("s1").Attributes(), AttrLines); got != 2 {
		t.Errorf("s1: %d lines, want 2", got)
	}
	if got := str(h.onlySummary("s3").Attributes(), AttrPrimaryID); got != ruleDiskFull {
		t.Errorf("s3: primary %q, want %q", got, ruleDiskFull)
	}
	// Every line is in exactly one summary.
	var lines int64
	for _, sums := range byBuild {
		for _, s := range sums {
			lines += intAttr(s.Attributes(), AttrLines)
		}
	}
	if lines != 8 {
		t.Errorf("summaries count %d lines, want 8", lines)
	}
}

func TestShutdownFlushes(t *testing.T) {
	h := newHarness(t, nil)
	h.consume(batch(r("p", linePip), r("q", lineOOM), r("r", "all good"), r("p", "Successfully installed nothing")))
	if got := len(h.summariesByBuild()); got != 0 {
		t.Fatalf("%d summaries before shutdown", got)
	}
	h.shutdown()
	for build, want := range map[string]string{"p": rulePip, "q": ruleOOM, "r": ""} {
		s := h.onlySummary(build)
		if got := str(s.Attributes(), AttrCloseReason); got != ReasonShutdown {
			t.Errorf("%s: reason %q, want %q", build, got, ReasonShutdown)
		}
		if got := str(s.Attributes(), AttrPrimaryID); got != want {
			t.Errorf("%s: primary %q, want %q", build, got, want)
		}
	}
	if got := intAttr(h.onlySummary("p").Attributes(), AttrLines); got != 2 {
		t.Errorf("p: %d lines, want 2", got)
	}
	before := h.sink.LogRecordCount()
	h.shutdown()
	if after := h.sink.LogRecordCount(); after != before {
		t.Errorf("a second shutdown emitted %d records", after-before)
	}
}

func TestEndOfBuildLinePattern(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.EndOfBuild.LinePattern = `^Successfully built [0-9a-f]+$`
	})
	h.consume(batch(
		r("a", "2026-11-28T12:00:01.000Z Step 1/1 : FROM alpine"),
		r("a", "2026-11-28T12:00:02.000Z Successfully built 0123abcd"),
		r("a", "a late line starts a new stream"),
	))
	got := h.summariesByBuild()["a"]
	if len(got) != 1 || str(got[0].Attributes(), AttrCloseReason) != ReasonEndOfBuild {
		t.Fatalf("want one end-of-build summary before shutdown, got %d", len(got))
	}
	if n := intAttr(got[0].Attributes(), AttrLines); n != 2 {
		t.Errorf("%d lines, want 2", n)
	}
	if n := h.p.OpenStreams(); n != 1 {
		t.Errorf("%d streams open, want 1", n)
	}
}

func TestEndMarkerWithoutLine(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.EndOfBuild = EndOfBuildConfig{Attribute: "build.event"}
	})
	ld := batch(r("a", lineOOM))
	lr := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().AppendEmpty()
	lr.Attributes().PutStr(DefaultBuildIDAttribute, "a")
	lr.Attributes().PutStr("build.event", "any value")
	lr.Body().SetEmptyMap().PutStr("status", "done") // not a line, but still the end
	h.consume(ld)
	s := h.onlySummary("a")
	if got := intAttr(s.Attributes(), AttrLines); got != 1 {
		t.Errorf("%d lines, want 1", got)
	}
	if got := h.p.MalformedRecords(); got != 0 {
		t.Errorf("%d malformed, want 0", got)
	}
}

func TestBuildIDSources(t *testing.T) {
	withResourceID := func(id string, body string) plog.Logs {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("ci.job.id", id)
		rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr(body)
		return ld
	}

	h := newHarness(t, func(c *Config) { c.BuildID = BuildIDConfig{Attribute: "ci.job.id", Source: SourceResource} })
	h.consume(withResourceID("job-1", lineOOM))
	h.shutdown()
	if got := str(h.onlySummary("job-1").Attributes(), AttrPrimaryID); got != ruleOOM {
		t.Errorf("resource id: primary %q", got)
	}

	h = newHarness(t, func(c *Config) { c.BuildID = BuildIDConfig{Attribute: "ci.job.id", Source: SourceRecord} })
	h.consume(withResourceID("job-1", lineOOM))
	if got := h.p.MalformedRecords(); got != 1 {
		t.Errorf("record source ignores the resource: %d malformed, want 1", got)
	}

	// "any": the record's attribute wins over the resource's.
	h = newHarness(t, func(c *Config) { c.BuildID.Attribute = "ci.job.id" })
	ld := withResourceID("job-1", lineOOM)
	ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().PutInt("ci.job.id", 42)
	h.consume(ld)
	h.shutdown()
	s := h.onlySummary("42")
	if v, _ := s.Attributes().Get("ci.job.id"); v.Int() != 42 {
		t.Errorf("summary build id %v, want the int 42", v.AsRaw())
	}
}

func TestLineAttribute(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.LineAttribute = "log.line"
		c.EndOfBuild.Attribute = "build.event"
	})
	h.consume(batch(
		rec{build: "a", body: "ignored", attrs: map[string]string{"log.line": lineDiskFull}},
		r("a", "no log.line"),
		rec{build: "a", body: "done", attrs: map[string]string{"build.event": "finished"}},
	))
	recs, _ := h.output()
	if got := str(recs[0].Attributes(), AttrIssueID); got != ruleDiskFull {
		t.Errorf("issue %q, want %q", got, ruleDiskFull)
	}
	if got := h.p.MalformedRecords(); got != 1 {
		t.Errorf("%d malformed, want 1 (the record without log.line)", got)
	}
}

func TestMalformedRecordsPassThrough(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	set := processortest.NewNopSettings(componentType)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	h := newHarnessWith(t, set, func(c *Config) { c.EndOfBuild.LinePattern = `^build finished$` })

	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	lrs.AppendEmpty().Body().SetStr(lineOOM) // no build id
	lr := lrs.AppendEmpty()                  // an int body
	lr.Attributes().PutStr(DefaultBuildIDAttribute, "m")
	lr.Body().SetInt(137)
	lr = lrs.AppendEmpty() // a map body
	lr.Attributes().PutStr(DefaultBuildIDAttribute, "m")
	lr.Body().SetEmptyMap().PutStr("msg", lineOOM)
	lr = lrs.AppendEmpty() // an empty build id
	lr.Attributes().PutStr(DefaultBuildIDAttribute, "")
	lr.Body().SetStr(lineOOM)
	lr = lrs.AppendEmpty() // a build id of another type
	lr.Attributes().PutBool(DefaultBuildIDAttribute, true)
	lr.Body().SetStr(lineOOM)
	lr = lrs.AppendEmpty() // a good one, then the end of its build
	lr.Attributes().PutStr(DefaultBuildIDAttribute, "m")
	lr.Body().SetStr(lineOOM)
	lr = lrs.AppendEmpty()
	lr.Attributes().PutStr(DefaultBuildIDAttribute, "m")
	lr.Body().SetStr("build finished")

	want := plog.NewLogs()
	ld.CopyTo(want)
	h.consume(ld)

	recs, _ := h.output()
	wantRecs := want.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	if len(recs) != wantRecs.Len() {
		t.Fatalf("%d records passed on, want %d", len(recs), wantRecs.Len())
	}
	for i := 0; i < 5; i++ {
		got, w := recs[i], wantRecs.At(i)
		if !reflect.DeepEqual(got.Body().AsRaw(), w.Body().AsRaw()) || !reflect.DeepEqual(got.Attributes().AsRaw(), w.Attributes().AsRaw()) {
			t.Errorf("malformed record %d changed: %v %v", i, got.Body().AsRaw(), got.Attributes().AsRaw())
		}
	}
	if got := str(recs[5].Attributes(), AttrIssueID); got != ruleOOM {
		t.Errorf("the good record: issue %q, want %q", got, ruleOOM)
	}
	if got := h.p.MalformedRecords(); got != 5 {
		t.Errorf("MalformedRecords() = %d, want 5", got)
	}

	m, err := tel.GetMetric(MetricMalformedRecords)
	if err != nil {
		t.Fatal(err)
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	if !ok || len(sum.DataPoints) != 1 || sum.DataPoints[0].Value != 5 {
		t.Errorf("metric %s = %+v, want 5", MetricMalformedRecords, m.Data)
	}
}

func TestConcurrentBatches(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.MaxStreams = 5
		c.IdleTimeout = time.Minute
		c.EndOfBuild.LinePattern = `^build done$`
	})
	const (
		workers = 8
		batches = 40
		builds  = 12
	)
	// Seven bodies over twelve builds: every build gets every body.
	bodies := []string{"compiling", lineOOM, "linking", lineDiskFull, "installing", linePip, "build done"}

	stopTicks := make(chan struct{})
	ticksDone := make(chan struct{})
	go func() { // idle sweeps while batches flow
		defer close(ticksDone)
		for {
			select {
			case <-stopTicks:
				return
			case h.ticks <- h.clock.Now():
				h.clock.Advance(10 * time.Second)
			}
		}
	}()

	var wg sync.WaitGroup
	var sent int64
	var mu sync.Mutex
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for b := range batches {
				var recs []rec
				for k := range 7 {
					i := w*batches*7 + b*7 + k
					recs = append(recs, r(fmt.Sprintf("build-%d", i%builds), bodies[i%len(bodies)]))
				}
				if err := h.proc.ConsumeLogs(context.Background(), batch(recs...)); err != nil {
					t.Error(err)
					return
				}
				n += len(recs)
			}
			mu.Lock()
			sent += int64(n)
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(stopTicks)
	<-ticksDone
	h.shutdown()

	recs, sums := h.output()
	if int64(len(recs)) != sent {
		t.Errorf("%d records passed on, want %d", len(recs), sent)
	}
	var lines int64
	for _, s := range sums {
		lines += intAttr(s.Attributes(), AttrLines)
	}
	if lines != sent {
		t.Errorf("summaries count %d lines, want %d: a line was lost or counted twice", lines, sent)
	}
	if got := h.p.Summaries(); got != int64(len(sums)) {
		t.Errorf("Summaries() = %d, sink has %d", got, len(sums))
	}
	if n := h.p.OpenStreams(); n != 0 {
		t.Errorf("%d streams open after shutdown", n)
	}
	// Where an issue is written depends on batch boundaries and on the
	// context lines its rule waits for; that some are written is certain.
	var tagged, primaries int
	for _, lr := range recs {
		if str(lr.Attributes(), AttrIssueID) == ruleOOM {
			tagged++
		}
	}
	for _, s := range sums {
		if str(s.Attributes(), AttrPrimaryID) == ruleOOM {
			primaries++
		}
	}
	if tagged == 0 || primaries == 0 {
		t.Errorf("%s: %d records tagged, %d primaries; want some of each", ruleOOM, tagged, primaries)
	}
}

func TestVerifyShutdown(t *testing.T) {
	f := NewFactory()
	processortest.VerifyShutdown(t, f, f.CreateDefaultConfig())
}
