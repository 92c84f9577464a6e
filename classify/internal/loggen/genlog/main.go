// Command genlog writes a deterministic, realistic build log for measuring
// the whole triage process:
//
//	go run ./classify/internal/loggen/genlog -mb 200 > /tmp/build.log
//	go run ./classify/internal/loggen/genlog -mb 40 -long 2000 > /tmp/long.log
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/buildlog/buildlog/classify/internal/loggen"
)

func main() {
	mb := flag.Int("mb", 200, "size in MiB")
	long := flag.Int("long", 0, "put a 1 MiB line without separators every N lines (0: none)")
	flag.Parse()
	opt := loggen.Options{}
	if *long > 0 {
		opt.LongLines, opt.LongEvery = 1<<20, *long
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	if _, err := loggen.New(opt).WriteTo(w, int64(*mb)<<20); err != nil {
		fmt.Fprintln(os.Stderr, "genlog:", err)
		os.Exit(1)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "genlog:", err)
		os.Exit(1)
	}
}
