package classify

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"sort"
)

// This file encodes a parsed catalog, so that a program can embed one and
// skip parsing YAML at start-up (package patterns does: parsing is most of
// its start-up). The encoding keeps what the parser recorded beyond the
// exported fields: where each key of a rule was written, where a step's
// within and a collect were written, and the rules a merge removed.

// snapshotVersion changes whenever the encoding does; data of another
// version is refused, so its reader falls back to parsing.
const snapshotVersion = 1

type catalogWire struct {
	Version     int
	Rules       []ruleWire
	Definitions []namedPattern
	Ignore      []Pattern
	Redact      []Pattern
	Disable     []Ref
	Gone        []string
}

type namedPattern struct {
	Name    string
	Pattern Pattern
}

type ruleWire struct {
	Rule       *Rule
	Keys       []keyAt
	StepWithin []Pos // every step's within position, in eachStep order
	CollectPos Pos
}

type keyAt struct {
	Key string
	Pos Pos
}

// eachStep calls fn on every step of r: its sequence, each pattern's own
// sequence, then unless, always in that order.
func (r *Rule) eachStep(fn func(*Step)) {
	for i := range r.Sequence {
		fn(&r.Sequence[i])
	}
	for i := range r.Patterns {
		for j := range r.Patterns[i].Sequence {
			fn(&r.Patterns[i].Sequence[j])
		}
	}
	if r.Unless != nil {
		fn(r.Unless)
	}
}

// MarshalBinary encodes the catalog with all that ParseCatalog and Merge
// recorded, positions included, so that UnmarshalBinary gives back a
// catalog that compiles, merges and reports errors exactly as this one.
// The encoding is for the same version of this package only; map entries
// are written in sorted order.
func (c *Catalog) MarshalBinary() ([]byte, error) {
	w := catalogWire{Version: snapshotVersion, Ignore: c.Ignore, Redact: c.Redact, Disable: c.Disable}
	for name, p := range c.Definitions {
		w.Definitions = append(w.Definitions, namedPattern{name, p})
	}
	sort.Slice(w.Definitions, func(i, j int) bool { return w.Definitions[i].Name < w.Definitions[j].Name })
	for k := range c.gone {
		w.Gone = append(w.Gone, k)
	}
	sort.Strings(w.Gone)
	for _, r := range c.Rules {
		if r == nil {
			return nil, fmt.Errorf("classify: MarshalBinary: %w", ErrBadValue)
		}
		rw := ruleWire{Rule: r}
		for k, p := range r.keyPos {
			rw.Keys = append(rw.Keys, keyAt{k, p})
		}
		sort.Slice(rw.Keys, func(i, j int) bool { return rw.Keys[i].Key < rw.Keys[j].Key })
		r.eachStep(func(s *Step) { rw.StepWithin = append(rw.StepWithin, s.withinPos) })
		if r.Collect != nil {
			rw.CollectPos = r.Collect.pos
		}
		w.Rules = append(w.Rules, rw)
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(&w); err != nil {
		return nil, fmt.Errorf("classify: MarshalBinary: %w", err)
	}
	return b.Bytes(), nil
}

// UnmarshalBinary replaces c with the catalog MarshalBinary encoded in
// data. Data of another version of the encoding is an error. It is meant for
// data a program embeds, not for input from users.
func (c *Catalog) UnmarshalBinary(data []byte) error {
	var w catalogWire
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&w); err != nil {
		return fmt.Errorf("classify: UnmarshalBinary: %w", err)
	}
	if w.Version != snapshotVersion {
		return fmt.Errorf("classify: UnmarshalBinary: encoding version %d, this package reads %d", w.Version, snapshotVersion)
	}
	out := Catalog{Ignore: w.Ignore, Redact: w.Redact, Disable: w.Disable, Definitions: map[string]Pattern{}}
	for _, d := range w.Definitions {
		out.Definitions[d.Name] = d.Pattern
	}
	if len(w.Gone) > 0 {
		out.gone = map[string]bool{}
		for _, k := range w.Gone {
			out.gone[k] = true
		}
	}
	for _, rw := range w.Rules {
		r := rw.Rule
		if r == nil {
			return fmt.Errorf("classify: UnmarshalBinary: %w: a rule without its fields", ErrBadValue)
		}
		if len(rw.Keys) > 0 {
			r.keyPos = make(map[string]Pos, len(rw.Keys))
			for _, k := range rw.Keys {
				r.keyPos[k.Key] = k.Pos
			}
		}
		i := 0
		var bad bool
		r.eachStep(func(s *Step) {
			if i < len(rw.StepWithin) {
				s.withinPos = rw.StepWithin[i]
			} else {
				bad = true
			}
			i++
		})
		if bad || i != len(rw.StepWithin) {
			return fmt.Errorf("classify: UnmarshalBinary: rule %s: %d step positions for %d steps", r.ID, len(rw.StepWithin), i)
		}
		if r.Collect != nil {
			r.Collect.pos = rw.CollectPos
		}
		out.Rules = append(out.Rules, r)
	}
	*c = out
	return nil
}
