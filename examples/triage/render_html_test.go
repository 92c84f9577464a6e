package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hostileLog is a log that tries to become markup.
const hostileLog = "#1 [1/2] RUN echo '<script>alert(1)</script>'\n" +
	"#1 0.1 </pre><b id=\"injected\">bold</b><img src=\"http://example.invalid/x.png\" onerror=\"alert(2)\">\n" +
	"#1 0.2 <a href=\"javascript:alert(3)\">click</a> &amp; &lt;b&gt; &#x3C;i&#x3E;\n" +
	"#1 0.3 bell\x07 nul\x00 esc\x1b]0;title\x07 bidi\u202eevil\u202c bad\xff\xfe utf8\n" +
	"#1 0.4 \x1b[1;31merror:\x1b[0m token ghp_abcdefghijklmnopqrstuvwxyz0123456789 in <style>*{display:none}</style>\n" +
	"#1 0.5 E: Unable to locate package <script>x</script>\n" +
	"#1 0.6 progress 10%\rprogress 100%\n" +
	"#1 ERROR: process \"/bin/sh -c apt-get install\" did not complete successfully: exit code: 100\n"

func TestHTMLEscapesEverything(t *testing.T) {
	o := triage(t, nil, hostileLog, "--format", "html")
	page := o.stdout
	if o.code != exitFound {
		t.Fatalf("exit %d: %s", o.code, o.stderr)
	}
	for _, bad := range []string{"<script>alert", "<b id=", "<img", "<a href=\"javascript:", "<style>*", "\x07", "\x00", "\x1b", "\u202e", "\xff", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "<i>", "&lt;b&gt;"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	for _, good := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&amp;amp; &amp;lt;b&amp;gt;", `<span class="ctl">\x07</span>`, `<span class="ctl">\u{202e}</span>`, `<span class="b c1">error:</span>`, "****", `Content-Security-Policy`} {
		if !strings.Contains(page, good) {
			t.Errorf("the page lacks %q", good)
		}
	}
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("%d script elements, want the page's own one", n)
	}
	if strings.Contains(page, ` src="`) || strings.Contains(page, `href="http://example`) {
		t.Errorf("the page refers to something outside itself")
	}
}

func TestHTMLFoldsLongLogs(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 20000; i++ {
		if i == 12345 {
			b.WriteString("E: Unable to locate package nosuch\n")
			continue
		}
		fmt.Fprintf(&b, "filler line %d\n", i)
	}
	o := triage(t, nil, b.String(), "--format", "html")
	if !strings.Contains(o.stdout, `id="s0-L12345"`) || strings.Contains(o.stdout, `id="s0-L100"`) {
		t.Errorf("the issue's lines are not shown, or far lines are")
	}
	if !strings.Contains(o.stdout, "lines not shown") {
		t.Errorf("nothing folded")
	}
	if len(o.stdout) > 200<<10 {
		t.Errorf("page of %d bytes for a folded log", len(o.stdout))
	}
}

// findChromium returns a headless-capable browser, or "" when none is
// installed (.ci/run installs Debian's chromium).
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/lib/chromium/chromium"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// TestHTMLInBrowser renders reports in headless Chromium (--dump-dom) and
// checks the DOM the browser built: the primary issue is there, the
// highlighted lines are that issue's lines, no element came from the log,
// the page's own script ran under its CSP, and no request left the page
// (every connection would have gone to a proxy that counts them).
func TestHTMLInBrowser(t *testing.T) {
	chromium := findChromium()
	if chromium == "" {
		t.Skip("chromium not found (install Debian's chromium package; .ci/run does)")
	}
	bin := triageBinary(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var requests atomic.Int32
	var reqMu sync.Mutex
	var reqLines []string
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			buf := make([]byte, 256)
			n, _ := c.Read(buf)
			first, _, _ := strings.Cut(string(buf[:n]), "\r\n")
			// Chromium's own background services (update checks, time,
			// accounts) ignore some of the flags; they are not the page's.
			if browserService.MatchString(first) {
				c.Close()
				continue
			}
			requests.Add(1)
			reqMu.Lock()
			reqLines = append(reqLines, first)
			reqMu.Unlock()
			c.Close()
		}
	}()

	dir := t.TempDir()
	hostile := filepath.Join(dir, "hostile.log")
	os.WriteFile(hostile, []byte(hostileLog), 0o644)
	cases := []struct {
		log     string
		primary string
		extra   []string
	}{
		{hostile, "apt_package_not_found", nil},
		{"../../fixtures/docker/buildkit_copy_missing.log", "docker_copy_file_not_found", nil},
		{"testdata/rawjson/docker_buildkit_copy_missing.jsonl", "docker_copy_file_not_found", nil},
		{largestFixture(t), "", nil},
	}
	allowed := map[string]bool{"html": true, "head": true, "meta": true, "title": true, "style": true, "body": true, "h1": true, "h2": true, "h3": true,
		"div": true, "label": true, "input": true, "button": true, "section": true, "p": true, "strong": true, "dl": true, "dt": true, "dd": true,
		"code": true, "pre": true, "span": true, "a": true, "br": true, "details": true, "summary": true, "script": true}
	tagRE := regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9-]*)`)
	for i, c := range cases {
		page := filepath.Join(dir, fmt.Sprintf("report%d.html", i))
		out, _ := exec.Command(bin, "--format", "html", c.log).Output()
		if len(out) == 0 {
			t.Fatalf("%s: no report", c.log)
		}
		os.WriteFile(page, out, 0o644)
		t.Logf("%s: report of %d bytes", c.log, len(out))

		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+filepath.Join(dir, fmt.Sprintf("profile%d", i)),
			"--proxy-server=http://"+ln.Addr().String(), "--proxy-bypass-list=<-loopback>", "--virtual-time-budget=3000", "--dump-dom", "file://"+page)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		dom, err := cmd.Output()
		cancel()
		if err != nil || len(dom) == 0 {
			t.Fatalf("%s: chromium: %v\n%s", c.log, err, stderr.String())
		}
		d := string(dom)
		tags := map[string]bool{}
		for _, m := range tagRE.FindAllStringSubmatch(d, -1) {
			tags[strings.ToLower(m[1])] = true
		}
		for tag := range tags {
			if !allowed[tag] {
				t.Errorf("%s: the DOM has a <%s> element, which the report never writes", c.log, tag)
			}
		}
		if n := strings.Count(d, "<script"); n != 1 {
			t.Errorf("%s: %d script elements", c.log, n)
		}
		if regexp.MustCompile(`<[a-z]+ id="injected"`).MatchString(d) {
			t.Errorf("%s: an element from the log made it into the DOM", c.log)
		}
		if !strings.Contains(d, `<div id="filter">`) {
			t.Errorf("%s: the page's script did not run (CSP hash?)", c.log)
		}
		if c.primary == "" {
			continue
		}
		pm := regexp.MustCompile(`class="issue primary" id="s0-i0" data-rule="([^"]+)" data-line="(\d+)"`).FindStringSubmatch(d)
		if pm == nil || pm[1] != c.primary {
			t.Errorf("%s: primary issue %v, want %s first", c.log, pm, c.primary)
			continue
		}
		// The highlighted lines are the primary issue's: its line, and the
		// line of its last repeat, linked from the issue.
		var hl []string
		for _, m := range regexp.MustCompile(`class="l hit primary" id="s0-L(\d+)"`).FindAllStringSubmatch(d, -1) {
			hl = append(hl, m[1])
		}
		issueBlock := d[strings.Index(d, `id="s0-i0"`):]
		issueBlock = issueBlock[:strings.Index(issueBlock, "</dl>")]
		var linked []string
		seen := map[string]bool{}
		for _, m := range regexp.MustCompile(`href="#s0-L(\d+)"`).FindAllStringSubmatch(issueBlock, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				linked = append(linked, m[1])
			}
		}
		sort.Strings(hl)
		sort.Strings(linked)
		if len(hl) == 0 || strings.Join(hl, ",") != strings.Join(linked, ",") || !seen[pm[2]] {
			t.Errorf("%s: highlighted lines %v, the issue's lines %v (line %s)", c.log, hl, linked, pm[2])
		}
		t.Logf("%s: primary %s at line %s, highlighted %v", c.log, pm[1], pm[2], hl)
	}
	if n := requests.Load(); n != 0 {
		reqMu.Lock()
		t.Errorf("the pages made %d network requests: %q", n, reqLines)
		reqMu.Unlock()
	}
}

// browserService matches a proxy request line of Chromium's own services.
var browserService = regexp.MustCompile(`^(?:CONNECT |[A-Z]+ https?://)[a-z0-9.-]*\.(?:google\.com|googleapis\.com|gstatic\.com|gvt1\.com)[:/ ]`)

// largestFixture is the biggest golden log of the catalog.
func largestFixture(t *testing.T) string {
	logs, _ := filepath.Glob("../../fixtures/*/*.log")
	best, size := "", int64(-1)
	for _, l := range logs {
		if fi, err := os.Stat(l); err == nil && fi.Size() > size {
			best, size = l, fi.Size()
		}
	}
	if best == "" {
		t.Fatal("no fixtures")
	}
	return best
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// triageBinary builds the command once for tests that need a process of
// its own (signals, the browser).
func triageBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "triage-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "triage")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = err
			t.Logf("%s", out)
		}
	})
	if binErr != nil {
		t.Fatalf("building triage: %v", binErr)
	}
	return binPath
}
