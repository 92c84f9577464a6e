package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/buildlog/buildlog/classify"
)

// HTML report limits: a log of more lines than htmlFullLines is shown only
// around its issues (htmlWindow lines either side), the rest folded.
var (
	htmlFullLines = 5000
	htmlWindow    = 40
)

// htmlRenderer writes one self-contained page for all inputs: no network
// fetches, a strict Content-Security-Policy, and every byte of a log
// escaped. The style and the small script are inline and allowed by their
// hashes only; the page works without the script (it only adds filtering).
type htmlRenderer struct {
	w       *bufio.Writer
	m       *classify.Matcher
	started bool
	n       int
}

const htmlStyle = `body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:80rem;padding:1rem;color:#1b1b1b;background:#fff}
h1{font-size:1.3rem}h2{font-size:1.1rem;margin:.2rem 0}
.outcome{padding:.6rem 1rem;border-radius:6px;margin:.5rem 0 1rem}
.failed{background:#fde7e9;border-left:6px solid #c50f1f}.clean{background:#e6f4ea;border-left:6px solid #107c10}
.issue{border:1px solid #ccc;border-radius:6px;padding:.5rem 1rem;margin:.6rem 0}
.issue.primary{border:2px solid #c50f1f}.issue.suppressed{opacity:.7}
.sev-error{color:#c50f1f}.sev-warning{color:#8a5300}.sev-info{color:#005a9e}
dt{font-weight:600;float:left;clear:left;width:8rem}dd{margin:0 0 .3rem 8.5rem}
pre{margin:0;font:12.5px/1.4 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-all}
.log{border:1px solid #ccc;border-radius:6px;background:#fafafa;padding:.3rem .5rem;margin:.3rem 0}
.l{display:block}.l:target{outline:2px solid #005a9e}
.n{display:inline-block;min-width:4.5em;color:#777;text-align:right;margin-right:1em;text-decoration:none;user-select:none}
.hit{background:#fff2b3}.hit.primary{background:#ffd5d9}
.ctl{color:#a4262c;background:#f3f2f1;border-radius:2px}
.fold{color:#555;font-style:italic;padding:.2rem 0}
summary{cursor:pointer;font-weight:600}
.b{font-weight:bold}.f{opacity:.7}.i{font-style:italic}.u{text-decoration:underline}
.c0{color:#1b1b1b}.c1{color:#c50f1f}.c2{color:#107c10}.c3{color:#8a5300}.c4{color:#0037da}.c5{color:#881798}.c6{color:#3a96dd}.c7{color:#767676}
.c8{color:#555}.c9{color:#e74856}.c10{color:#16c60c}.c11{color:#a88600}.c12{color:#3b78ff}.c13{color:#b4009e}.c14{color:#0f8fa8}.c15{color:#444}
.g0{background:#ccc}.g1{background:#fde7e9}.g2{background:#dff6dd}.g3{background:#fff4ce}.g4{background:#deecf9}.g5{background:#f1e3f5}.g6{background:#e0f5fa}.g7{background:#f3f2f1}
#filter{margin:.3rem 0}`

// htmlScript only adds conveniences: a filter box over the issue list and
// buttons that open or close every build step.
const htmlScript = `(function(){var f=document.getElementById('filter');if(!f)return;f.hidden=false;
var q=f.querySelector('input');q.addEventListener('input',function(){var v=q.value.toLowerCase();
document.querySelectorAll('.issue').forEach(function(e){e.hidden=v!==''&&e.textContent.toLowerCase().indexOf(v)<0;});});
f.querySelectorAll('button').forEach(function(b){b.addEventListener('click',function(){var o=b.dataset.open==='1';
document.querySelectorAll('details.step').forEach(function(d){d.open=o;});});});})();`

func cspHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
}

// htmlCSP allows nothing but the page's own inline style and script.
var htmlCSP = "default-src 'none'; style-src " + cspHash(htmlStyle) + "; script-src " + cspHash(htmlScript) +
	"; img-src 'none'; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (h *htmlRenderer) start() {
	if h.started {
		return
	}
	h.started = true
	fmt.Fprintf(h.w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"+
		"<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n"+
		"<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"+
		"<title>triage report</title>\n<style>%s</style>\n</head>\n<body>\n<h1>triage report</h1>\n"+
		"<div id=\"filter\" hidden><label>Filter issues <input type=\"search\"></label> "+
		"<button type=\"button\" data-open=\"1\">open all steps</button> <button type=\"button\" data-open=\"0\">close all steps</button></div>\n",
		htmlCSP, htmlStyle)
}

func (h *htmlRenderer) finish() error {
	h.start()
	fmt.Fprintf(h.w, "<script>%s</script>\n</body>\n</html>\n", htmlScript)
	return nil
}

func (h *htmlRenderer) result(res *result) error {
	h.start()
	id := fmt.Sprintf("s%d", h.n)
	h.n++
	w := h.w
	fmt.Fprintf(w, "<section id=\"%s\">\n<h2>%s</h2>\n", id, esc(res.source))
	rep := res.report
	if rep == nil {
		fmt.Fprintf(w, "<p class=\"outcome failed\">Could not read this log: %s</p>\n</section>\n", esc(errText(res.err)))
		return nil
	}
	if res.definition {
		fmt.Fprintf(w, "<p>Environment definition, %s</p>\n", esc(plural(len(rep.Issues), "finding")))
	} else {
		fmt.Fprintf(w, "<p>%s lines, %s, %s</p>\n", strconv.Itoa(rep.Lines), esc(humanBytes(rep.Bytes)), esc(plural(len(rep.Issues), "issue")))
	}
	if res.err != nil {
		fmt.Fprintf(w, "<p class=\"outcome failed\">Reading stopped early: %s</p>\n", esc(errText(res.err)))
	}
	switch {
	case rep.Primary != nil:
		fmt.Fprintf(w, "<div class=\"outcome failed\" data-outcome=\"%s\"><strong>Failed:</strong> %s</div>\n", esc(string(rep.Outcome)), esc(rep.Primary.Title))
	case rep.Outcome == classify.OutcomeFailed || rep.Outcome == classify.OutcomeCancelled:
		fmt.Fprintf(w, "<div class=\"outcome failed\" data-outcome=\"%s\"><strong>%s</strong>; no rule explains why.</div>\n", esc(string(rep.Outcome)), esc(outcomeWords(rep.Outcome)))
	case rep.Outcome == classify.OutcomeSucceeded:
		fmt.Fprintf(w, "<div class=\"outcome clean\" data-outcome=\"succeeded\"><strong>Build succeeded.</strong>%s</div>\n", esc(recoveredNote(rep)))
	default:
		fmt.Fprintf(w, "<div class=\"outcome clean\" data-outcome=\"%s\">No known failure found (the log does not say how the build ended).</div>\n", esc(string(rep.Outcome)))
	}
	if len(rep.Builds) > 1 {
		fmt.Fprintf(w, "<table class=\"builds\"><tr><th>build</th><th>lines</th><th>outcome</th></tr>\n")
		for i, bd := range rep.Builds {
			fmt.Fprintf(w, "<tr><td>%d</td><td><a href=\"#%s-L%d\">%d</a>–%d</td><td>%s</td></tr>\n", i+1, id, bd.FirstLine, bd.FirstLine, bd.LastLine, esc(string(bd.Outcome)))
		}
		fmt.Fprintf(w, "</table>\n")
	}
	if len(rep.Unexplained) > 0 {
		fmt.Fprintf(w, "<div class=\"issue primary unexplained\"><h3>Unexplained failure: the most likely error lines</h3>\n<pre class=\"log\">")
		for _, su := range rep.Unexplained {
			fmt.Fprintf(w, "<a href=\"#%s-L%d\">%d</a> %s\n", id, su.Line, su.Line, esc(sanitize(cutRunes(su.Text, maxShownRunes))))
		}
		fmt.Fprintf(w, "</pre></div>\n")
	}

	issues := append([]classify.Issue(nil), rep.Issues...)
	sortIssues(issues)
	hits := map[int]string{} // line → class
	for i, is := range issues {
		h.writeIssue(id, i, is)
		cls := "hit"
		if is.Primary {
			cls = "hit primary"
		}
		for _, n := range issueLineNumbers(is) {
			if hits[n] != "hit primary" {
				hits[n] = cls
			}
		}
	}
	for _, wn := range rep.Warnings {
		fmt.Fprintf(w, "<p class=\"sev-warning\">warning: %s</p>\n", esc(wn.String()))
	}
	h.writeLog(id, res, hits)
	fmt.Fprintf(w, "</section>\n")
	return nil
}

// recoveredNote says how many errors a succeeded build went past.
func recoveredNote(rep *classify.Report) string {
	if n := recoveredCount(rep); n > 0 {
		return " " + plural(n, "error") + " it printed did not stop it (recovered)."
	}
	return ""
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func sortIssues(issues []classify.Issue) {
	for i := 1; i < len(issues); i++ {
		for j := i; j > 0 && moreImportant(&issues[j], &issues[j-1]); j-- {
			issues[j], issues[j-1] = issues[j-1], issues[j]
		}
	}
}

func issueLineNumbers(is classify.Issue) []int {
	ns := []int{is.Line}
	for n := is.Line + 1; n <= is.EndLine && n < is.Line+50; n++ {
		ns = append(ns, n)
	}
	for _, l := range is.Evidence {
		ns = append(ns, l.Number)
	}
	if is.LastLine > is.Line {
		ns = append(ns, is.LastLine)
	}
	return ns
}

func (h *htmlRenderer) writeIssue(sid string, i int, is classify.Issue) {
	w := h.w
	cls := "issue"
	if is.Primary {
		cls += " primary"
	}
	if is.SuppressedBy != "" {
		cls += " suppressed"
	}
	if is.Recovered {
		cls += " recovered"
	}
	fmt.Fprintf(w, "<div class=\"%s\" id=\"%s-i%d\" data-rule=\"%s\" data-line=\"%d\">\n", cls, sid, i, esc(is.ID), is.Line)
	label := ""
	if is.Primary {
		label = "Primary issue: "
	}
	fmt.Fprintf(w, "<h3>%s<span class=\"sev-%s\">%s</span> %s</h3>\n<dl>\n", esc(label), esc(is.Severity.String()), esc(is.Severity.String()), esc(is.Title))
	fmt.Fprintf(w, "<dt>rule</dt><dd><code>%s</code> (%s)</dd>\n", esc(is.ID), esc(is.Group))
	where := fmt.Sprintf("<a href=\"#%s-L%d\">line %d</a>", sid, is.Line, is.Line)
	if is.EndLine > is.Line {
		where += fmt.Sprintf("–<a href=\"#%s-L%d\">%d</a>", sid, is.EndLine, is.EndLine)
	}
	if is.Count > 1 {
		where += fmt.Sprintf(", seen %d times (last at <a href=\"#%s-L%d\">line %d</a>)", is.Count, sid, is.LastLine, is.LastLine)
	}
	fmt.Fprintf(w, "<dt>where</dt><dd>%s</dd>\n", where)
	if is.Source != nil {
		fmt.Fprintf(w, "<dt>source</dt><dd><code>%s</code></dd>\n", esc(sourceText(is)))
	}
	if is.Step != "" {
		fmt.Fprintf(w, "<dt>step</dt><dd><code>%s</code></dd>\n", esc(is.Step))
	}
	if is.SuppressedBy != "" {
		fmt.Fprintf(w, "<dt>explained by</dt><dd><code>%s</code></dd>\n", esc(is.SuppressedBy))
	}
	if is.Recovered {
		fmt.Fprintf(w, "<dt>recovered</dt><dd>the build succeeded all the same</dd>\n")
	}
	fmt.Fprintf(w, "<dt>evidence</dt><dd><pre class=\"log\">")
	ev := is.Evidence
	if len(ev) == 0 {
		ev = []classify.Line{{Number: is.Line, Text: is.Text}}
	}
	for _, l := range ev {
		fmt.Fprintf(w, "<span class=\"l\"><a class=\"n\" href=\"#%s-L%d\">%d</a>%s</span>", sid, l.Number, l.Number, logHTML([]byte(l.Text)))
	}
	fmt.Fprintf(w, "</pre></dd>\n")
	if is.Remediation != "" {
		fmt.Fprintf(w, "<dt>what to do</dt><dd>%s</dd>\n", esc(is.Remediation))
	}
	if len(is.Links) > 0 {
		fmt.Fprintf(w, "<dt>links</dt><dd>")
		for j, l := range is.Links {
			if j > 0 {
				w.WriteString("<br>")
			}
			if safeURL(l) {
				fmt.Fprintf(w, "<a href=\"%s\" rel=\"noreferrer noopener\">%s</a>", esc(l), esc(l))
			} else {
				w.WriteString(esc(l))
			}
		}
		fmt.Fprintf(w, "</dd>\n")
	}
	if is.Retry != "" {
		fmt.Fprintf(w, "<dt>retry</dt><dd>%s</dd>\n", esc(retryAdvice(is.Retry)))
	}
	fmt.Fprintf(w, "</dl>\n</div>\n")
}

// safeURL allows only absolute http and https links.
func safeURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// stepLine starts a build step in the log view.
var stepLine = regexp.MustCompile(`^(?:#\d+ )?(?:\[[^\]]{0,40}\d+/\d+\] |Step \d+/\d+ : )`)

// writeLog writes the log with line numbers and anchors, highlighting the
// issues' lines and grouping the lines by build step; a long log is shown
// only around its issues.
func (h *htmlRenderer) writeLog(sid string, res *result, hits map[int]string) {
	w := h.w
	lc := res.log
	if lc == nil { // a definition check: there is no log to show
		return
	}
	if lc.f == nil && lc.err != nil {
		fmt.Fprintf(w, "<p class=\"fold\">The log could not be kept for this report: %s</p>\n", esc(errText(lc.err)))
		return
	}
	full := res.report.Lines <= htmlFullLines
	show := func(n int) bool { return true }
	if !full {
		var centres []int
		for n := range hits {
			centres = append(centres, n)
		}
		show = func(n int) bool {
			for _, c := range centres {
				if n >= c-htmlWindow && n <= c+htmlWindow {
					return true
				}
			}
			return false
		}
		fmt.Fprintf(w, "<p class=\"fold\">This log has %d lines; only the %d lines around each issue are shown.</p>\n", res.report.Lines, htmlWindow)
	}
	masker := newMasker(h.m)
	fmt.Fprintf(w, "<h2>Log</h2>\n")
	inStep, folded, lastShown := false, 0, 0
	stepN := 0
	var block bytes.Buffer
	var blockHit bool
	var summary string
	endBlock := func() {
		if block.Len() == 0 && !inStep {
			return
		}
		if inStep {
			attr := ""
			if blockHit || full && res.report.Lines <= 400 {
				attr = " open"
			}
			fmt.Fprintf(w, "<details class=\"step\" id=\"%s-step%d\"%s><summary>%s</summary>\n<pre class=\"log\">", sid, stepN, attr, summary)
		} else {
			fmt.Fprintf(w, "<pre class=\"log\">")
		}
		w.Write(block.Bytes())
		w.WriteString("</pre>")
		if inStep {
			w.WriteString("</details>")
		}
		w.WriteString("\n")
		block.Reset()
		blockHit = false
	}
	err := lc.each(func(n int, text []byte) bool {
		if !show(n) {
			folded++
			return true
		}
		if folded > 0 {
			fmt.Fprintf(&block, "<span class=\"fold\">… %d lines not shown …</span>\n", folded)
			folded = 0
		}
		masked := masker.mask(text)
		if stepLine.Match(text) {
			endBlock()
			inStep = true
			stepN++
			summary = logHTML(masked)
		}
		cls := "l"
		if c, ok := hits[n]; ok {
			cls += " " + c
			blockHit = true
		}
		idAttr := ""
		if n != lastShown {
			idAttr = fmt.Sprintf(" id=\"%s-L%d\"", sid, n)
		}
		lastShown = n
		fmt.Fprintf(&block, "<span class=\"%s\"%s><a class=\"n\" href=\"#%s-L%d\">%d</a>%s</span>", cls, idAttr, sid, n, n, logHTML(masked))
		return true
	})
	if folded > 0 {
		fmt.Fprintf(&block, "<span class=\"fold\">… %d lines not shown …</span>\n", folded)
	}
	endBlock()
	if err != nil {
		fmt.Fprintf(w, "<p class=\"fold\">The log could not be read back: %s</p>\n", esc(err.Error()))
	}
	if lc.truncated {
		fmt.Fprintf(w, "<p class=\"fold\">The log is longer than %s; the rest is not shown.</p>\n", esc(humanBytes(maxLogCopyBytes)))
	}
}

// masker hides secrets in the log lines the page shows, with the
// Matcher's own masking, and replaces every line of a private key block
// as the Matcher's issues do.
type masker struct {
	m     *classify.Matcher
	inKey bool
}

func newMasker(m *classify.Matcher) *masker { return &masker{m: m} }

func (k *masker) mask(line []byte) []byte {
	if k.m == nil {
		return line
	}
	s := string(line)
	begin := strings.Contains(s, "-----BEGIN ") && strings.Contains(s, "PRIVATE KEY-----")
	end := strings.Contains(s, "-----END ") && strings.Contains(s, "PRIVATE KEY-----")
	switch {
	case begin && !end:
		k.inKey = true
	case k.inKey:
		if end {
			k.inKey = false
		}
		return []byte("[private key redacted]")
	}
	if k.inKey {
		return []byte("[private key redacted]")
	}
	return []byte(k.m.Mask(s))
}

// esc escapes text for HTML content and attribute values.
func esc(s string) string {
	return string(escapeText(nil, []byte(s), false))
}

// logHTML renders a raw log line: every byte escaped, invalid UTF-8 and
// control characters shown as visible \xNN escapes, and ANSI colour (SGR)
// sequences turned into spans.
func logHTML(b []byte) string {
	var out []byte
	open := false
	for len(b) > 0 {
		i := bytes.IndexByte(b, 0x1b)
		if i < 0 {
			out = escapeText(out, b, true)
			break
		}
		out = escapeText(out, b[:i], true)
		b = b[i:]
		if params, n, ok := sgr(b); ok {
			if open {
				out = append(out, "</span>"...)
				open = false
			}
			if cls := sgrClasses(params); cls != "" {
				out = append(out, `<span class="`+cls+`">`...)
				open = true
			}
			b = b[n:]
			continue
		}
		out = escapeText(out, b[:1], true)
		b = b[1:]
	}
	if open {
		out = append(out, "</span>"...)
	}
	return string(out)
}

// sgr parses "\x1b[1;31m" at the start of b.
func sgr(b []byte) ([]int, int, bool) {
	if len(b) < 3 || b[1] != '[' {
		return nil, 0, false
	}
	var params []int
	cur, has := 0, false
	for i := 2; i < len(b) && i < 64; i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			cur = cur*10 + int(c-'0')
			has = true
			if cur > 999 {
				return nil, 0, false
			}
		case c == ';':
			params = append(params, cur)
			cur, has = 0, false
		case c == 'm':
			if has || len(params) == 0 {
				params = append(params, cur)
			}
			return params, i + 1, true
		default:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// sgrClasses maps SGR parameters to the page's classes; only the state set
// by this sequence is kept (a simplification good enough for build logs).
func sgrClasses(ps []int) string {
	var cls []string
	for i := 0; i < len(ps); i++ {
		p := ps[i]
		switch {
		case p == 0:
			cls = cls[:0]
		case p == 1:
			cls = append(cls, "b")
		case p == 2:
			cls = append(cls, "f")
		case p == 3:
			cls = append(cls, "i")
		case p == 4:
			cls = append(cls, "u")
		case p >= 30 && p <= 37:
			cls = append(cls, "c"+strconv.Itoa(p-30))
		case p >= 90 && p <= 97:
			cls = append(cls, "c"+strconv.Itoa(p-90+8))
		case p >= 40 && p <= 47:
			cls = append(cls, "g"+strconv.Itoa(p-40))
		case p == 38 || p == 48:
			// 256-colour and true-colour forms: skip their arguments.
			if i+1 < len(ps) && ps[i+1] == 5 {
				i += 2
			} else if i+1 < len(ps) && ps[i+1] == 2 {
				i += 4
			}
		}
	}
	return strings.Join(cls, " ")
}

// escapeText appends b escaped for HTML. With visible set, control
// characters, invalid UTF-8 and bidirectional overrides become a visible
// \xNN or \u{…} escape; otherwise they are replaced by U+FFFD.
func escapeText(out, b []byte, visible bool) []byte {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size <= 1:
			out = ctl(out, fmt.Sprintf(`\x%02x`, b[0]), visible)
		case r == '<':
			out = append(out, "&lt;"...)
		case r == '>':
			out = append(out, "&gt;"...)
		case r == '&':
			out = append(out, "&amp;"...)
		case r == '"':
			out = append(out, "&#34;"...)
		case r == '\'':
			out = append(out, "&#39;"...)
		case r == '\t':
			out = append(out, '\t')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			out = ctl(out, fmt.Sprintf(`\x%02x`, r), visible)
		case r == 0x2028 || r == 0x2029 || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0xfeff:
			out = ctl(out, fmt.Sprintf(`\u{%04x}`, r), visible)
		default:
			out = append(out, b[:size]...)
		}
		b = b[size:]
	}
	return out
}

func ctl(out []byte, shown string, visible bool) []byte {
	if !visible {
		return append(out, "\ufffd"...)
	}
	return append(append(append(out, `<span class="ctl">`...), shown...), "</span>"...)
}
