package buildlogprocessor

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"
)

func TestFactory(t *testing.T) {
	f := NewFactory()
	if f.Type().String() != "buildlog" {
		t.Errorf("type %q, want buildlog", f.Type())
	}
	if f.LogsStability() != component.StabilityLevelAlpha {
		t.Errorf("logs stability %v", f.LogsStability())
	}
	cfg := f.CreateDefaultConfig()
	if err := componenttest.CheckConfigStruct(cfg); err != nil {
		t.Error(err)
	}
	if err := confmap.Validate(cfg); err != nil {
		t.Errorf("default config: %v", err)
	}
	if _, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(f.Type()), cfg, consumertest.NewNop()); err == nil {
		t.Error("traces: want an error")
	}
}

func TestLoadConfig(t *testing.T) {
	t.Parallel() // compiles a catalog with its examples: can be slow under -race
	cm, err := confmaptest.LoadConf("testdata/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	procs, err := cm.Sub("processors")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id   component.ID
		want *Config
	}{
		{component.NewID(componentType), createDefaultConfig()},
		{component.NewIDWithName(componentType, "custom"), &Config{
			BuildID:       BuildIDConfig{Attribute: "ci.job.id", Source: SourceResource},
			LineAttribute: "log.line",
			Catalogs:      []string{"testdata/extra-catalog.yaml"},
			MinSeverity:   "info",
			IdleTimeout:   90 * time.Second,
			MaxStreams:    50,
			EndOfBuild: EndOfBuildConfig{
				Attribute:   "build.event",
				Values:      []string{"finished", "cancelled"},
				LinePattern: "^(Successfully built|ERROR: failed to solve)",
			},
		}},
	} {
		t.Run(tc.id.String(), func(t *testing.T) {
			sub, err := procs.Sub(tc.id.String())
			if err != nil {
				t.Fatal(err)
			}
			cfg := NewFactory().CreateDefaultConfig()
			if err := sub.Unmarshal(cfg); err != nil {
				t.Fatal(err)
			}
			if err := confmap.Validate(cfg); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cfg, tc.want) {
				t.Errorf("got  %+v\nwant %+v", cfg, tc.want)
			}
			// The configuration builds a working processor.
			p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(componentType), cfg, consumertest.NewNop())
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Start(context.Background(), componenttest.NewNopHost()); err != nil {
				t.Fatal(err)
			}
			if err := p.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestUnknownKey(t *testing.T) {
	cfg := NewFactory().CreateDefaultConfig()
	err := confmap.NewFromStringMap(map[string]any{"max_stream": 5}).Unmarshal(cfg)
	if err == nil || !strings.Contains(err.Error(), "max_stream") {
		t.Errorf("a misspelt key: got %v, want an error naming it", err)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no build id", func(c *Config) { c.BuildID.Attribute = " " }, "build_id.attribute"},
		{"bad source", func(c *Config) { c.BuildID.Source = "scope" }, "build_id.source"},
		{"bad severity", func(c *Config) { c.MinSeverity = "fatal" }, "min_severity"},
		{"zero idle timeout", func(c *Config) { c.IdleTimeout = 0 }, "idle_timeout"},
		{"zero max streams", func(c *Config) { c.MaxStreams = 0 }, "max_streams"},
		{"empty catalog path", func(c *Config) { c.Catalogs = []string{""} }, "catalogs[0]"},
		{"values without attribute", func(c *Config) { c.EndOfBuild.Values = []string{"done"} }, "end_of_build.values"},
		{"bad line pattern", func(c *Config) { c.EndOfBuild.LinePattern = "(" }, "end_of_build.line_pattern"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := createDefaultConfig()
			tc.edit(cfg)
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error about %s", err, tc.want)
			}
			if _, err := newLogsProcessor(processortest.NewNopSettings(componentType), cfg, consumertest.NewNop()); err == nil {
				t.Error("the processor was created from an invalid config")
			}
		})
	}
}

// TestCatalogAdjustingChecks: a team file that also disables and patches
// definition checks (for triage check) loads; its log-rule patch applies.
func TestCatalogAdjustingChecks(t *testing.T) {
	m, err := loadMatcher([]string{"testdata/team-with-checks.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := m.Classify(context.Background(), strings.NewReader("tar: usr/lib/libx.so: Cannot write: No space left on device\n"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Primary == nil || rep.Primary.ID != "disk_full" || rep.Primary.Remediation != "Ask for the build pool with bigger disks." {
		t.Errorf("primary %+v", rep.Primary)
	}
}

func TestCatalogErrors(t *testing.T) {
	t.Parallel() // compiles a catalog with its examples: can be slow under -race
	for _, tc := range []struct {
		paths []string
		want  string
	}{
		{[]string{"testdata/no-such-*.yaml"}, "matches no file"},
		{[]string{"testdata/missing.yaml"}, "matches no file"},
		{[]string{"testdata/extra-catalog.yaml", "testdata/broken-catalog.yaml"}, "test_broken_rule"},
		{[]string{"testdata/extra-catalog.yaml", "testdata/extra-catalog.yaml"}, "test_widget_failure"}, // duplicate ids
		{[]string{"testdata/config.yaml"}, "config.yaml"},                                               // not a catalog
	} {
		cfg := createDefaultConfig()
		cfg.Catalogs = tc.paths
		_, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(componentType), cfg, consumertest.NewNop())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("catalogs %q: got %v, want an error containing %q", tc.paths, err, tc.want)
		}
	}
}
