package classify

import (
	"encoding/binary"
	"math/bits"
	"sort"
)

// prefilter finds, in one pass over a line, the patterns whose required
// literals occur in it. It reads a 4-byte window every stride bytes, folds
// ASCII case by setting bit 0x20 of every byte, hashes the window and tests a
// bit set; only on a hit does it compare the literals that own the window.
//
// Reading every stride-th window finds every literal because each literal
// indexes stride consecutive windows of itself: wherever the literal starts
// in a line, exactly one position read falls on one of them. The stride is
// the shortest literal's length less 3 (at most maxStride), so catalogs of
// longer literals are read at a fraction of their positions. Of a literal's
// runs of windows the one least frequent in build logs is indexed
// (gramWeight), so that common words such as "erro" or "requ" rarely lead
// to a compare, and a compare starts with the literal's last four bytes.
// The bit set grows with the number of windows indexed, so that it stays
// sparse as the catalog grows.
//
// On amd64 with AVX2, scanWide tests eight windows at once (prefilter_amd64.s)
// and the Go loop is the fallback; both give the same candidates.
//
// Folding with 0x20 also merges some non-letters ('@' with '`', '[' with '{'),
// which only adds candidates; the literal compare that follows is exact up
// to ASCII case. Nothing is allocated.
type prefilter struct {
	stride int
	shift  uint32   // a window's hash is its top 32-shift bits after multiplying
	bits   []uint64 // one bit per hash value
	// A hash's grams are grams[slots[s]:slots[s+1]], s = hash & slotMask:
	// one load finds them, where counting the bits set before the hash's
	// bit took three loads in a row.
	slotMask uint32
	slots    []uint32
	grams    []gram
	lits     []literal
	targets  []int32 // literal i marks targets[lits[i].first : lits[i].first+lits[i].n]
}

const (
	// The bit set has at least 2^minHashBits bits (16 KiB) and grows to keep
	// one bit in 32 or fewer set, so that a read rarely hits by chance, up
	// to 2^maxHashBits (256 KiB, which still fits in a core's L2 cache).
	minHashBits, maxHashBits = 17, 21
	// maxStride bounds the stride: past it, the windows each literal indexes
	// cost more in hits than the positions skipped save (measured on the
	// default catalog: stride 3 and 4 beat 5).
	maxStride = 4
)

// gram is one indexed window of a literal. The literal's length and last
// four bytes are copied into it so that most hits are turned down without
// reading the literal itself.
type gram struct {
	w    uint32 // the window's bytes, folded
	tail uint32 // the literal's last four bytes, folded
	off  int32  // where the window starts in the literal
	n    int32  // the literal's length
	lit  int32
}

type literal struct {
	text  string // lower-case
	first int32
	n     int32
}

// hashWindow hashes a folded window to 32-shift bits.
func hashWindow(w, shift uint32) uint32 { return (w * 0x9E3779B1) >> shift }

func fold4(s string) uint32 { return binary.LittleEndian.Uint32([]byte(s)) | 0x20202020 }

// newPrefilter indexes literals; lits[i] lists the literals of target i.
// Every literal is at least minLiteral bytes.
func newPrefilter(lits [][]string) *prefilter {
	byText := map[string][]int32{}
	for target, set := range lits {
		for _, s := range set {
			byText[s] = append(byText[s], int32(target))
		}
	}
	texts := make([]string, 0, len(byText))
	shortest := maxStride + 3
	for s := range byText {
		texts = append(texts, s)
		shortest = min(shortest, len(s))
	}
	sort.Strings(texts)
	p := &prefilter{stride: max(1, shortest-3)}
	hashBits := minHashBits
	for hashBits < maxHashBits && len(texts)*p.stride*32 > 1<<hashBits {
		hashBits++
	}
	p.shift = uint32(32 - hashBits)
	p.bits = make([]uint64, 1<<(hashBits-6))
	type entry struct {
		h uint32
		g gram
	}
	var entries []entry
	for i, s := range texts {
		p.lits = append(p.lits, literal{text: s, first: int32(len(p.targets)), n: int32(len(byText[s]))})
		p.targets = append(p.targets, byText[s]...)
		j0 := rarestRun(s, p.stride)
		for j := j0; j < j0+p.stride; j++ {
			g := gram{w: fold4(s[j : j+4]), tail: fold4(s[len(s)-4:]), off: int32(j), n: int32(len(s)), lit: int32(i)}
			entries = append(entries, entry{hashWindow(g.w, p.shift), g})
		}
	}
	// Two slots or more per gram, so that few slots hold grams of two
	// hashes.
	slotBits := 4
	for slotBits < hashBits && 1<<slotBits < 2*len(entries) {
		slotBits++
	}
	p.slotMask = 1<<slotBits - 1
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].h&p.slotMask < entries[j].h&p.slotMask })
	p.slots = make([]uint32, 1<<slotBits+1)
	for _, e := range entries {
		p.bits[e.h>>6] |= 1 << (e.h & 63)
		p.slots[e.h&p.slotMask+1]++
		p.grams = append(p.grams, e.g)
	}
	for s := 1; s < len(p.slots); s++ {
		p.slots[s] += p.slots[s-1]
	}
	return p
}

// rarestRun returns where, in s, the run of stride windows starts that is
// least frequent in build logs; the first such run on a tie.
func rarestRun(s string, stride int) int {
	best, bestCost := 0, -1
	for j0 := 0; j0+stride+3 <= len(s); j0++ {
		cost := 0
		for j := j0; j < j0+stride; j++ {
			cost += gramWeight(fold4(s[j : j+4]))
		}
		if bestCost < 0 || cost < bestCost {
			best, bestCost = j0, cost
		}
	}
	return best
}

// scan adds to c every target with a literal in line.
func (p *prefilter) scan(line []byte, c *candidates) {
	if wideScan && len(line) >= wideMin {
		p.scanWide(line, c)
		return
	}
	p.scanWindows(line, c)
}

// wideMin is the shortest line that scanWide takes: a shorter one has a
// handful of windows, too few to be worth the call.
const wideMin = 16

// scanWindows is scan one window at a time, in Go.
func (p *prefilter) scanWindows(line []byte, c *candidates) {
	bits, shift, stride := p.bits, p.shift, p.stride
	for i := 0; i+4 <= len(line); i += stride {
		w := binary.LittleEndian.Uint32(line[i:]) | 0x20202020
		h := hashWindow(w, shift)
		if bits[h>>6]&(1<<(h&63)) != 0 {
			p.hit(line, i, w, h, c)
		}
	}
}

// scanWide is scan with windowHits, which tests up to 64 consecutive 4-byte
// words of a line at once, and as many again two bytes further on, and says
// which hit. Reading every stride-th position finds every literal, and
// reading more positions finds no other; so for a stride of 4 the words at
// 0, 4, 8, … are read, for 2 or 3 also those at 2, 6, 10, …, and for 1 also
// those at 1, 5, … and 3, 7, ….
func (p *prefilter) scanWide(line []byte, c *candidates) {
	two := p.stride < 4
	for off := 0; off < 1+btoi(p.stride == 1); off++ {
		for base := off; base+4 <= len(line); base += 256 {
			n0 := min((len(line)-base)/4, 64)
			n2 := 0
			if two && base+6 <= len(line) {
				n2 = min((len(line)-base-2)/4, 64)
			}
			m0, m2 := windowHits(line[base:], n0, n2, p.bits, p.shift)
			if m0|m2 != 0 { // no window hit: nothing to compare
				p.hits(line, base, m0, c)
				p.hits(line, base+2, m2, c)
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// hits compares the literals of the windows that mask m marks: bit k for
// the window at base+4k.
func (p *prefilter) hits(line []byte, base int, m uint64, c *candidates) {
	for ; m != 0; m &= m - 1 {
		i := base + 4*bits.TrailingZeros64(m)
		w := binary.LittleEndian.Uint32(line[i:]) | 0x20202020
		p.hit(line, i, w, hashWindow(w, p.shift), c)
	}
}

// windowHitsGo says which windows of words are in the bit set: bit k of m0
// for the 4-byte word at 4k (k < n0, n0 from 1 to 64), bit k of m2 for the
// word at 4k+2 (k < n2, n2 from 0 to n0). It is what the assembly computes,
// for other processors and for the tests.
func windowHitsGo(words []byte, n0, n2 int, bits []uint64, shift uint32) (m0, m2 uint64) {
	for k := 0; k < n0; k++ {
		m0 |= windowBit(words[4*k:], bits, shift) << k
	}
	for k := 0; k < n2; k++ {
		m2 |= windowBit(words[4*k+2:], bits, shift) << k
	}
	return m0, m2
}

// windowBit is 1 if the window at the start of b is in the bit set.
func windowBit(b []byte, bits []uint64, shift uint32) uint64 {
	h := hashWindow(binary.LittleEndian.Uint32(b)|0x20202020, shift)
	return bits[h>>6] >> (h & 63) & 1
}

// hit compares the literals that index window w, read at position i.
func (p *prefilter) hit(line []byte, i int, w, h uint32, c *candidates) {
	s := h & p.slotMask
	for _, g := range p.grams[p.slots[s]:p.slots[s+1]] {
		if g.w != w {
			continue
		}
		at := i - int(g.off)
		end := at + int(g.n)
		if at < 0 || end > len(line) || binary.LittleEndian.Uint32(line[end-4:])|0x20202020 != g.tail {
			continue
		}
		l := &p.lits[g.lit]
		if !hasFoldPrefix(line[at:], l.text) {
			continue
		}
		for _, t := range p.targets[l.first : l.first+l.n] {
			c.add(t)
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

// gramBits is the size of the window-frequency table (gramfreq.go): 65,536
// buckets, so that few windows share one. With 4,096, common windows such as
// ": un" shared buckets with rare ones and were chosen as rare: on the
// generated benchmark log the prefilter then made 401,541 window compares per
// 8 MiB, against 104,853 now.
const gramBits = 16

func gramBucket(w uint32) uint32 { return (w * 0x85EBCA6B) >> (32 - gramBits) }

// gramWeight estimates how often window w occurs in build logs, from the
// fixture logs' counts: a window of a bucket never seen weighs 0.
func gramWeight(w uint32) int {
	c := gramLog[gramBucket(w)]
	q := int(c - '0')
	if c >= 'a' {
		q = int(c-'a') + 10
	}
	if q == 0 {
		return 0
	}
	return 1 << q
}
