// Package ring stands in for the front tier's load-balancing exporter in
// the end-to-end run: it maps a build id to one back end with a consistent
// hash ring, the rule the module's README documents for the front tier.
//
// The scheme follows the one contrib's load-balancing exporter describes: a
// circle of 36,000 positions, every back end placed on it at 100 positions
// (CRC-32 of its endpoint and a point number), and a key owned by the first
// back end at or after the key's own position (CRC-32 of the key), wrapping
// around. Endpoints are sorted first, so every replica that is given the same
// set builds the same ring, and removing one back end only moves the keys it
// owned.
package ring

import (
	"hash/crc32"
	"slices"
	"sort"
)

const (
	// Positions is the size of the circle.
	Positions = 36000
	// PointsPerEndpoint is how many positions each endpoint takes.
	PointsPerEndpoint = 100
)

type point struct {
	pos      uint32
	endpoint string
}

// Ring is an immutable consistent-hash ring; safe for concurrent use.
type Ring struct {
	points    []point
	endpoints []string
}

// New builds the ring of the given endpoints (host:port). Duplicates are
// ignored; an empty list gives a ring that owns nothing.
func New(endpoints []string) *Ring {
	eps := slices.Clone(endpoints)
	slices.Sort(eps)
	eps = slices.Compact(eps)
	r := &Ring{endpoints: eps}
	taken := map[uint32]bool{}
	for _, ep := range eps {
		for i := 0; i < PointsPerEndpoint; i++ {
			pos := position(append([]byte(ep), byte(i)))
			if taken[pos] { // the first endpoint to claim a position keeps it
				continue
			}
			taken[pos] = true
			r.points = append(r.points, point{pos: pos, endpoint: ep})
		}
	}
	sort.Slice(r.points, func(i, j int) bool { return r.points[i].pos < r.points[j].pos })
	return r
}

func position(b []byte) uint32 { return crc32.ChecksumIEEE(b) % Positions }

// Endpoints returns the ring's endpoints, sorted.
func (r *Ring) Endpoints() []string { return slices.Clone(r.endpoints) }

// Owner returns the endpoint that owns key, or "" for an empty ring.
func (r *Ring) Owner(key string) string {
	if len(r.points) == 0 {
		return ""
	}
	pos := position([]byte(key))
	i := sort.Search(len(r.points), func(i int) bool { return r.points[i].pos >= pos })
	if i == len(r.points) {
		i = 0
	}
	return r.points[i].endpoint
}
