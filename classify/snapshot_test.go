package classify

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// snapshotOpts compare catalogs field by field, unexported ones included;
// an empty list and a missing one are the same.
var snapshotOpts = cmp.Options{
	cmp.AllowUnexported(Catalog{}, Rule{}, Step{}, Collect{}),
	cmpopts.EquateEmpty(),
}

func TestSnapshotRoundTrip(t *testing.T) {
	base, err := ParseCatalog("base.yaml", []byte(`schema: 1
definitions:
  ver: '\d+(?:\.\d+)*'
rules:
  - id: a_failed
    group: pip
    title: A failed
    priority: 5
    patterns:
      - 'A failed at {{ver}}: (?<why>.+)'
      - pattern: 'B (?<why>\w+) broke'
        literals: ['broke']
        sequence: []
    sequence:
      - pattern: 'then (?<next>\w+)'
        within: 3
    unless:
      pattern: 'will retry'
      within: 2
    remediation: 'Fix {{why}}.'
    examples:
      match:
        - text: "A failed at 1.2: disk\nthen x"
          fields: {why: disk, next: x}
  - id: b_list
    group: conda
    title: B
    patterns: ['PackagesNotFound']
    collect:
      pattern: '^\s+- (?<spec>\S+)'
      field: specs
    remediation: 'Install {{specs}}.'
  - id: gone_rule
    group: apt
    title: gone
    patterns: ['gone here']
    remediation: x
ignore: ['^noise']
`))
	if err != nil {
		t.Fatal(err)
	}
	team, err := ParseCatalog("team.yaml", []byte("disable: [gone_rule, not_yet]\nrules:\n  - id: a_failed\n    patch: true\n    priority: 9\n"))
	if err != nil {
		t.Fatal(err)
	}
	merged, err := Merge(base, team)
	if err != nil {
		t.Fatal(err)
	}
	goBuilt := &Catalog{Rules: []*Rule{{ID: "go_rule", Group: "go", Title: "t", Patterns: []Pattern{{Expr: "panic: (?<msg>.+)"}}}}}
	for name, c := range map[string]*Catalog{"parsed and merged": merged, "built in Go": goBuilt} {
		t.Run(name, func(t *testing.T) {
			b, err := c.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var back Catalog
			if err := back.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c, &back, snapshotOpts); diff != "" {
				t.Errorf("round trip changed the catalog (-before +after):\n%s", diff)
			}
			// and it behaves the same: Compile reports the same problems
			_, err1 := Compile(c, WithExamples())
			_, err2 := Compile(&back, WithExamples())
			if (err1 == nil) != (err2 == nil) || err1 != nil && err1.Error() != err2.Error() {
				t.Errorf("Compile: %v, after the round trip %v", err1, err2)
			}
		})
	}
	var c Catalog
	if err := c.UnmarshalBinary([]byte("not a snapshot")); err == nil {
		t.Error("UnmarshalBinary accepted garbage")
	}
}

// FuzzUnmarshalBinary: any bytes give a catalog or an error, never a panic,
// and a catalog that comes back compiles or reports errors.
func FuzzUnmarshalBinary(f *testing.F) {
	c, err := ParseCatalog("f.yaml", []byte("rules:\n  - id: a_b\n    group: g\n    title: t\n    patterns: ['x (?<y>\\w+)']\n    sequence:\n      - pattern: 'then'\n    remediation: '{{y}}'\n"))
	if err != nil {
		f.Fatal(err)
	}
	b, err := c.MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var c Catalog
		if c.UnmarshalBinary(data) != nil {
			return
		}
		Compile(&c, WithExamples())
	})
}
