package buildlogprocessor

import (
	"os"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
)

// The example configurations are shown in README.md verbatim, and their
// buildlog processors decode and validate.
func TestExampleConfigs(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"single.yaml", "front-tier.yaml", "back-tier.yaml"} {
		path := "configs/" + name
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(readme), string(data)) {
			t.Errorf("README.md does not show %s as it is", path)
		}
		cm, err := confmaptest.LoadConf(path)
		if err != nil {
			t.Fatal(err)
		}
		procs, err := cm.Sub("processors")
		if err != nil {
			t.Fatal(err)
		}
		for key := range procs.ToStringMap() {
			id := component.ID{}
			if err := id.UnmarshalText([]byte(key)); err != nil {
				t.Fatalf("%s: processor %q: %v", path, key, err)
			}
			if id.Type() != componentType {
				continue
			}
			sub, err := procs.Sub(key)
			if err != nil {
				t.Fatal(err)
			}
			cfg := createDefaultConfig()
			if err := sub.Unmarshal(cfg); err != nil {
				t.Errorf("%s: %s: %v", path, key, err)
			} else if err := confmap.Validate(cfg); err != nil {
				t.Errorf("%s: %s: %v", path, key, err)
			}
		}
	}
}

// The front tier routes on the attribute the back tier reads build ids from.
func TestFrontTierRoutesOnBuildID(t *testing.T) {
	front, err := confmaptest.LoadConf("configs/front-tier.yaml")
	if err != nil {
		t.Fatal(err)
	}
	back, err := confmaptest.LoadConf("configs/back-tier.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sub, err := back.Sub("processors::buildlog")
	if err != nil {
		t.Fatal(err)
	}
	cfg := createDefaultConfig()
	if err := sub.Unmarshal(cfg); err != nil {
		t.Fatal(err)
	}
	if got := front.Get("exporters::load_balancing::routing_key"); got != "attributes" {
		t.Errorf("routing_key %v, want attributes", got)
	}
	raw, _ := front.Get("exporters::load_balancing::routing_attributes").([]any)
	var attrs []string
	for _, a := range raw {
		s, _ := a.(string)
		attrs = append(attrs, s)
	}
	if !slices.Equal(attrs, []string{cfg.BuildID.Attribute}) {
		t.Errorf("routing_attributes %q, want [%s]", attrs, cfg.BuildID.Attribute)
	}
}
