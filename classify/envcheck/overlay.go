package envcheck

import (
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/buildlog/buildlog/classify"
)

// IsCheck reports whether id names a definition check. Give it to
// classify.WithForeignIDs when a catalog that adjusts checks is compiled for
// logs, so that its disables and patches of checks are left to FromCatalog.
func IsCheck(id string) bool {
	load()
	_, ok := checkIdx[id]
	return ok
}

// Text replaces a check's texts; empty fields keep the check's own, and
// Links are added to the check's.
type Text struct {
	Title       string
	Remediation string // "{{value}}" stands for the offending value
	Links       []string
}

// apply puts t's texts over a check's or a finding's; value fills
// "{{value}}" in a finding's remediation (a check keeps the placeholder).
func (t Text) apply(title, remediation *string, links *[]string, value string) {
	if t.Title != "" {
		*title = t.Title
	}
	if t.Remediation != "" {
		*remediation = t.Remediation
		if value != "" {
			*remediation = strings.ReplaceAll(t.Remediation, "{{value}}", value)
		}
	}
	if len(t.Links) > 0 {
		*links = append(append([]string(nil), *links...), t.Links...)
	}
}

// Adjust returns c with the severity and texts o gives it, as its findings
// get them; a tool that lists the checks (SARIF's rule table) uses it.
func (o Options) Adjust(c Check) Check {
	if s, ok := o.Severity[c.ID]; ok {
		c.Severity = s
	}
	if t, ok := o.Text[c.ID]; ok {
		t.apply(&c.Title, &c.Remediation, &c.Links, "")
	}
	return c
}

// patchable are the keys a patch of a check may set; the others describe
// how a log rule matches and mean nothing for a check.
var patchable = map[string]bool{"id": true, "patch": true, "severity": true, "title": true, "remediation": true, "links": true}

// FromCatalog reads the adjustments of definition checks that a catalog
// holds, so that a team's catalog file changes checks with the same keys as
// log rules:
//
//	disable: [base_image_no_tag_or_digest]
//	rules:
//	  - id: python_version_not_recommended
//	    patch: true
//	    severity: error
//
// A disable of a check id turns the check off; a patch may set severity,
// title, remediation and links (added to the check's). Load the user's files
// alone (classify.LoadFiles over an empty catalog), since a disable or patch
// of a check stays unresolved there. A patch that sets any other key is an
// error at that key, in a classify.ErrorList.
func FromCatalog(c *classify.Catalog) (Options, error) {
	var o Options
	if c == nil {
		return o, nil
	}
	var errs classify.ErrorList
	for _, d := range c.Disable {
		if IsCheck(d.Name) {
			o.Disable = append(o.Disable, d.Name)
		}
	}
	for _, r := range c.Rules {
		if r == nil || !r.Patch || !IsCheck(r.ID) {
			continue
		}
		keys := r.Keys()
		wrote := func(key string, nonZero bool) bool {
			if keys == nil {
				return nonZero
			}
			_, ok := keys[key]
			return ok
		}
		var bad []string
		if keys != nil {
			for k := range keys {
				if !patchable[k] {
					bad = append(bad, k)
				}
			}
		} else if len(r.Patterns) > 0 || r.Group != "" || r.Priority != 0 || r.Sequence != nil || r.Collect != nil || r.Unless != nil || r.Exclude != nil {
			bad = append(bad, "patterns, group, priority, sequence, collect, unless or exclude")
		}
		sort.Strings(bad)
		for _, k := range bad {
			pos := r.Pos
			if p, ok := keys[k]; ok {
				pos = p
			}
			errs = append(errs, &classify.CatalogError{Pos: pos, Rule: r.ID, Err: fmt.Errorf("%w: %s is a definition check: a patch of it may set severity, title, remediation and links, not %s", classify.ErrBadValue, r.ID, k)})
		}
		if wrote("severity", r.Severity != 0) {
			if o.Severity == nil {
				o.Severity = map[string]classify.Severity{}
			}
			o.Severity[r.ID] = r.Severity
		}
		t := Text{}
		if wrote("title", r.Title != "") {
			t.Title = r.Title
		}
		if wrote("remediation", r.Remediation != "") {
			t.Remediation = strings.TrimSpace(r.Remediation)
		}
		if wrote("links", len(r.Links) > 0) {
			t.Links = append(t.Links, r.Links...)
		}
		if t.Title != "" || t.Remediation != "" || len(t.Links) > 0 {
			if o.Text == nil {
				o.Text = map[string]Text{}
			}
			prev := o.Text[r.ID]
			if t.Title == "" {
				t.Title = prev.Title
			}
			if t.Remediation == "" {
				t.Remediation = prev.Remediation
			}
			t.Links = append(append([]string(nil), prev.Links...), t.Links...)
			o.Text[r.ID] = t
		}
	}
	return o, errs.Err()
}

// Add returns o with p's settings added: p's disables join o's, and p's
// severities and texts win over o's. Command-line flags go over a catalog's
// adjustments this way.
func (o Options) Add(p Options) Options {
	out := o
	out.Disable = append(append([]string(nil), o.Disable...), p.Disable...)
	if len(p.Severity) > 0 {
		out.Severity = map[string]classify.Severity{}
		maps.Copy(out.Severity, o.Severity)
		maps.Copy(out.Severity, p.Severity)
	}
	if len(p.Text) > 0 {
		out.Text = map[string]Text{}
		maps.Copy(out.Text, o.Text)
		maps.Copy(out.Text, p.Text)
	}
	if !p.Now.IsZero() {
		out.Now = p.Now
	}
	if p.Data != nil {
		out.Data = p.Data
	}
	return out
}
