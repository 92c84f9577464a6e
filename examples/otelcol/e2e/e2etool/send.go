package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"os"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/buildlog/buildlog/examples/otelcol/e2e/ring"
)

// Sent is what send did with one build.
type Sent struct {
	ID       string `json:"id"`
	Fixture  string `json:"fixture,omitempty"`
	Owner    string `json:"owner"` // back end (ring mode) or front replica (via mode)
	From     int    `json:"from"`  // first line sent (0-based)
	To       int    `json:"to"`    // one past the last line sent
	Total    int    `json:"total"` // lines of the whole log
	End      bool   `json:"end"`   // end marker sent
	Records  int    `json:"records"`
	Failed   int    `json:"failed"` // records in refused requests
	LastCode string `json:"last_error,omitempty"`
}

// Manifest is send's account of a run, read by check.
type Manifest struct {
	Prefix  string   `json:"prefix"`
	Mode    string   `json:"mode"` // ring or via
	Builds  []Sent   `json:"builds"`
	NoID    int      `json:"no_id"`
	NoIDTo  string   `json:"no_id_to,omitempty"`
	Errors  []string `json:"errors,omitempty"`
	Seconds float64  `json:"seconds"`
}

// endpoints parses NAME=ADDR,NAME=ADDR.
func endpoints(s string) (names []string, addrs map[string]string, err error) {
	addrs = map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		if kv == "" {
			continue
		}
		name, addr, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, nil, fmt.Errorf("%q: want NAME=ADDR", kv)
		}
		names = append(names, name)
		addrs[name] = addr
	}
	return names, addrs, nil
}

// client sends batches to one OTLP/gRPC endpoint, one request at a time,
// so the records of a build keep their order.
type client struct {
	conn *grpc.ClientConn
	lc   plogotlp.GRPCClient
}

func dial(addr string) (*client, error) {
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(64<<20)))
	if err != nil {
		return nil, err
	}
	return &client{conn: conn, lc: plogotlp.NewGRPCClient(conn)}, nil
}

// export sends one batch, waiting up to timeout for the endpoint to be up.
func (c *client) export(ld plog.Logs, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, err := c.lc.Export(ctx, plogotlp.NewExportRequestFromLogs(ld), grpc.WaitForReady(true))
	return err
}

// batcher gathers the records bound for one endpoint.
type batcher struct {
	ld    plog.Logs
	lrs   plog.LogRecordSlice
	owner []int // build index of each record
}

func newBatcher() *batcher {
	b := &batcher{ld: plog.NewLogs()}
	rl := b.ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "buildlog-e2e-loadgen")
	b.lrs = rl.ScopeLogs().AppendEmpty().LogRecords()
	return b
}

type job struct {
	ld    plog.Logs
	owner []int
}

// record appends one record; build < 0 means no build id.
func (b *batcher) record(build int, id, line string, marker bool) {
	lr := b.lrs.AppendEmpty()
	now := pcommon.NewTimestampFromTime(time.Now())
	lr.SetTimestamp(now)
	lr.SetObservedTimestamp(now)
	if !marker {
		lr.Body().SetStr(line)
	} else {
		lr.Attributes().PutStr("build.event", "finished")
	}
	if id != "" {
		lr.Attributes().PutStr("build.id", id)
	}
	b.owner = append(b.owner, build)
}

func runSend(args []string) error {
	fs := flag.NewFlagSet("send", flag.ExitOnError)
	ringFlag := fs.String("ring", "", "NAME=ADDR,...: route each build to the back end the hash ring gives (stand-in for the front tier)")
	viaFlag := fs.String("via", "", "NAME=ADDR,...: send through these front-tier collectors instead (each build sticks to one)")
	copies := fs.Int("copies", 1, "builds made from each log")
	prefix := fs.String("prefix", "e2e", "build id prefix")
	from := fs.Float64("from", 0, "first fraction of each log to send")
	to := fs.Float64("to", 1, "last fraction of each log to send")
	end := fs.Bool("end", false, "send an end-of-build marker (build.event=finished) after the last line")
	chunk := fs.Int("chunk", 1, "lines of one build sent before moving to the next")
	batchSize := fs.Int("batch", 200, "records per request")
	only := fs.String("only", "", "keep only the builds the ring gives to this back end")
	limit := fs.Int("limit", 0, "keep only the first N builds")
	noID := fs.Int("noid", 0, "also send N records without a build id")
	noIDTo := fs.String("noid-to", "", "back end that gets the records without a build id")
	bigMiB := fs.Int("bigline-mib", 0, "send one build whose second line is this many MiB")
	bigOut := fs.String("bigline-out", "", "write the big-line build's log here (for triage)")
	manifest := fs.String("manifest", "", "write the manifest (JSON) here")
	timeout := fs.Duration("timeout", 30*time.Second, "time allowed for one request")
	fs.Parse(args)

	mode, spec := "ring", *ringFlag
	if *viaFlag != "" {
		mode, spec = "via", *viaFlag
	}
	names, addrs, err := endpoints(spec)
	if err != nil || len(names) == 0 {
		return fmt.Errorf("-ring or -via: %v", err)
	}
	byAddr := map[string]string{}
	var ringAddrs []string
	for _, n := range names {
		byAddr[addrs[n]] = n
		ringAddrs = append(ringAddrs, addrs[n])
	}
	r := ring.New(ringAddrs)
	ownerOf := func(id string) string {
		if mode == "via" {
			return names[int(crc32.ChecksumIEEE([]byte(id)))%len(names)]
		}
		return byAddr[r.Owner(id)]
	}

	builds, err := loadBuilds(fs.Args(), *copies, *prefix)
	if err != nil {
		return err
	}
	if *bigMiB > 0 {
		head := "#7 [3/4] RUN apt-get install -y libbuildlog-e2e-dev"
		big := "#7 1.234 E: Unable to locate package libbuildlog-e2e-dev " + strings.Repeat("x", *bigMiB<<20)
		builds = append(builds, build{ID: *prefix + "-bigline", Lines: []string{head, big}})
		if *bigOut != "" {
			if err := os.WriteFile(*bigOut, []byte(head+"\n"+big+"\n"), 0o644); err != nil {
				return err
			}
		}
	}
	var kept []build
	for _, b := range builds {
		if *only != "" && ownerOf(b.ID) != *only {
			continue
		}
		kept = append(kept, b)
	}
	if *limit > 0 && len(kept) > *limit {
		kept = kept[:*limit]
	}
	builds = kept

	m := Manifest{Prefix: *prefix, Mode: mode, NoID: *noID, NoIDTo: *noIDTo}
	ranges := make([][2]int, len(builds))
	for i, b := range builds {
		lo, hi := part(len(b.Lines), *from, *to)
		ranges[i] = [2]int{lo, hi}
		m.Builds = append(m.Builds, Sent{ID: b.ID, Fixture: b.Fixture, Owner: ownerOf(b.ID), From: lo, To: hi, Total: len(b.Lines), End: *end})
	}

	clients := map[string]*client{}
	queues := map[string]chan job{}
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, n := range names {
		c, err := dial(addrs[n])
		if err != nil {
			return err
		}
		defer c.conn.Close()
		clients[n] = c
		q := make(chan job, 4)
		queues[n] = q
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			for j := range q {
				if err := c.export(j.ld, *timeout); err != nil {
					mu.Lock()
					code := status.Code(err).String()
					if len(m.Errors) < 20 {
						m.Errors = append(m.Errors, fmt.Sprintf("%s: %v", name, err))
					}
					for _, b := range j.owner {
						if b >= 0 {
							m.Builds[b].Failed++
							m.Builds[b].LastCode = code
						}
					}
					mu.Unlock()
				}
			}
		}(n)
	}

	batches := map[string]*batcher{}
	flush := func(n string) {
		if b := batches[n]; b != nil && b.lrs.Len() > 0 {
			queues[n] <- job{ld: b.ld, owner: b.owner}
		}
		batches[n] = newBatcher()
	}
	add := func(n string, bi int, id, line string, marker bool) {
		if batches[n] == nil {
			batches[n] = newBatcher()
		}
		big := len(line) > 1<<20
		if big {
			flush(n) // a huge line goes in a request of its own
		}
		batches[n].record(bi, id, line, marker)
		if big || batches[n].lrs.Len() >= *batchSize {
			flush(n)
		}
	}

	start := time.Now()
	for _, s := range interleave(ranges, *chunk, *end) {
		b := &builds[s.b]
		owner := m.Builds[s.b].Owner
		m.Builds[s.b].Records++
		if s.line < 0 {
			add(owner, s.b, b.ID, "", true)
		} else {
			add(owner, s.b, b.ID, b.Lines[s.line], false)
		}
	}
	if *noID > 0 {
		target := *noIDTo
		if target == "" {
			target = names[0]
		}
		if _, ok := addrs[target]; !ok {
			return fmt.Errorf("-noid-to %q is not an endpoint", target)
		}
		for i := 0; i < *noID; i++ {
			add(target, -1, "", fmt.Sprintf("#3 0.%03d a line of no known build", i), false)
		}
	}
	for _, n := range names {
		flush(n)
		close(queues[n])
	}
	wg.Wait()
	m.Seconds = time.Since(start).Seconds()

	var failed int
	for _, b := range m.Builds {
		failed += b.Failed
	}
	fmt.Printf("send %s: %d builds, %d records, %d refused, %.1fs\n", *prefix, len(m.Builds), countRecords(m), failed, m.Seconds)
	if *manifest != "" {
		data, _ := json.MarshalIndent(m, "", " ")
		if err := os.WriteFile(*manifest, data, 0o644); err != nil {
			return err
		}
	}
	if failed > 0 && *bigMiB == 0 {
		return errors.New("some records were refused: " + strings.Join(m.Errors, "; "))
	}
	return nil
}

func countRecords(m Manifest) int {
	n := m.NoID
	for _, b := range m.Builds {
		n += b.Records
	}
	return n
}
