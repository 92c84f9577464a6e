package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// procStat reads the CPU time (user+system) and resident memory of a process.
func procStat(pid int) (cpu time.Duration, rss int64, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// The command name is in parentheses and may hold spaces: split after it.
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	// fields[0] is the state (field 3); utime and stime are fields 14, 15.
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	cpu = time.Duration(ut+st) * time.Second / 100 // USER_HZ is 100 on Linux
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			rss = kb << 10
		}
	}
	return cpu, rss, nil
}

func sinkCount(u string) (Count, error) {
	var c Count
	resp, err := http.Get(u + "/count")
	if err != nil {
		return c, err
	}
	defer resp.Body.Close()
	return c, json.NewDecoder(resp.Body).Decode(&c)
}

func waitCount(u string, want Count, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := sinkCount(u)
		if err != nil {
			return err
		}
		if c.Records >= want.Records && c.Summaries >= want.Summaries {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("sink has %+v, want %+v", c, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// BenchRow is one line of the load table.
type BenchRow struct {
	Pipeline       string  `json:"pipeline"`
	Builds         int     `json:"builds"`
	Lines          int     `json:"lines"`
	Seconds        float64 `json:"seconds"`
	LinesPerSecond float64 `json:"lines_per_second"`
	CPUSeconds     float64 `json:"cpu_seconds"`
	CPUPerMillion  float64 `json:"cpu_seconds_per_million_lines"`
	RSSBase        int64   `json:"rss_base_bytes"`
	RSSOpen        int64   `json:"rss_open_bytes"`
	BytesPerBuild  float64 `json:"rss_bytes_per_open_build"`
}

// runBench measures one back end: memory with every build open, then the
// throughput and CPU of the rest of the lines.
func runBench(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	endpoint := fs.String("endpoint", "127.0.0.1:14330", "the back end's OTLP/gRPC address")
	pid := fs.Int("pid", 0, "the back end's process id")
	sinkURL := fs.String("sink", "http://127.0.0.1:24400", "the sink's status endpoint")
	pipeline := fs.String("pipeline", "buildlog", "name of the pipeline, for the table")
	summaries := fs.Bool("summaries", true, "the pipeline writes one summary per build")
	nBuilds := fs.Int("builds", 100, "builds open at once")
	nLines := fs.Int("lines", 200000, "lines in all")
	batchSize := fs.Int("batch", 500, "records per request")
	out := fs.String("out", "", "append the row (JSON) to this file")
	fs.Parse(args)

	var corpus []string
	for _, f := range fs.Args() {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		corpus = append(corpus, splitLines(data)...)
	}
	if len(corpus) == 0 {
		return fmt.Errorf("no lines in %v", fs.Args())
	}
	per := max(*nLines / *nBuilds, 2)
	prefix := fmt.Sprintf("bench-%s-%d", *pipeline, *nBuilds)
	id := func(b int) string { return fmt.Sprintf("%s-%d", prefix, b) }
	line := func(b, j int) string { return corpus[(b*per+j)%len(corpus)] }

	c, err := dial(*endpoint)
	if err != nil {
		return err
	}
	defer c.conn.Close()
	send := func(jobs []job) error {
		for _, j := range jobs {
			if err := c.export(j.ld, time.Minute); err != nil {
				return err
			}
		}
		return nil
	}
	// batches turns steps into requests of batchSize records.
	batches := func(builds []int, steps []step) []job {
		var jobs []job
		b := newBatcher()
		for _, s := range steps {
			bi := builds[s.b]
			if s.line < 0 {
				b.record(bi, id(bi), "", true)
			} else {
				b.record(bi, id(bi), line(bi, s.line), false)
			}
			if b.lrs.Len() >= *batchSize {
				jobs = append(jobs, job{ld: b.ld})
				b = newBatcher()
			}
		}
		if b.lrs.Len() > 0 {
			jobs = append(jobs, job{ld: b.ld})
		}
		return jobs
	}

	start, err := sinkCount(*sinkURL)
	if err != nil {
		return err
	}
	time.Sleep(time.Second)
	_, rssBase, err := procStat(*pid)
	if err != nil {
		return err
	}

	// Open every build with its first line.
	all := make([]int, *nBuilds)
	open := make([][2]int, *nBuilds)
	for i := range all {
		all[i] = i
		open[i] = [2]int{0, 1}
	}
	if err := send(batches(all, interleave(open, 1, false))); err != nil {
		return err
	}
	want := Count{Records: start.Records + int64(*nBuilds), Summaries: start.Summaries}
	if err := waitCount(*sinkURL, want, 2*time.Minute); err != nil {
		return err
	}
	time.Sleep(2 * time.Second)
	_, rssOpen, err := procStat(*pid)
	if err != nil {
		return err
	}

	// The rest, interleaved, by two senders that each own half the builds
	// (one for a single build), so a build's lines stay in order.
	workers := min(2, *nBuilds)
	var plans [][]job
	for w := 0; w < workers; w++ {
		var mine []int
		for b := w; b < *nBuilds; b += workers {
			mine = append(mine, b)
		}
		rest := make([][2]int, len(mine))
		for i := range rest {
			rest[i] = [2]int{1, per}
		}
		plans = append(plans, batches(mine, interleave(rest, 1, true)))
	}
	sent := *nBuilds * (per - 1)
	want.Records += int64(sent + *nBuilds) // lines and end markers
	if *summaries {
		want.Summaries += int64(*nBuilds)
	}
	cpu0, _, err := procStat(*pid)
	if err != nil {
		return err
	}
	t0 := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range plans {
		wg.Add(1)
		go func() { defer wg.Done(); errs[w] = send(plans[w]) }()
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	if err := waitCount(*sinkURL, want, 5*time.Minute); err != nil {
		return err
	}
	elapsed := time.Since(t0)
	cpu1, _, err := procStat(*pid)
	if err != nil {
		return err
	}
	row := BenchRow{
		Pipeline:       *pipeline,
		Builds:         *nBuilds,
		Lines:          sent,
		Seconds:        elapsed.Seconds(),
		LinesPerSecond: float64(sent) / elapsed.Seconds(),
		CPUSeconds:     (cpu1 - cpu0).Seconds(),
		CPUPerMillion:  (cpu1 - cpu0).Seconds() / float64(sent) * 1e6,
		RSSBase:        rssBase,
		RSSOpen:        rssOpen,
		BytesPerBuild:  float64(rssOpen-rssBase) / float64(*nBuilds),
	}
	data, _ := json.Marshal(row)
	fmt.Println(string(data))
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintln(f, string(data))
	}
	return nil
}

// runTable prints the load table (Markdown) from bench's rows. With
// several runs of one configuration each figure is their median, and the
// throughput also shows the lowest and highest run.
func runTable(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: e2etool table BENCH.jsonl")
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	by := map[string][]BenchRow{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r BenchRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return err
		}
		k := fmt.Sprintf("%s/%d", r.Pipeline, r.Builds)
		by[k] = append(by[k], r)
	}
	fmt.Print(formatTable(by))
	return nil
}

// median of the figure f of rows.
func median(rows []BenchRow, f func(BenchRow) float64) float64 {
	v := make([]float64, len(rows))
	for i, r := range rows {
		v[i] = f(r)
	}
	slices.Sort(v)
	if n := len(v); n%2 == 1 {
		return v[n/2]
	} else {
		return (v[n/2-1] + v[n/2]) / 2
	}
}

func throughput(rows []BenchRow) string {
	f := func(r BenchRow) float64 { return r.LinesPerSecond }
	m := thousands(median(rows, f))
	if len(rows) < 2 {
		return m
	}
	lo, hi := f(rows[0]), f(rows[0])
	for _, r := range rows {
		lo, hi = min(lo, f(r)), max(hi, f(r))
	}
	return fmt.Sprintf("%s (%s–%s)", m, thousands(lo), thousands(hi))
}

func formatTable(by map[string][]BenchRow) string {
	var b strings.Builder
	b.WriteString("| concurrent builds | lines/s with buildlog | lines/s without | CPU s per million lines, with | CPU s per million lines, without | RSS growth per open build, with | RSS growth per open build, without | memory per session (with − without) |\n")
	b.WriteString("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	cpu := func(r BenchRow) float64 { return r.CPUPerMillion }
	mem := func(r BenchRow) float64 { return r.BytesPerBuild }
	for _, n := range []int{1, 100, 10000} {
		w, ok1 := by[fmt.Sprintf("buildlog/%d", n)]
		wo, ok2 := by[fmt.Sprintf("none/%d", n)]
		if !ok1 || !ok2 {
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %.1f | %.1f | %s | %s | %s |\n", thousands(float64(n)),
			throughput(w), throughput(wo), median(w, cpu), median(wo, cpu),
			bytesText(median(w, mem)), bytesText(median(wo, mem)), bytesText(median(w, mem)-median(wo, mem)))
	}
	return b.String()
}

// thousands writes 12345.6 as 12,346.
func thousands(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func bytesText(v float64) string {
	switch a := max(v, -v); {
	case a >= 1<<20:
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	case a >= 1<<10:
		return fmt.Sprintf("%.1f KiB", v/(1<<10))
	default:
		return fmt.Sprintf("%.0f B", v)
	}
}
