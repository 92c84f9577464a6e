package classify

import (
	"regexp"
	"strings"

	"github.com/dlclark/regexp2/v2"
)

// Build logs print credentials: a RUN step echoes a URL with a password, a
// docker login, a SAS token. Everything an Issue carries from the log (text,
// fields, evidence, context, step, remediation) is masked before it leaves
// the session, so no output format can leak it. Masking runs once per issue,
// never per line; the lines of a private key block are recognised by the
// prefilter and replaced as they are read.

// Mask replaces a secret in every output.
const Mask = "****"

// privateKeyLine stands for each line of a private key block.
const privateKeyLine = "[private key redacted]"

// secretPatterns are the built-in secrets. Each either has a group named
// secret (only that part is masked) or is masked whole.
var secretPatterns = []secretPattern{
	// https://user:password@host
	{`(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]*:(?P<secret>[^/\s@]+)@`, "://"},
	// docker login -p x, --password x, --password=x (also podman, helm, oras…)
	{`(?i)\blogin\b[^\n]*?\s(?:-p|--password)(?:\s+|=)(?P<secret>[^\s"']+|"[^"]*"|'[^']*')`, "login"},
	// Authorization: Bearer x, Basic x, token x
	{`(?i)\bauthorization\s*[:=]\s*(?:bearer|basic|token|sharedkey)?\s*(?P<secret>[A-Za-z0-9._~+/:=-]{8,})`, "authorization"},
	{`(?i)\bbearer\s+(?P<secret>[A-Za-z0-9._~+/-]{16,}=*)`, "bearer"},
	// Azure storage account keys, connection strings and SAS signatures
	{`(?i)\b(?:AccountKey|SharedAccessKey|SharedAccessSignature)=(?P<secret>[^;\s"']+)`, "key=|signature="},
	{`(?i)[?&](?:sig|signature|X-Amz-Signature|X-Goog-Signature)=(?P<secret>[^&\s"'#]+)`, "sig=|signature="},
	// GitHub, PyPI, npm, Hugging Face, Slack tokens
	{`\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b`, "gh"},
	{`\bpypi-[A-Za-z0-9_-]{16,}`, "pypi-"},
	{`\bnpm_[A-Za-z0-9]{30,}\b`, "npm_"},
	{`(?i)_authToken\s*=\s*(?P<secret>\S+)`, "_authtoken"},
	{`\bhf_[A-Za-z0-9]{30,}\b`, "hf_"},
	{`\bxox[abprs]-[A-Za-z0-9-]{10,}`, "xox"},
	// AWS
	{`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`, "akia|asia"},
	{`(?i)aws_secret_access_key\s*[=:]\s*["']?(?P<secret>[A-Za-z0-9/+=]{20,})`, "aws_secret_access_key"},
	// key=value pairs whose name says they are secret
	{`(?i)\b(?:[a-z0-9_]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret))\s*[=:]\s*["']?(?P<secret>[^\s"'&;,]{4,})`, "pass|secret|token|key"},
	// one-line private keys (the multi-line form is handled per line)
	{`-----BEGIN [A-Z ]*PRIVATE KEY-----[^\n]*?-----END [A-Z ]*PRIVATE KEY-----`, "private key-----"},
}

// secretPattern is a built-in secret with the lower-case words, one of which
// a string must contain for the pattern to be worth running.
type secretPattern struct {
	expr  string
	hints string // separated by |
}

type compiledSecret struct {
	re    *regexp.Regexp
	hints []string
}

var secrets = func() []compiledSecret {
	out := make([]compiledSecret, len(secretPatterns))
	for i, p := range secretPatterns {
		out[i] = compiledSecret{regexp.MustCompile(p.expr), strings.Split(p.hints, "|")}
	}
	return out
}()

// redactor masks secrets in strings.
type redactor struct {
	extra []*regexp2.Regexp // from catalogs
	off   bool
}

// WithoutRedaction switches off the masking of secrets. Only for logs known
// to hold none, or for debugging a catalog.
func WithoutRedaction() Option {
	return optionFunc(func(o *options) { o.redact = false })
}

func (r *redactor) string(s string) string {
	if r.off || s == "" {
		return s
	}
	lower := lowerASCII(s)
	for _, sp := range secrets {
		for _, h := range sp.hints {
			if strings.Contains(lower, h) {
				s = maskAll(sp.re, s)
				lower = lowerASCII(s)
				break
			}
		}
	}
	for _, re := range r.extra {
		s = maskAll2(re, s)
	}
	return s
}

// maskAll replaces each match of re in s, or its secret group, with Mask.
func maskAll(re *regexp.Regexp, s string) string {
	locs := re.FindAllStringSubmatchIndex(s, -1)
	if locs == nil {
		return s
	}
	g := re.SubexpIndex("secret")
	var b strings.Builder
	last := 0
	for _, loc := range locs {
		from, to := loc[0], loc[1]
		if g > 0 && loc[2*g] >= 0 {
			from, to = loc[2*g], loc[2*g+1]
		}
		b.WriteString(s[last:from])
		b.WriteString(Mask)
		last = to
	}
	b.WriteString(s[last:])
	return b.String()
}

// maskAll2 is maskAll for a catalog's regexp2 pattern.
func maskAll2(re *regexp2.Regexp, s string) string {
	var b strings.Builder
	last := 0
	m, err := re.FindStringMatch(s)
	for m != nil && err == nil {
		from, n := m.Group.ByteRange()
		if g := m.GroupByName("secret"); g != nil && len(g.Captures) > 0 {
			from, n = g.ByteRange()
		}
		if from >= last {
			b.WriteString(s[last:from])
			b.WriteString(Mask)
			last = from + n
		}
		m, err = re.FindNextMatch(m)
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// issue masks everything an issue carries from the log.
func (r *redactor) issue(is *Issue) {
	if r.off {
		return
	}
	is.Text = r.string(is.Text)
	is.Step = r.string(is.Step)
	for k, v := range is.Fields {
		is.Fields[k] = r.string(v)
	}
	for k, list := range is.Lists {
		for i, v := range list {
			list[i] = r.string(v)
		}
		is.Lists[k] = list
	}
	for i := range is.Evidence {
		is.Evidence[i].Text = r.string(is.Evidence[i].Text)
	}
	for i := range is.Context {
		is.Context[i].Text = r.string(is.Context[i].Text)
	}
}

// Mask returns s with every secret masked, as the Matcher masks what its
// issues carry (the built-in secrets and the catalog's redact patterns), or
// s unchanged under WithoutRedaction. It is for tools that show log lines
// next to a report, such as an HTML view of the whole log.
func (m *Matcher) Mask(s string) string { return m.red.string(s) }
