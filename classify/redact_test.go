package classify

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// secretLines are build-log lines that print a credential, each with the
// secret it must not leak.
var secretLines = []struct{ name, line, secret string }{
	{"url password", "ERROR: Could not install from https://builder:s3cr3tPass@pkgs.example.com/simple/x", "s3cr3tPass"},
	{"docker login -p", "RUN docker login myacr.azurecr.io -u admin -p Zx9vQ2kLmN7 && ERROR: boom", "Zx9vQ2kLmN7"},
	{"docker login --password=", "ERROR: docker login --password=hunter2hunter2 -u me registry.io failed", "hunter2hunter2"},
	{"bearer", "ERROR: request failed: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcDEF123", "eyJhbGciOiJIUzI1NiJ9"},
	{"account key", "ERROR: DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=q1w2e3r4t5y6u7i8o9p0==;EndpointSuffix=core.windows.net", "q1w2e3r4t5y6u7i8o9p0=="},
	{"sas sig", "ERROR: HTTP Error 403 for https://acct.blob.core.windows.net/c/b.whl?sv=2021-08-06&se=2030&sig=AbCdEf%2BgHiJ%3D&sp=r", "AbCdEf%2BgHiJ%3D"},
	{"github classic", "ERROR: clone with ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8 failed", "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"},
	{"github fine-grained", "ERROR: token github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz rejected", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"},
	{"pypi", "ERROR: twine upload -p pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6", "pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6"},
	{"npm token", "ERROR: npm publish failed //registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnopqrstuvwxyz0123456789"},
	{"aws secret", "ERROR: env AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY set", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
	{"aws key id", "ERROR: AKIAIOSFODNN7EXAMPLE is not authorized", "AKIAIOSFODNN7EXAMPLE"},
	{"password=", "ERROR: connect failed: host=db password=CorrectHorse9 user=app", "CorrectHorse9"},
}

func secretMatcher(t *testing.T, opts ...Option) *Matcher {
	t.Helper()
	src := "redact: ['internal-(?<secret>[0-9a-f]{12})']\nrules:\n" +
		"  - id: any_error\n    group: g\n    title: An error\n    patterns: ['ERROR: (?<what>.*)']\n    remediation: 'Look at {{what}}'\n    context: {before: 2, after: 2}\n" +
		"  - id: key_seen\n    group: g\n    title: Key\n    patterns: ['ERROR_IN_KEY']\n"
	c, err := ParseCatalog("secrets.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return MustCompile(c, opts...)
}

func TestRedaction(t *testing.T) {
	m := secretMatcher(t)
	for _, tt := range secretLines {
		t.Run(tt.name, func(t *testing.T) {
			// The secret is in the matched line, a context line before and
			// after, and so in fields, evidence, context and remediation.
			log := "before " + tt.line + "\n" + tt.line + "\nafter " + tt.line + "\n"
			rep, err := m.Classify(context.Background(), strings.NewReader(log))
			if err != nil {
				t.Fatal(err)
			}
			out, _ := json.Marshal(rep)
			if strings.Contains(string(out), tt.secret) {
				t.Errorf("secret %q leaks: %s", tt.secret, out)
			}
			if !strings.Contains(string(out), Mask) {
				t.Errorf("nothing masked: %s", out)
			}
		})
	}
}

func TestRedactionKeepsTheRest(t *testing.T) {
	m := secretMatcher(t)
	rep, _ := m.Classify(context.Background(), strings.NewReader("ERROR: docker login myacr.azurecr.io -u admin -p Zx9vQ2kLmN7 failed\n"))
	if got := rep.Issues[0].Text; got != "ERROR: docker login myacr.azurecr.io -u admin -p **** failed" {
		t.Errorf("text = %q", got)
	}
	rep, _ = m.Classify(context.Background(), strings.NewReader("ERROR: token internal-0123456789ab expired; --password-stdin used\n"))
	if got := rep.Issues[0].Fields["what"]; got != "token internal-**** expired; --password-stdin used" {
		t.Errorf("catalog redact pattern: %q", got)
	}
}

func TestRedactionPrivateKeyBlock(t *testing.T) {
	m := secretMatcher(t)
	log := "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\nERROR_IN_KEY QyNTUxOQAAACDx\n-----END OPENSSH PRIVATE KEY-----\nERROR: after the key\n"
	rep, _ := m.Classify(context.Background(), strings.NewReader(log))
	out, _ := json.Marshal(rep)
	for _, s := range []string{"b3BlbnNzaC1rZXktdjEAAAAABG5vbmU", "QyNTUxOQAAACDx"} {
		if strings.Contains(string(out), s) {
			t.Errorf("key material %q leaks: %s", s, out)
		}
	}
	if len(rep.Issues) != 2 || rep.Issues[0].Text != privateKeyLine || !strings.Contains(rep.Issues[1].Text, "after the key") {
		t.Errorf("issues: %s", out)
	}
}

func TestWithoutRedaction(t *testing.T) {
	m := secretMatcher(t, WithoutRedaction())
	rep, _ := m.Classify(context.Background(), strings.NewReader(secretLines[0].line+"\n"))
	if !strings.Contains(rep.Issues[0].Text, secretLines[0].secret) {
		t.Errorf("redaction not off: %q", rep.Issues[0].Text)
	}
}
