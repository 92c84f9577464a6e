package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"time"
)

// verdict is triage's answer for one log (its --format jsonl output).
type verdict struct {
	Source  string `json:"source"`
	Lines   int    `json:"lines"`
	Primary *struct {
		ID string `json:"id"`
	} `json:"primary"`
}

func (v verdict) primary() string {
	if v.Primary == nil {
		return ""
	}
	return v.Primary.ID
}

func readTriage(path string) (map[string]verdict, error) {
	out := map[string]verdict{}
	if path == "" {
		return out, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// triage --format json writes one object per log, or an array of them.
	var list []verdict
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '[' {
		err = json.Unmarshal(t, &list)
	} else {
		dec := json.NewDecoder(bytes.NewReader(data))
		for dec.More() {
			var v verdict
			if err = dec.Decode(&v); err != nil {
				break
			}
			list = append(list, v)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, v := range list {
		out[v.Source] = v
	}
	return out, nil
}

func readManifest(path string) (Manifest, error) {
	var m Manifest
	data, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(data, &m)
}

// getState asks the sink for what it saw of the builds whose ids start with
// one of prefixes.
func getState(sinkURL string, prefixes []string) (State, error) {
	var st State
	q := url.Values{"prefix": prefixes}
	resp, err := http.Get(sinkURL + "/state?" + q.Encode())
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// metricSum adds up the samples of a Prometheus metric whose name starts
// with name.
func metricSum(metricsURL, name string) (float64, error) {
	resp, err := http.Get(metricsURL)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	var sum float64
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, name) {
			continue
		}
		fields := strings.Fields(line)
		var v float64
		if _, err := fmt.Sscan(fields[len(fields)-1], &v); err == nil {
			sum += v
		}
	}
	return sum, nil
}

// result collects a case's failures and observations.
type result struct {
	fails []string
	notes []string
}

func (r *result) fail(format string, args ...any) {
	r.fails = append(r.fails, fmt.Sprintf(format, args...))
}
func (r *result) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

type checkInput struct {
	st        State
	manifests []Manifest
	triage    map[string]verdict
	big       map[string]verdict // triage on the big-line log
	metrics   map[string]string  // back end → metrics URL
	// allRecords: every record sent must reach the sink (a case where
	// nothing was in flight when the back end died).
	allRecords bool
}

func bySummary(st State) map[string][]Summary {
	out := map[string][]Summary{}
	for _, s := range st.Summaries {
		out[s.BuildID] = append(out[s.BuildID], s)
	}
	return out
}

// backends returns the back ends that received records of a build, sorted.
func backends(st State, id string) []string {
	var out []string
	for b := range st.Records[id] {
		out = append(out, b)
	}
	sort.Strings(out)
	return out
}

func records(st State, id string) int64 {
	var n int64
	for _, c := range st.Records[id] {
		n += c
	}
	return n
}

var cases = map[string]func(in checkInput, r *result){
	"main":       checkMain,
	"crash":      checkCrash,
	"graceful":   checkGraceful,
	"disconnect": checkDisconnect,
	"removal":    checkRemoval,
	"burst":      checkBurst,
	"noid":       checkNoID,
	"bigline":    checkBigLine,
}

// checkMain: one summary per build, at its end, with triage's primary and
// line count, and every record of a build on the back end the ring chose.
func checkMain(in checkInput, r *result) {
	m := in.manifests[0]
	sums := bySummary(in.st)
	perBackend := map[string]int{}
	failed, agree := 0, 0
	for _, b := range m.Builds {
		v, ok := in.triage[b.Fixture]
		if !ok {
			r.fail("%s: no triage verdict for %s", b.ID, b.Fixture)
			continue
		}
		ss := sums[b.ID]
		if len(ss) != 1 {
			r.fail("%s: %d summaries, want 1", b.ID, len(ss))
			continue
		}
		s := ss[0]
		if s.Reason != "end_of_build" {
			r.fail("%s: close reason %s, want end_of_build", b.ID, s.Reason)
		}
		if s.Primary != v.primary() {
			r.fail("%s: primary %q, triage says %q", b.ID, s.Primary, v.primary())
		} else {
			agree++
		}
		if int(s.Lines) != v.Lines {
			r.fail("%s: %d lines in the summary, triage counts %d", b.ID, s.Lines, v.Lines)
		}
		if s.Primary != "" {
			failed++
		}
		bes := backends(in.st, b.ID)
		if len(bes) != 1 {
			r.fail("%s: records seen by back ends %v, want one", b.ID, bes)
		} else {
			perBackend[bes[0]]++
			if m.Mode == "ring" && bes[0] != b.Owner {
				r.fail("%s: records on %s, the ring says %s", b.ID, bes[0], b.Owner)
			}
			if s.Backend != bes[0] {
				r.fail("%s: summary from %s, records on %s", b.ID, s.Backend, bes[0])
			}
		}
		if got := records(in.st, b.ID); got != int64(b.Records) {
			r.fail("%s: %d records reached the sink, %d sent", b.ID, got, b.Records)
		}
	}
	r.note("%d builds (%s mode), builds per back end %v; %d with a primary; %d/%d primaries equal to triage's",
		len(m.Builds), m.Mode, perBackend, failed, agree, len(m.Builds))
}

func pairByID(a, b Manifest) map[string][2]Sent {
	out := map[string][2]Sent{}
	for _, s := range a.Builds {
		p := out[s.ID]
		p[0] = s
		out[s.ID] = p
	}
	for _, s := range b.Builds {
		p := out[s.ID]
		p[1] = s
		out[s.ID] = p
	}
	return out
}

// checkCrash: the back end was killed (SIGKILL) as soon as the first half
// of each build had been answered, and restarted before the second. The
// README says the open sessions are lost without a summary, and the build's
// next lines open a new stream whose summary covers only them. Records the
// back end had accepted but not yet exported (held by its batch processor)
// are lost too; every record of the second half arrives.
func checkCrash(in checkInput, r *result) {
	first, second := in.manifests[0], in.manifests[1]
	sums := bySummary(in.st)
	var sent, got int64
	lost, differ, cut := 0, 0, 0
	var examples []string
	for id, p := range pairByID(first, second) {
		ss := sums[id]
		sent += int64(p[0].Records + p[1].Records)
		n := records(in.st, id)
		got += n
		if n < int64(p[1].Records) || n > int64(p[0].Records+p[1].Records) {
			r.fail("%s: %d records reached the sink; sent %d before the crash and %d after, all of the latter should arrive", id, n, p[0].Records, p[1].Records)
		}
		if n < int64(p[0].Records+p[1].Records) {
			cut++
			if in.allRecords {
				r.fail("%s: %d of %d records reached the sink, want all: nothing was in flight at the kill", id, n, p[0].Records+p[1].Records)
			}
		}
		if len(ss) != 1 {
			r.fail("%s: %d summaries, want 1 (the stream cut by the crash has none)", id, len(ss))
			continue
		}
		s := ss[0]
		want := p[1].To - p[1].From
		if s.Reason != "end_of_build" || int(s.Lines) != want {
			r.fail("%s: summary %s with %d lines, want end_of_build with %d (the lines after the restart)", id, s.Reason, s.Lines, want)
		}
		if v, ok := in.triage[p[0].Fixture]; ok && v.primary() != s.Primary {
			differ++
			examples = append(examples, fmt.Sprintf("%s: %q, triage %q", id, s.Primary, v.primary()))
			if v.primary() != "" && s.Primary == "" {
				lost++
			}
		}
	}
	r.note("%d builds, one end_of_build summary each, of the lines after the restart; %d of %d records reached the sink: %d accepted before the kill were never exported (%d builds lost some); %d summaries' primary differs from triage on the whole log, %d of them have none",
		len(second.Builds), got, sent, sent-got, cut, differ, lost)
	sort.Strings(examples)
	for i, e := range examples {
		if i == 3 {
			break
		}
		r.note("  e.g. %s", e)
	}
}

// checkGraceful: the back end got SIGTERM after the first half and was
// started again for the second: a shutdown summary of the first half, then
// an end_of_build summary of the rest.
func checkGraceful(in checkInput, r *result) {
	first, second := in.manifests[0], in.manifests[1]
	sums := bySummary(in.st)
	var sent, got int64
	for id, p := range pairByID(first, second) {
		sent += int64(p[0].Records + p[1].Records)
		got += records(in.st, id)
		reasons := map[string]int64{}
		for _, s := range sums[id] {
			reasons[s.Reason] = s.Lines
		}
		if len(sums[id]) != 2 {
			r.fail("%s: %d summaries, want 2 (shutdown, end_of_build)", id, len(sums[id]))
			continue
		}
		if n, ok := reasons["shutdown"]; !ok || int(n) != p[0].To-p[0].From {
			r.fail("%s: summaries %v, want shutdown with %d lines", id, reasons, p[0].To-p[0].From)
		}
		if n, ok := reasons["end_of_build"]; !ok || int(n) != p[1].To-p[1].From {
			r.fail("%s: summaries %v, want end_of_build with %d lines", id, reasons, p[1].To-p[1].From)
		}
	}
	r.note("%d builds, 2 summaries each; %d of %d records reached the sink", len(second.Builds), got, sent)
}

// checkDisconnect: the sender stopped mid-build without an end marker; each
// build is closed by idle_timeout with the lines that arrived.
func checkDisconnect(in checkInput, r *result) {
	m := in.manifests[0]
	sums := bySummary(in.st)
	for _, b := range m.Builds {
		ss := sums[b.ID]
		if len(ss) != 1 || ss[0].Reason != "idle_timeout" || int(ss[0].Lines) != b.To-b.From {
			r.fail("%s: summaries %+v, want one idle_timeout with %d lines", b.ID, ss, b.To-b.From)
		}
	}
	r.note("%d builds cut at half: each got one idle_timeout summary of the lines sent", len(m.Builds))
}

// checkRemoval: the first half went over the full ring, the second over the
// ring without one back end. Builds that back end owned move (and only
// they); the removed back end closes them by idle timeout with the first
// half, the new owner summarises the second half at the end marker.
func checkRemoval(in checkInput, r *result) {
	first, second := in.manifests[0], in.manifests[1]
	sums := bySummary(in.st)
	moved, stayed := 0, 0
	dest := map[string]int{}
	for id, p := range pairByID(first, second) {
		ss := sums[id]
		v := in.triage[p[0].Fixture]
		if p[0].Owner == p[1].Owner {
			stayed++
			if len(ss) != 1 || ss[0].Reason != "end_of_build" || int(ss[0].Lines) != p[0].Total || ss[0].Primary != v.primary() {
				r.fail("%s stayed on %s: summaries %+v, want one end_of_build of %d lines, primary %q", id, p[0].Owner, ss, p[0].Total, v.primary())
			}
			continue
		}
		moved++
		dest[p[1].Owner]++
		byReason := map[string]Summary{}
		for _, s := range ss {
			byReason[s.Reason] = s
		}
		idle, okIdle := byReason["idle_timeout"]
		eob, okEnd := byReason["end_of_build"]
		switch {
		case len(ss) != 2 || !okIdle || !okEnd:
			r.fail("%s moved %s→%s: summaries %+v, want idle_timeout and end_of_build", id, p[0].Owner, p[1].Owner, ss)
		case idle.Backend != p[0].Owner || int(idle.Lines) != p[0].To-p[0].From:
			r.fail("%s: idle summary from %s with %d lines, want %s with %d", id, idle.Backend, idle.Lines, p[0].Owner, p[0].To-p[0].From)
		case eob.Backend != p[1].Owner || int(eob.Lines) != p[1].To-p[1].From:
			r.fail("%s: end summary from %s with %d lines, want %s with %d", id, eob.Backend, eob.Lines, p[1].Owner, p[1].To-p[1].From)
		}
	}
	removed := map[string]bool{}
	for _, b := range first.Builds {
		removed[b.Owner] = true
	}
	for _, b := range second.Builds {
		delete(removed, b.Owner)
	}
	if moved == 0 {
		r.fail("no build moved")
	}
	r.note("%d builds stayed on their back end (one whole summary each); %d moved off the removed back end %v to %v (idle_timeout summary of the first half there, end_of_build of the second half on the new owner)",
		stayed, moved, keys(removed), dest)
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkBurst: more builds at once than max_streams. Builds are evicted
// (least recently used) and reopened: several summaries per build, every
// line in exactly one of them, the last at the end marker; every record
// still passes.
func checkBurst(in checkInput, r *result) {
	m := in.manifests[0]
	sums := bySummary(in.st)
	evicted, total := 0, 0
	var sent, got int64
	for _, b := range m.Builds {
		var lines int64
		ends := 0
		for _, s := range sums[b.ID] {
			lines += s.Lines
			total++
			switch s.Reason {
			case "evicted":
				evicted++
			case "end_of_build":
				ends++
			}
		}
		if int(lines) != b.To-b.From || ends != 1 {
			r.fail("%s: %d summaries covering %d lines with %d end_of_build, want %d lines and one end_of_build", b.ID, len(sums[b.ID]), lines, ends, b.To-b.From)
		}
		sent += int64(b.Records)
		got += records(in.st, b.ID)
	}
	if evicted == 0 {
		r.fail("no build was evicted")
	}
	if got != sent {
		r.fail("%d of %d records reached the sink", got, sent)
	}
	r.note("%d builds at once: %d summaries, %d of them evicted; every line counted once; %d of %d records passed", len(m.Builds), total, evicted, got, sent)
}

// checkNoID: records without a build id pass untouched and are counted.
func checkNoID(in checkInput, r *result) {
	m := in.manifests[0]
	if got := in.st.NoID[m.NoIDTo]; got != int64(m.NoID) {
		r.fail("%d records without a build id reached the sink from %s, %d sent", got, m.NoIDTo, m.NoID)
	}
	if in.st.NoIDTagged != 0 {
		r.fail("%d records without a build id carry issue attributes", in.st.NoIDTagged)
	}
	if u := in.metrics[m.NoIDTo]; u != "" {
		n, err := metricSum(u, "otelcol_processor_buildlog_malformed_records")
		if err != nil {
			r.fail("metrics: %v", err)
		} else if int(n) != m.NoID {
			r.fail("otelcol_processor_buildlog_malformed_records = %v, want %d", n, m.NoID)
		} else {
			r.note("otelcol_processor_buildlog_malformed_records = %v on %s", n, m.NoIDTo)
		}
	}
	r.note("%d records without build.id passed unchanged", m.NoID)
}

// checkBigLine: a 10 MiB line. The first manifest went to a back end with
// the OTLP receiver's default message limit (4 MiB): the request is refused
// and the build's summary lacks the line. The second went to one whose
// receiver allows 16 MiB: the record passes whole and the summary agrees with
// triage on the same log (both classify the first 1 MiB of the line).
func checkBigLine(in checkInput, r *result) {
	sums := bySummary(in.st)
	for i, m := range in.manifests {
		var b Sent
		for _, s := range m.Builds {
			if strings.HasSuffix(s.ID, "-bigline") {
				b = s
			}
		}
		ss := sums[b.ID]
		if len(ss) != 1 {
			r.fail("%s: %d summaries, want 1", b.ID, len(ss))
			continue
		}
		s := ss[0]
		if i == 0 {
			if b.Failed == 0 {
				r.fail("%s: the 10 MiB record was accepted by a default receiver", b.ID)
			}
			if s.Lines != 1 {
				r.fail("%s: %d lines in the summary, want 1 (the big line refused)", b.ID, s.Lines)
			}
			r.note("default receiver (%s): the request with the 10 MiB record was refused (%s); the summary counts %d line, primary %q",
				s.Backend, b.LastCode, s.Lines, s.Primary)
			continue
		}
		var v verdict
		for _, x := range in.big {
			v = x
		}
		if b.Failed != 0 {
			r.fail("%s: %d records refused (%s) by the receiver with the raised limit", b.ID, b.Failed, b.LastCode)
		}
		if s.Lines != 2 || s.Primary != v.primary() {
			r.fail("%s: summary %d lines, primary %q; triage: %d lines, primary %q", b.ID, s.Lines, s.Primary, v.Lines, v.primary())
		}
		if in.st.Largest[s.Backend] < 10<<20 {
			r.fail("largest record from %s is %d bytes, want the whole 10 MiB", s.Backend, in.st.Largest[s.Backend])
		}
		r.note("receiver with max_recv_msg_size_mib 16 (%s): the record passed whole (%d bytes); summary primary %q, triage %q",
			s.Backend, in.st.Largest[s.Backend], s.Primary, v.primary())
	}
}

func runCheck(args []string) error {
	fs := flag.NewFlagSet("check", flag.ExitOnError)
	name := fs.String("case", "", "case: "+strings.Join(caseNames(), ", "))
	sinkURL := fs.String("sink", "http://127.0.0.1:24400", "the sink's status endpoint")
	manifests := fs.String("manifest", "", "comma-separated manifests written by send, in order")
	triage := fs.String("triage", "", "triage --format json output for the fixtures")
	big := fs.String("bigline-triage", "", "triage --format json output for the big-line log")
	metrics := fs.String("metrics", "", "NAME=URL,...: Prometheus endpoints of back ends")
	all := fs.Bool("all-records", false, "crash: every record sent must reach the sink")
	wait := fs.Duration("wait", 30*time.Second, "how long to wait for the expected summaries")
	fs.Parse(args)

	fn := cases[*name]
	if fn == nil {
		return fmt.Errorf("unknown case %q", *name)
	}
	in := checkInput{allRecords: *all}
	var err error
	for _, p := range strings.Split(*manifests, ",") {
		m, err := readManifest(p)
		if err != nil {
			return err
		}
		in.manifests = append(in.manifests, m)
	}
	if in.triage, err = readTriage(*triage); err != nil {
		return err
	}
	if in.big, err = readTriage(*big); err != nil {
		return err
	}
	_, in.metrics, err = endpoints(*metrics)
	if err != nil {
		return err
	}

	// Every manifest's builds: a case may send under several prefixes
	// (bigline sends bigA and bigD).
	var prefixes []string
	for _, m := range in.manifests {
		if !slices.Contains(prefixes, m.Prefix) {
			prefixes = append(prefixes, m.Prefix)
		}
	}
	deadline := time.Now().Add(*wait)
	var r result
	for {
		if in.st, err = getState(*sinkURL, prefixes); err != nil {
			return err
		}
		r = result{}
		fn(in, &r)
		if len(r.fails) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	for _, n := range r.notes {
		fmt.Printf("  %s: %s\n", *name, n)
	}
	if len(r.fails) > 0 {
		for i, f := range r.fails {
			if i == 15 {
				fmt.Printf("  FAIL %s: … %d more\n", *name, len(r.fails)-i)
				break
			}
			fmt.Printf("  FAIL %s: %s\n", *name, f)
		}
		return fmt.Errorf("case %s: %d failures", *name, len(r.fails))
	}
	fmt.Printf("PASS %s\n", *name)
	return nil
}

func caseNames() []string {
	var out []string
	for k := range cases {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
