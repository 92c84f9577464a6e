package classify

import "testing"

func TestIssueKey(t *testing.T) {
	a := Issue{ID: "pip_x", Fields: map[string]string{"b": "2", "a": "1"}}
	b := Issue{ID: "pip_x", Fields: map[string]string{"a": "1", "b": "2"}, Line: 9}
	c := Issue{ID: "pip_x", Fields: map[string]string{"a": "1"}}
	if a.Key() != b.Key() || a.Key() == c.Key() || (Issue{ID: "x"}).Key() != "x" {
		t.Errorf("keys: %q %q %q", a.Key(), b.Key(), c.Key())
	}
}
