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
var secretPatterns = []*regexp.Regexp{
	// https://user:password@host
	regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]*:(?P<secret>[^/\s@]+)@`),
	// docker login -p x, --password x, --password=x (also podman, helm, oras…)
	regexp.MustCompile(`(?i)\blogin\b[^\n]*?\s(?:-p|--password)(?:\s+|=)(?P<secret>[^\s"']+|"[^"]*"|'[^']*')`),
	// Authorization: Bearer x, Basic x, token x
	regexp.MustCompile(`(?i)\bauthorization\s*[:=]\s*(?:bearer|basic|token|sharedkey)?\s*(?P<secret>[A-Za-z0-9._~+/:=-]{8,})`),
	regexp.MustCompile(`(?i)\bbearer\s+(?P<secret>[A-Za-z0-9._~+/-]{16,}=*)`),
	// Azure storage account keys, connection strings and SAS signatures
	regexp.MustCompile(`(?i)\b(?:AccountKey|SharedAccessKey|SharedAccessSignature)=(?P<secret>[^;\s"']+)`),
	regexp.MustCompile(`(?i)[?&](?:sig|signature|X-Amz-Signature|X-Goog-Signature)=(?P<secret>[^&\s"'#]+)`),
	// GitHub, PyPI, npm, Hugging Face, Slack tokens
	regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b`),
	regexp.MustCompile(`\bpypi-[A-Za-z0-9_-]{16,}`),
	regexp.MustCompile(`\bnpm_[A-Za-z0-9]{30,}\b`),
	regexp.MustCompile(`(?i)_authToken\s*=\s*(?P<secret>\S+)`),
	regexp.MustCompile(`\bhf_[A-Za-z0-9]{30,}\b`),
	regexp.MustCompile(`\bxox[abprs]-[A-Za-z0-9-]{10,}`),
	// AWS
	regexp.MustCompile(`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`),
	regexp.MustCompile(`(?i)aws_secret_access_key\s*[=:]\s*["']?(?P<secret>[A-Za-z0-9/+=]{20,})`),
	// key=value pairs whose name says they are secret
	regexp.MustCompile(`(?i)\b(?:[a-z0-9_]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret))\s*[=:]\s*["']?(?P<secret>[^\s"'&;,]{4,})`),
	// one-line private keys (the multi-line form is handled per line)
	regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----[^\n]*?-----END [A-Z ]*PRIVATE KEY-----`),
}

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
	for _, re := range secretPatterns {
		s = maskAll(re, s)
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
