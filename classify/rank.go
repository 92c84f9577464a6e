package classify

import (
	"sort"
	"strings"
)

// This file turns the issues of one log into a Report:
//
//  1. Deduplicate: the same rule with the same fields is one issue with a
//     Count, its first Line and its LastLine. At most maxIssues distinct
//     issues are kept; the rest are counted in Folded.
//  2. Suppress: an issue is marked SuppressedBy a root cause found in the
//     same log whose rule lists it (by id or group) in suppresses. When
//     several could, the one of highest priority, then earliest line, wins.
//  3. Drop fallbacks: a fallback issue is left out when any issue of a
//     non-fallback rule with the same or a higher severity was found.
//  4. Choose the primary: the unsuppressed error-severity issue of highest
//     priority; among equals, the earliest.

// aggregator deduplicates issues as they are released.
type aggregator struct {
	index  map[string]int
	issues []Issue
	folded int
	max    int
	key    []byte
}

func newAggregator(max int) aggregator {
	return aggregator{index: map[string]int{}, max: max}
}

// makeKey sets a.key to the identity of an issue: its rule and fields.
func (a *aggregator) makeKey(id string, fields map[string]string) {
	a.key = appendKey(a.key[:0], id, fields)
}

// appendKey appends the identity of an issue, its rule and its fields in
// name order, to b.
func appendKey(b []byte, id string, fields map[string]string) []byte {
	b = append(b, id...)
	if len(fields) == 0 {
		return b
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		b = append(b, 0)
		b = append(b, k...)
		b = append(b, '=')
		b = append(b, fields[k]...)
	}
	return b
}

// Key identifies an issue the way a Report deduplicates issues: the same
// rule with the same fields gives the same key.
func (is Issue) Key() string { return string(appendKey(nil, is.ID, is.Fields)) }

// repeat counts a repeat of a known issue at line; false if it is new.
func (a *aggregator) repeat(id string, fields map[string]string, line int) bool {
	a.makeKey(id, fields)
	i, ok := a.index[string(a.key)]
	if ok {
		a.issues[i].Count++
		a.issues[i].LastLine = line
	}
	return ok
}

func (a *aggregator) add(is Issue) {
	if a.repeat(is.ID, is.Fields, is.Line) {
		return
	}
	if len(a.issues) >= a.max {
		a.folded++
		return
	}
	is.Count = 1
	is.LastLine = is.Line
	a.index[string(a.key)] = len(a.issues)
	a.issues = append(a.issues, is)
}

// report ranks a copy of the issues seen so far.
func (a *aggregator) report(m *Matcher) *Report {
	issues := make([]Issue, len(a.issues))
	copy(issues, a.issues)
	r := &Report{Folded: a.folded}
	r.Issues, r.FallbacksDropped = rank(m, issues)
	for i := range r.Issues {
		if r.Issues[i].Primary {
			r.Primary = &r.Issues[i]
		}
	}
	return r
}

// rank applies steps 2 to 4 above to issues in line order.
func rank(m *Matcher, issues []Issue) ([]Issue, int) {
	present := map[int]int{} // rule index → index of its best issue
	for i, is := range issues {
		ri := m.byID[is.ID]
		if j, ok := present[ri]; !ok || is.Line < issues[j].Line {
			present[ri] = i
		}
	}
	for i := range issues {
		is := &issues[i]
		is.Primary, is.SuppressedBy = false, ""
		best := -1
		for _, sup := range m.suppressors[m.byID[is.ID]] {
			j, ok := present[int(sup)]
			if !ok {
				continue
			}
			if best < 0 || outranks(&issues[j], &issues[best]) {
				best = j
			}
		}
		if best >= 0 {
			is.SuppressedBy = issues[best].ID
		}
	}
	// Fallbacks give way to anything specific of at least their severity.
	var top Severity
	for _, is := range issues {
		if !m.rules[m.byID[is.ID]].Fallback {
			top = max(top, is.Severity)
		}
	}
	kept := issues[:0]
	dropped := 0
	for _, is := range issues {
		if m.rules[m.byID[is.ID]].Fallback && is.Severity <= top {
			dropped++
			continue
		}
		kept = append(kept, is)
	}
	primary := -1
	for i := range kept {
		is := &kept[i]
		if is.Severity != SeverityError || is.SuppressedBy != "" {
			continue
		}
		if primary < 0 || outranks(is, &kept[primary]) {
			primary = i
		}
	}
	if primary >= 0 {
		kept[primary].Primary = true
	}
	return kept, dropped
}

// outranks reports whether a is a better root cause than b.
func outranks(a, b *Issue) bool {
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return strings.Compare(a.ID, b.ID) < 0
}
