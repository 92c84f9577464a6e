package classify

import (
	"encoding/binary"
	"sort"
)

// prefilter finds, in one pass over a line, the patterns whose required
// literals occur in it. It slides a 4-byte window over the line, folds ASCII
// case by setting bit 0x20 of every byte, hashes the window and tests a bit
// set; only on a hit does it compare the literals that start with that
// window. Windows are independent, so the CPU overlaps their work, and
// nothing is allocated.
//
// Folding with 0x20 also merges some non-letters ('@' with '`', '[' with '{'),
// which only adds candidates; the literal compare that follows is exact up
// to ASCII case.
type prefilter struct {
	bits    [1 << 10]uint64 // 64 Ki bits, one per 16-bit hash
	start   []uint32        // start[h]..start[h+1] index lits for hash h
	lits    []literal
	targets []int32 // literal i marks targets[lits[i].first : lits[i].first+lits[i].n]
}

type literal struct {
	text  string // lower-case
	gram  uint32 // first 4 bytes, folded
	gram2 uint32 // bytes 4 to 8, folded, for literals of 8 bytes or more
	first int32
	n     int32
}

func hash4(w uint32) uint32 { return (w * 0x9E3779B1) >> 16 }

// newPrefilter indexes literals; lits[i] lists the literals of target i.
func newPrefilter(lits [][]string) *prefilter {
	byText := map[string][]int32{}
	for target, set := range lits {
		for _, s := range set {
			byText[s] = append(byText[s], int32(target))
		}
	}
	texts := make([]string, 0, len(byText))
	for s := range byText {
		texts = append(texts, s)
	}
	sort.Strings(texts)
	p := &prefilter{start: make([]uint32, 1<<16+1)}
	type entry struct {
		h   uint32
		lit literal
	}
	entries := make([]entry, 0, len(texts))
	for _, s := range texts {
		l := literal{text: s, gram: binary.LittleEndian.Uint32([]byte(s[:4])) | 0x20202020}
		if len(s) >= 8 {
			l.gram2 = binary.LittleEndian.Uint32([]byte(s[4:8])) | 0x20202020
		}
		l.first = int32(len(p.targets))
		l.n = int32(len(byText[s]))
		p.targets = append(p.targets, byText[s]...)
		entries = append(entries, entry{hash4(l.gram), l})
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].h < entries[j].h })
	for _, e := range entries {
		p.bits[e.h>>6] |= 1 << (e.h & 63)
		p.start[e.h+1]++
		p.lits = append(p.lits, e.lit)
	}
	for h := 1; h < len(p.start); h++ {
		p.start[h] += p.start[h-1]
	}
	return p
}

// scan adds to c every target with a literal in line.
func (p *prefilter) scan(line []byte, c *candidates) {
	for b := line; len(b) >= 4; b = b[1:] {
		w := binary.LittleEndian.Uint32(b) | 0x20202020
		h := hash4(w)
		if p.bits[(h>>6)&1023]&(1<<(h&63)) == 0 {
			continue
		}
		for _, l := range p.lits[p.start[h]:p.start[h+1]] {
			if l.gram != w {
				continue
			}
			// Compare the next four bytes before the whole literal: most
			// hits share only a common start ("http", "erro").
			if len(l.text) >= 8 && (len(b) < 8 || binary.LittleEndian.Uint32(b[4:])|0x20202020 != l.gram2) {
				continue
			}
			if hasFoldPrefix(b, l.text) {
				for _, t := range p.targets[l.first : l.first+l.n] {
					c.add(t)
				}
			}
		}
	}
}

// hasFoldPrefix reports whether b starts with lower, ignoring ASCII case.
func hasFoldPrefix(b []byte, lower string) bool {
	if len(b) < len(lower) {
		return false
	}
	for i := 0; i < len(lower); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// candidates is the set of targets found in one line: a list in the order
// found, and a stamp per target so that adding is O(1) and clearing is free.
type candidates struct {
	epoch uint32
	stamp []uint32
	list  []int32
}

func newCandidates(n int) candidates {
	return candidates{stamp: make([]uint32, n), list: make([]int32, 0, 16)}
}

func (c *candidates) reset() {
	c.list = c.list[:0]
	c.epoch++
	if c.epoch == 0 { // wrapped: stale stamps could look current
		clear(c.stamp)
		c.epoch = 1
	}
}

func (c *candidates) add(t int32) {
	if c.stamp[t] != c.epoch {
		c.stamp[t] = c.epoch
		c.list = append(c.list, t)
	}
}

// sorted returns the targets in increasing order (catalog order).
func (c *candidates) sorted() []int32 {
	l := c.list
	for i := 1; i < len(l); i++ { // insertion sort: lists are short
		for j := i; j > 0 && l[j] < l[j-1]; j-- {
			l[j], l[j-1] = l[j-1], l[j]
		}
	}
	return l
}
