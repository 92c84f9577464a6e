package main

import "strings"

// This file mines line templates with a fixed-depth prefix tree, after
// Pinjia He et al., "Drain: An Online Log Parsing Approach with Fixed Depth
// Tree" (ICWS 2017). The lines it is given are fingerprints
// (classify.Fingerprint), whose numbers, paths, hex ids and quoted names are
// masked already, so what is left to find is the words that vary: package
// names, table names, keys written without quotes.
//
// A line is split into tokens at spaces. The tree's first level is the
// number of tokens (lines of different lengths never share a template); the
// next depth-2 levels are the line's first tokens, a token holding a mask
// going to the wildcard child; a leaf holds groups. At the leaf, the line
// joins the group whose template has the largest share of equal tokens,
// position by position, when that share is at least the similarity
// threshold; the template's differing tokens then become the wildcard.
// Otherwise the line starts a group of its own. A node has at most
// maxChildren children: when it is full, new tokens go to the wildcard
// child, so that a first word that varies a lot (a tool's name) cannot
// blow up the tree.

// Drain's parameters and their defaults.
const (
	drainDepth       = 4   // tree depth: root, token count, then 2 levels of first tokens
	drainSimilarity  = 0.5 // least share of equal tokens to join a group
	drainMaxChildren = 100 // children per token node
	drainWildcard    = "<*>"
)

// drain is the template miner.
type drain struct {
	depth       int
	sim         float64
	maxChildren int
	byLen       map[int]*drainNode
	groups      []*drainGroup
}

type drainNode struct {
	children map[string]*drainNode
	groups   []*drainGroup
}

// drainGroup is one template and the lines that joined it.
type drainGroup struct {
	template []string
	members  []int // the callers' ids of the lines
}

func newDrain(depth int, sim float64, maxChildren int) *drain {
	return &drain{depth: max(depth, 3), sim: sim, maxChildren: max(maxChildren, 2), byLen: map[int]*drainNode{}}
}

// isVariable reports whether a token holds a mask or a wildcard, so that
// lines are not routed by it.
func isVariable(tok string) bool {
	return strings.Contains(tok, "<") && strings.Contains(tok, ">") && maskIn(tok) || tok == drainWildcard
}

// maskIn reports whether tok holds one of the fingerprint masks.
func maskIn(tok string) bool {
	for _, m := range fingerprintMasks {
		if strings.Contains(tok, m.mask) {
			return true
		}
	}
	return false
}

// add puts the line with the given tokens into a group and returns it.
func (d *drain) add(tokens []string, id int) *drainGroup {
	n := len(tokens)
	node := d.byLen[n]
	if node == nil {
		node = &drainNode{children: map[string]*drainNode{}}
		d.byLen[n] = node
	}
	for level := 0; level < d.depth-2 && level < n; level++ {
		key := tokens[level]
		if isVariable(key) {
			key = drainWildcard
		}
		child := node.children[key]
		if child == nil {
			if key != drainWildcard && len(node.children)+1 >= d.maxChildren {
				key = drainWildcard
				child = node.children[key]
			}
			if child == nil {
				child = &drainNode{children: map[string]*drainNode{}}
				node.children[key] = child
			}
		}
		node = child
	}
	var best *drainGroup
	bestSim, bestWild := -1.0, -1
	for _, g := range node.groups {
		s, wild := similarity(g.template, tokens)
		if s > bestSim || s == bestSim && wild > bestWild {
			best, bestSim, bestWild = g, s, wild
		}
	}
	if best != nil && bestSim >= d.sim {
		for i, t := range tokens {
			if best.template[i] != t {
				best.template[i] = drainWildcard
			}
		}
		best.members = append(best.members, id)
		return best
	}
	g := &drainGroup{template: append([]string(nil), tokens...), members: []int{id}}
	node.groups = append(node.groups, g)
	d.groups = append(d.groups, g)
	return g
}

// similarity is the share of positions where template and tokens are the
// same token (a wildcard counts as different), and the number of wildcards.
func similarity(template, tokens []string) (float64, int) {
	if len(tokens) == 0 {
		return 1, 0
	}
	same, wild := 0, 0
	for i, t := range template {
		switch {
		case t == drainWildcard:
			wild++
		case t == tokens[i]:
			same++
		}
	}
	return float64(same) / float64(len(tokens)), wild
}
