package ring

import (
	"fmt"
	"testing"
)

func keys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("build-%d", i)
	}
	return out
}

func TestEmpty(t *testing.T) {
	if got := New(nil).Owner("x"); got != "" {
		t.Errorf("empty ring owns x: %q", got)
	}
}

// Every replica given the same endpoints, in any order, routes alike.
func TestOrderDoesNotMatter(t *testing.T) {
	a := New([]string{"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"})
	b := New([]string{"127.0.0.1:3", "127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:1"})
	for _, k := range keys(2000) {
		if a.Owner(k) != b.Owner(k) {
			t.Fatalf("%s: %s vs %s", k, a.Owner(k), b.Owner(k))
		}
	}
	if len(b.Endpoints()) != 3 {
		t.Errorf("endpoints %v", b.Endpoints())
	}
}

// Keys spread over every endpoint, none with less than half its share.
func TestSpread(t *testing.T) {
	eps := []string{"127.0.0.1:14317", "127.0.0.1:14318", "127.0.0.1:14319"}
	r := New(eps)
	count := map[string]int{}
	ks := keys(9000)
	for _, k := range ks {
		count[r.Owner(k)]++
	}
	for _, ep := range eps {
		if count[ep] < len(ks)/len(eps)/2 {
			t.Errorf("%s owns %d of %d keys: %v", ep, count[ep], len(ks), count)
		}
	}
}

// Removing an endpoint moves only the keys it owned, and adding it back
// restores them.
func TestRemoveMovesOnlyItsKeys(t *testing.T) {
	full := New([]string{"a:1", "b:1", "c:1"})
	less := New([]string{"a:1", "b:1"})
	moved := 0
	for _, k := range keys(5000) {
		before, after := full.Owner(k), less.Owner(k)
		if before == "c:1" {
			moved++
			if after == "c:1" {
				t.Fatalf("%s still on the removed endpoint", k)
			}
			continue
		}
		if before != after {
			t.Fatalf("%s moved from %s to %s though its owner stayed", k, before, after)
		}
	}
	if moved == 0 {
		t.Error("no key was owned by c:1")
	}
}

// Owner is the first point at or after the key's position, wrapping.
func TestOwnerIsNextPoint(t *testing.T) {
	r := New([]string{"x:1", "y:1"})
	for _, k := range keys(500) {
		pos := position([]byte(k))
		want := r.points[0].endpoint
		for _, p := range r.points {
			if p.pos >= pos {
				want = p.endpoint
				break
			}
		}
		if got := r.Owner(k); got != want {
			t.Fatalf("%s (pos %d): %s, want %s", k, pos, got, want)
		}
	}
}
