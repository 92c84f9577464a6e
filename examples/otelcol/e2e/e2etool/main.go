// Command e2etool holds the Go helpers of the end-to-end run (../run.sh):
//
//	e2etool sink   OTLP/gRPC receiver standing in for the log store; counts
//	               records per build and back end, keeps every summary, and
//	               serves what it saw as JSON over HTTP
//	e2etool send   load generator: real build logs over OTLP/gRPC, lines of
//	               many builds interleaved, each record carrying build.id,
//	               routed by the consistent-hash ring of package ring (the
//	               stand-in for the front tier's load-balancing exporter) or
//	               sent through real front-tier collectors
//	e2etool check  compares what the sink saw with what was sent and with
//	               triage's verdict on the same logs, one fault case at a time
//	e2etool bench  throughput, CPU and memory of one back end
//	e2etool table  the load table (Markdown) from bench's rows
//
// Every address it listens on or dials is on 127.0.0.1.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "sink":
		err = runSink(os.Args[2:])
	case "send":
		err = runSend(os.Args[2:])
	case "check":
		err = runCheck(os.Args[2:])
	case "bench":
		err = runBench(os.Args[2:])
	case "table":
		err = runTable(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2etool %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: e2etool sink|send|check|bench [flags]")
	os.Exit(2)
}
