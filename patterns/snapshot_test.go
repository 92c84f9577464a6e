package patterns_test

import (
	"flag"
	"os"
	"testing"

	"github.com/buildlog/buildlog/classify"
	"github.com/buildlog/buildlog/patterns"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var updateSnapshot = flag.Bool("update-snapshot", false, "rewrite patterns/catalog.snapshot from the YAML files")

// TestSnapshot: the embedded snapshot was made from the embedded YAML and
// decodes to the very catalog parsing gives, unexported positions and all;
// -update-snapshot makes it again.
func TestSnapshot(t *testing.T) {
	want, err := patterns.ParseYAML()
	if err != nil {
		t.Fatal(err)
	}
	if *updateSnapshot {
		b, err := patterns.MakeSnapshot(want)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("catalog.snapshot", b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got := patterns.FromSnapshot(patterns.Snapshot)
	if got == nil {
		t.Fatal("catalog.snapshot is not that of the YAML files (Catalog parses them at every start): run go test ./patterns -run TestSnapshot -update-snapshot")
	}
	opts := cmp.Options{cmp.AllowUnexported(classify.Catalog{}, classify.Rule{}, classify.Step{}, classify.Collect{}), cmpopts.EquateEmpty()}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("the snapshot decodes to another catalog (-parsed +snapshot); run go test ./patterns -run TestSnapshot -update-snapshot:\n%s", diff)
	}
	// a snapshot of other YAML is not used
	if c := patterns.FromSnapshot(append([]byte(nil), patterns.Snapshot[:len(patterns.Snapshot)/2]...)); c != nil {
		t.Error("a cut snapshot was used")
	}
}
