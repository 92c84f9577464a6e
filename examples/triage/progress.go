package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Progress timing; tests shorten the delay.
var (
	progressDelay    = time.Second            // quiet for logs read faster than this
	progressInterval = 200 * time.Millisecond // at most five redraws a second
)

// progressEnabled says whether a live status line may be drawn: only on a
// terminal, never in CI, and not when the user said never.
func progressEnabled(mode string, stderr io.Writer, env func(string) string) bool {
	return mode == "auto" && env("CI") == "" && isTerminal(stderr)
}

// progress draws one status line on standard error while a log is read:
// "triage: build.log: 41% of 212 MB, 1.3M lines". It starts only after
// progressDelay, redraws in place and erases itself when done, so that it
// never stays in the terminal's scrollback. Anything else written to the
// terminal while it runs goes through pause.
type progress struct {
	w     io.Writer
	src   *source
	mu    sync.Mutex
	drawn bool
	stop  chan struct{}
	done  chan struct{}
}

// startProgress starts the status line for src, or returns nil (a valid,
// inert *progress) when it is not enabled.
func startProgress(enabled bool, w io.Writer, src *source) *progress {
	if !enabled {
		return nil
	}
	p := &progress{w: w, src: src, stop: make(chan struct{}), done: make(chan struct{})}
	go p.loop()
	return p
}

func (p *progress) loop() {
	defer close(p.done)
	select {
	case <-time.After(progressDelay):
	case <-p.stop:
		return
	}
	t := time.NewTicker(progressInterval)
	defer t.Stop()
	for {
		p.mu.Lock()
		p.draw()
		p.mu.Unlock()
		select {
		case <-t.C:
		case <-p.stop:
			return
		}
	}
}

func (p *progress) draw() {
	s := p.src
	read, lines := s.read.n.Load(), s.lines.n.Load()
	msg := fmt.Sprintf("triage: %s: %s read", sanitize(s.name), humanBytes(read))
	if s.size > 0 {
		msg = fmt.Sprintf("triage: %s: %d%% of %s", sanitize(s.name), min(100, read*100/s.size), humanBytes(s.size))
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s, %s lines", msg, humanCount(lines))
	p.drawn = true
}

func (p *progress) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// pause erases the status line while f writes to the terminal; the line
// comes back on the next redraw.
func (p *progress) pause(f func()) {
	if p == nil {
		f()
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	f()
}

// finish stops the status line and erases it.
func (p *progress) finish() {
	if p == nil {
		return
	}
	close(p.stop)
	<-p.done
	p.mu.Lock()
	p.clear()
	p.mu.Unlock()
}

func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, suffix := float64(n), "kMGT"
	i := -1
	for f >= unit && i < len(suffix)-1 {
		f /= unit
		i++
	}
	return fmt.Sprintf("%.1f %cB", f, suffix[i])
}

func humanCount(n int64) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 10_000:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}
