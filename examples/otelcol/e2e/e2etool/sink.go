package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc"
	_ "google.golang.org/grpc/encoding/gzip" // the collector's OTLP exporter compresses with gzip by default

	buildlogprocessor "github.com/buildlog/buildlog/examples/otelcol"
)

// Summary is a summary record as the sink received it.
type Summary struct {
	Backend  string   `json:"backend"`
	BuildID  string   `json:"build_id"`
	Reason   string   `json:"reason"`
	Primary  string   `json:"primary,omitempty"`
	Lines    int64    `json:"lines"`
	Failed   bool     `json:"failed"`
	IssueIDs []string `json:"issue_ids"`
	Severity string   `json:"severity"`
	Body     string   `json:"body"`
}

// State is what the sink saw, filtered by build-id prefixes.
type State struct {
	Summaries []Summary                   `json:"summaries"`
	Records   map[string]map[string]int64 `json:"records"` // build id → back end → records
	Tagged    map[string]int64            `json:"tagged"`  // build id → records with an issue attribute
	NoID      map[string]int64            `json:"no_id"`   // back end → records without a build id
	// NoIDTagged counts records without a build id that carry an issue
	// attribute anyway (should be none).
	NoIDTagged int64            `json:"no_id_tagged"`
	Largest    map[string]int64 `json:"largest"` // back end → largest body in bytes
}

// Count is the sink's running totals.
type Count struct {
	Records   int64 `json:"records"`
	Summaries int64 `json:"summaries"`
}

type sink struct {
	mu    sync.Mutex
	st    State
	count Count
}

type backendServer struct {
	plogotlp.UnimplementedGRPCServer
	name string
	s    *sink
}

func (b *backendServer) Export(_ context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	b.s.add(b.name, req.Logs())
	return plogotlp.NewExportResponse(), nil
}

func str(m pcommon.Map, k string) string {
	v, ok := m.Get(k)
	if !ok {
		return ""
	}
	return v.AsString()
}

func (s *sink) add(backend string, ld plog.Logs) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				s.addRecord(backend, lrs.At(k))
			}
		}
	}
}

func (s *sink) addRecord(backend string, lr plog.LogRecord) {
	attrs := lr.Attributes()
	id := str(attrs, "build.id")
	if lr.EventName() == buildlogprocessor.SummaryEventName {
		sum := Summary{
			Backend:  backend,
			BuildID:  id,
			Reason:   str(attrs, buildlogprocessor.AttrCloseReason),
			Primary:  str(attrs, buildlogprocessor.AttrPrimaryID),
			Severity: lr.SeverityText(),
			Body:     lr.Body().AsString(),
		}
		if v, ok := attrs.Get(buildlogprocessor.AttrLines); ok {
			sum.Lines = v.Int()
		}
		if v, ok := attrs.Get(buildlogprocessor.AttrFailed); ok {
			sum.Failed = v.Bool()
		}
		if v, ok := attrs.Get(buildlogprocessor.AttrIssueIDs); ok {
			for _, x := range v.Slice().AsRaw() {
				sum.IssueIDs = append(sum.IssueIDs, fmt.Sprint(x))
			}
		}
		s.st.Summaries = append(s.st.Summaries, sum)
		s.count.Summaries++
		return
	}
	s.count.Records++
	_, tagged := attrs.Get(buildlogprocessor.AttrIssueID)
	if n := int64(len(lr.Body().AsString())); n > s.st.Largest[backend] {
		s.st.Largest[backend] = n
	}
	if id == "" {
		s.st.NoID[backend]++
		if tagged {
			s.st.NoIDTagged++
		}
		return
	}
	m := s.st.Records[id]
	if m == nil {
		m = map[string]int64{}
		s.st.Records[id] = m
	}
	m[backend]++
	if tagged {
		s.st.Tagged[id]++
	}
}

// hasPrefix reports whether id starts with one of prefixes.
func hasPrefix(id string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

func (s *sink) filtered(prefixes []string) State {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := State{
		Records:    map[string]map[string]int64{},
		Tagged:     map[string]int64{},
		NoID:       s.st.NoID,
		NoIDTagged: s.st.NoIDTagged,
		Largest:    s.st.Largest,
	}
	for _, sum := range s.st.Summaries {
		if hasPrefix(sum.BuildID, prefixes) {
			out.Summaries = append(out.Summaries, sum)
		}
	}
	for id, m := range s.st.Records {
		if hasPrefix(id, prefixes) {
			out.Records[id] = m
			if n := s.st.Tagged[id]; n > 0 {
				out.Tagged[id] = n
			}
		}
	}
	return out
}

// runSink listens for OTLP/gRPC on one address per back end (NAME=ADDR)
// and serves /state?prefix=P[&prefix=Q...] and /count on -http.
func runSink(args []string) error {
	fs := flag.NewFlagSet("sink", flag.ExitOnError)
	listen := fs.String("listen", "", "comma-separated NAME=127.0.0.1:PORT, one per back end")
	httpAddr := fs.String("http", "127.0.0.1:24400", "address of the JSON status endpoint")
	fs.Parse(args)

	s := &sink{st: State{
		Records: map[string]map[string]int64{},
		Tagged:  map[string]int64{},
		NoID:    map[string]int64{},
		Largest: map[string]int64{},
	}}
	var servers []*grpc.Server
	for _, kv := range strings.Split(*listen, ",") {
		name, addr, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("-listen %q: want NAME=ADDR", kv)
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		gs := grpc.NewServer(grpc.MaxRecvMsgSize(64 << 20))
		plogotlp.RegisterGRPCServer(gs, &backendServer{name: name, s: s})
		servers = append(servers, gs)
		go gs.Serve(ln)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/state", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(s.filtered(r.URL.Query()["prefix"]))
	})
	mux.HandleFunc("/count", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		c := s.count
		s.mu.Unlock()
		json.NewEncoder(w).Encode(c)
	})
	ln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	<-sig
	srv.Close()
	for _, gs := range servers {
		gs.Stop()
	}
	return nil
}
