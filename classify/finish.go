package classify

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// This file is the finish stage: what turns a complete match into the Issue
// a caller sees. Its order is the point: everything taken from the log is
// masked first and cut second, so a secret that straddles a cut is masked
// as a whole and no prefix of it survives; then the remediation is rendered
// from the masked fields.

// Lengths an issue keeps of the text it carries from the log.
const (
	// MaxEvidenceBytes caps Issue.Text and each evidence line.
	MaxEvidenceBytes = 4096
	// maxContextBytes caps each context line.
	maxContextBytes = MaxEvidenceBytes / 4
	// ringLineBytes is how much of each line the context ring keeps: masking
	// sees that much, so a secret that starts within the context length and
	// ends within this is masked before the line is cut.
	ringLineBytes = MaxEvidenceBytes
	// maxFieldBytes caps each captured field and collected item.
	maxFieldBytes = 512
	maxStepBytes  = 256
)

// maskCut masks the secrets in s, then cuts it to n bytes on a rune
// boundary (marking the cut with "…") and makes it valid UTF-8.
func maskCut(red *redactor, s string, n int) string {
	s, cut := cutRunes(red.string(s), n)
	if cut {
		s += "…"
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// maskStep is maskCut for a build-step header, whose cut is not marked:
// the header names the step, and a long one is still the same step.
func maskStep(red *redactor, s string) string {
	s, _ = cutRunes(red.string(s), maxStepBytes)
	return strings.ToValidUTF8(s, "\uFFFD")
}

// cutRunes cuts s to at most n bytes on a rune boundary.
func cutRunes(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], true
}

// finishField masks, trims and cuts one captured value.
func finishField(red *redactor, v string) string {
	v, _ = cutRunes(red.string(strings.TrimSpace(v)), maxFieldBytes)
	return strings.ToValidUTF8(strings.TrimSpace(v), "\uFFFD")
}

// finishFields finishes every value of fields in place.
func finishFields(red *redactor, fields map[string]string) {
	for k, v := range fields {
		fields[k] = finishField(red, v)
	}
}

// finish completes a pending issue: its fields and lists are masked and
// cut (its text, evidence and context were when they were taken), the
// attempts its retries showed are counted, and its remediation is
// rendered.
func (s *Session) finish(p *pending) Issue {
	is := p.issue
	red := &s.m.red
	finishFields(red, is.Fields)
	for k, list := range is.Lists {
		for i, v := range list {
			list[i] = finishField(red, v)
		}
		if is.Fields == nil {
			is.Fields = map[string]string{}
		}
		is.Fields[k] = strings.Join(list, ", ")
	}
	r := p.rule
	if n := s.retried[r.index]; n > 0 {
		is.Attempts = int(n) + 1
		s.retried[r.index] = 0
	}
	is.Remediation = render(r.template, is.Fields)
	if is.Fields == nil { // JSON gives {} and [] rather than null
		is.Fields = map[string]string{}
	}
	is.Links = slices.Clone(r.Links)
	if is.Links == nil {
		is.Links = []string{}
	}
	is.Count, is.LastLine = 1, is.Line
	return is
}
