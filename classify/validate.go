package classify

import (
	"strings"
)

// This file checks the values of a catalog, however it was built: read from
// YAML by ParseCatalog, or written in Go. The parser checks only shapes and
// types (a mapping where a mapping belongs, a number where a number
// belongs); every rule about what a value may be lives here, so a catalog
// built in Go meets the same positioned errors as one read from a file, and
// never a panic.

// Limits on per-rule numbers, so that one rule cannot make a session hold an
// unbounded amount of state.
const (
	maxWithin       = 1000
	maxCollect      = 1000
	maxContextLines = 100
)

// validate reports every problem with the values of c's rules and
// settings. Compile calls it first; the errors it finds do not stop
// compilation, so that one pass reports everything. ParseCatalog calls it
// with whole unset: a single file may disable rules of other files, and
// repeated ids are Merge's to report, across files.
func validate(c *Catalog, errs *ErrorList, whole bool) {
	for name, def := range c.Definitions {
		if !identPattern.MatchString(name) {
			errs.add(def.Pos, "", ErrBadValue, "definition name %q must be a snake_case word", name)
		}
	}
	for _, d := range c.Disable {
		if !whole {
			break
		}
		errs.add(d.Pos, "", ErrUnknownID, "cannot disable %q: no catalog before this one defines it", d.Name)
	}
	seen := map[string]*Rule{}
	for _, r := range c.Rules {
		if r == nil {
			errs.add(Pos{}, "", ErrBadValue, "a nil rule in the catalog")
			continue
		}
		if r.Patch {
			if whole {
				errs.add(r.posOf("patch"), r.ID, ErrUnknownID, "cannot patch %q: no catalog before this one defines it", r.ID)
				continue
			}
			if r.Override {
				errs.add(r.posOf("patch"), r.ID, ErrBadValue, "a rule cannot be both a patch and an override")
			}
		}
		validateRule(r, errs)
		if r.ID == "" || !whole {
			continue
		}
		if first, dup := seen[r.ID]; dup {
			errs.add(r.posOf("id"), r.ID, ErrDuplicateID, "also defined at %s", first.Pos)
			continue
		}
		seen[r.ID] = r
	}
}

func validateRule(r *Rule, errs *ErrorList) {
	bad := func(key, format string, args ...any) {
		errs.add(r.posOf(key), r.ID, ErrBadValue, format, args...)
	}
	missing := func(what string) { errs.add(r.Pos, r.ID, ErrMissing, "%s", what) }
	if r.Patch {
		// A patch has only what it changes; the rule it patches has the
		// rest, and is checked once patched.
		missing = func(string) {}
	}
	switch {
	case r.ID == "":
		errs.add(r.Pos, r.ID, ErrMissing, "id")
	case !idPattern.MatchString(r.ID):
		bad("id", "id %q must be snake_case (lower-case words joined by _)", r.ID)
	}
	if len(r.Patterns) == 0 {
		missing("patterns")
	}
	if r.Title == "" {
		missing("title")
	}
	switch {
	case r.Group == "":
		missing("group")
	case !identPattern.MatchString(r.Group):
		bad("group", "group %q must be a lower-case word", r.Group)
	}
	if r.Severity != 0 && severityNames[r.Severity] == "" {
		bad("severity", "severity %d (want SeverityError, SeverityWarning or SeverityInfo)", int(r.Severity))
	}
	switch r.Retry {
	case "", RetryTransient, RetryPermanent, RetryUnknown:
	default:
		bad("retry", "retry %q (want transient, permanent or unknown)", string(r.Retry))
	}
	for _, l := range r.Links {
		if !strings.HasPrefix(l, "https://") && !strings.HasPrefix(l, "http://") {
			bad("links", "link %q is not an http(s) URL", l)
		}
	}
	checkLiterals(r.Literals, r.posOf("literals"), r.ID, errs)
	for _, p := range r.Patterns {
		if p.Expr == "" {
			errs.add(p.Pos, r.ID, ErrMissing, "pattern (an empty pattern matches every line)")
		}
		checkLiterals(p.Literals, p.Pos, r.ID, errs)
		checkSteps(p.Sequence, r.ID, errs)
	}
	checkSteps(r.Sequence, r.ID, errs)
	if u := r.Unless; u != nil {
		checkSteps([]Step{*u}, r.ID, errs)
	}
	if col := r.Collect; col != nil {
		pos := col.pos
		if pos == (Pos{}) {
			pos = r.posOf("collect")
		}
		if col.Pattern.Expr == "" {
			errs.add(pos, r.ID, ErrMissing, "pattern in collect")
		}
		switch {
		case col.Field == "":
			errs.add(pos, r.ID, ErrMissing, "field in collect")
		case !identPattern.MatchString(col.Field):
			errs.add(pos, r.ID, ErrBadValue, "field %q must be a snake_case word", col.Field)
		}
		if col.Max < 0 || col.Within < 0 || col.Max > maxCollect || col.Within > maxWithin {
			errs.add(pos, r.ID, ErrBadValue, "collect max must be from 1 to %d and within from 1 to %d (0: the default, 20)", maxCollect, maxWithin)
		}
	}
	if r.Context.Before < 0 || r.Context.After < 0 || r.Context.Before > maxContextLines || r.Context.After > maxContextLines {
		bad("context", "context before and after must be from 0 to %d", maxContextLines)
	}
	switch r.Outcome {
	case "", OutcomeSucceeded, OutcomeFailed, OutcomeCancelled, OutcomeStarted:
	default:
		bad("outcome", "outcome %q (want succeeded, failed, cancelled or started)", string(r.Outcome))
	}
	if r.NoIssue && r.Outcome == "" {
		bad("issue", "issue: false is for outcome markers: the rule needs an outcome")
	}
	if r.Fallback && len(r.Suppresses) > 0 {
		bad("suppresses", "a fallback rule cannot suppress others")
	}
}

func checkLiterals(lits []string, pos Pos, rule string, errs *ErrorList) {
	for _, l := range lits {
		if len(l) < minLiteral {
			errs.add(pos, rule, ErrBadValue, "literal %q is shorter than %d bytes", l, minLiteral)
		}
	}
}

func checkSteps(steps []Step, rule string, errs *ErrorList) {
	for _, s := range steps {
		pos := s.withinPos
		if pos == (Pos{}) {
			pos = s.Pattern.Pos
		}
		if s.Pattern.Expr == "" {
			errs.add(pos, rule, ErrMissing, "pattern in a sequence step")
		}
		if s.Within < 0 || s.Within > maxWithin {
			errs.add(pos, rule, ErrBadValue, "within must be from 1 to %d (0: the next line)", maxWithin)
		}
	}
}

// usableLiterals returns lits lower-cased, or nil when one of them is too
// short for the prefilter (validate has reported it).
func usableLiterals(lits []string) []string {
	for _, l := range lits {
		if len(l) < minLiteral {
			return nil
		}
	}
	return lowerAll(lits)
}
