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
func (a *aggregator) makeKey(id string, fields map[string]string, build int) {
	a.key = appendKey(a.key[:0], id, fields)
	for ; build > 0; build /= 256 { // the same issue in another build is another issue
		a.key = append(a.key, 0xff, byte(build))
	}
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
// Issues are released in line order, but a repeat counted on the fast path
// can be ahead of an issue still waiting for its after-context, so the last
// line only ever grows.
func (a *aggregator) repeat(id string, fields map[string]string, build, line int) bool {
	a.makeKey(id, fields, build)
	i, ok := a.index[string(a.key)]
	if ok {
		a.issues[i].Count++
		a.issues[i].LastLine = max(a.issues[i].LastLine, line)
	}
	return ok
}

// add records a released issue; it reports whether the issue is new to the
// report and kept (not a repeat, not beyond the issue limit).
func (a *aggregator) add(is Issue) bool {
	if a.repeat(is.ID, is.Fields, is.Build, is.Line) {
		i := a.index[string(a.key)]
		a.issues[i].Attempts = max(a.issues[i].Attempts, is.Attempts)
		return false
	}
	if len(a.issues) >= a.max {
		a.folded++
		return false
	}
	is.Count = 1
	is.LastLine = is.Line
	a.index[string(a.key)] = len(a.issues)
	a.issues = append(a.issues, is)
	return true
}

// report ranks a copy of the issues seen so far.
func (a *aggregator) report(k *Ranker, prep func([]Issue)) *Report {
	issues := make([]Issue, len(a.issues))
	copy(issues, a.issues)
	if prep != nil {
		prep(issues)
	}
	r := &Report{Folded: a.folded}
	r.Issues, r.FallbacksDropped = k.rank(issues)
	r.setPrimary()
	return r
}

func (r *Report) setPrimary() {
	r.Primary = nil
	for i := range r.Issues {
		if r.Issues[i].Primary {
			r.Primary = &r.Issues[i]
		}
	}
}

// Ranker deduplicates and ranks issues with the rule table of a compiled
// catalog: which rules suppress which, and which are fallbacks. It holds no
// state of its own, so one Ranker serves any number of reports, and a report
// can be merged with another or ranked again without the Matcher that made
// it. Issues of ids the table does not know rank as plain rules.
type Ranker struct {
	rules map[string]rankRule
}

type rankRule struct {
	fallback    bool
	suppressors []string // ids of the rules that hide this one
}

// Ranker returns the ranker of the Matcher's catalog.
func (m *Matcher) Ranker() *Ranker { return m.ranker }

func newRanker(rules []*crule, suppressors [][]int32) *Ranker {
	k := &Ranker{rules: make(map[string]rankRule, len(rules))}
	for i, r := range rules {
		rr := rankRule{fallback: r.Fallback}
		for _, j := range suppressors[i] {
			rr.suppressors = append(rr.suppressors, rules[j].ID)
		}
		k.rules[r.ID] = rr
	}
	return k
}

// Suppresses reports whether an issue of rule a hides one of rule b when
// both are found in a log.
func (k *Ranker) Suppresses(a, b string) bool {
	for _, id := range k.rules[b].suppressors {
		if id == a {
			return true
		}
	}
	return false
}

// Rank deduplicates issues (the same Key is one issue: counts added, the
// first occurrence kept, the last line the latest), then suppresses,
// drops fallbacks and chooses the primary as a Report does. The issues may
// come from several logs or reports; the input is not changed.
func (k *Ranker) Rank(issues []Issue) *Report {
	index := map[string]int{}
	var out []Issue
	for _, is := range issues {
		key := is.Key()
		i, ok := index[key]
		if !ok {
			index[key] = len(out)
			if is.Count == 0 {
				is.Count, is.LastLine = 1, is.Line
			}
			out = append(out, is)
			continue
		}
		o := &out[i]
		count := o.Count + max(is.Count, 1)
		last := max(o.LastLine, is.LastLine, is.Line)
		attempts := max(o.Attempts, is.Attempts)
		if is.Line < o.Line {
			*o = is
		}
		o.Count, o.LastLine, o.Attempts = count, last, attempts
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	r := &Report{}
	r.Issues, r.FallbacksDropped = k.rank(out)
	r.setPrimary()
	return r
}

// rank applies steps 2 to 4 above to issues in line order.
func (k *Ranker) rank(issues []Issue) ([]Issue, int) {
	present := map[string]int{} // rule id → index of its best issue
	for i, is := range issues {
		if j, ok := present[is.ID]; !ok || is.Line < issues[j].Line {
			present[is.ID] = i
		}
	}
	for i := range issues {
		is := &issues[i]
		is.Primary, is.SuppressedBy = false, ""
		best := -1
		for _, sup := range k.rules[is.ID].suppressors {
			j, ok := present[sup]
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
		if !k.rules[is.ID].fallback {
			top = max(top, is.Severity)
		}
	}
	kept := issues[:0]
	dropped := 0
	for _, is := range issues {
		if k.rules[is.ID].fallback && is.Severity <= top {
			dropped++
			continue
		}
		kept = append(kept, is)
	}
	primary := -1
	for i := range kept {
		is := &kept[i]
		if is.Severity != SeverityError || is.SuppressedBy != "" || is.Recovered {
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
