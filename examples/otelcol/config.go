package buildlogprocessor

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/buildlog/buildlog/classify"
)

// Where the build id is looked up.
const (
	SourceAny      = "any"      // the record's attributes, then its resource's
	SourceRecord   = "record"   // the record's attributes only
	SourceResource = "resource" // the resource's attributes only
)

// Defaults of the processor's settings.
const (
	DefaultBuildIDAttribute = "build.id"
	DefaultMinSeverity      = "warning"
	DefaultIdleTimeout      = 5 * time.Minute
	DefaultMaxStreams       = 1000
)

// Config is the configuration of the buildlog processor. Every field has a
// working default except the end-of-build marker, which is off unless set.
type Config struct {
	// BuildID names the attribute whose value identifies a build: every
	// record with the same value belongs to one stream, classified by one
	// session. Records without it are passed on untouched and counted.
	BuildID BuildIDConfig `mapstructure:"build_id"`

	// LineAttribute, when set, names the record attribute that holds the log
	// line; when empty the line is the record's body. Either way the value
	// must be a string.
	LineAttribute string `mapstructure:"line_attribute"`

	// Catalogs lists catalog files (YAML, schema 1) to load over the
	// embedded default catalog, in order. An entry may be a glob such as
	// /etc/buildlog/*.yaml; an entry that matches no file is an error.
	Catalogs []string `mapstructure:"catalogs"`

	// MinSeverity is the lowest issue severity written to the record that
	// carries the evidence: "error", "warning" (default) or "info". Summaries
	// list every issue whatever its severity.
	MinSeverity string `mapstructure:"min_severity"`

	// IdleTimeout closes a stream that has received no line for this long
	// and emits its summary. Default 5m.
	IdleTimeout time.Duration `mapstructure:"idle_timeout"`

	// MaxStreams bounds the builds classified at once. Opening one more
	// closes the least recently used stream and emits its summary, so memory
	// stays bounded. Default 1000.
	MaxStreams int `mapstructure:"max_streams"`

	// EndOfBuild says which record ends a build. The record is classified
	// first, then the stream is closed and summarised; a later record with
	// the same build id starts a new stream.
	EndOfBuild EndOfBuildConfig `mapstructure:"end_of_build"`
}

// BuildIDConfig says where the build id is found.
type BuildIDConfig struct {
	// Attribute is the attribute key. Default "build.id".
	Attribute string `mapstructure:"attribute"`
	// Source is "any" (default: record attributes, then resource
	// attributes), "record" or "resource".
	Source string `mapstructure:"source"`
}

// EndOfBuildConfig is the marker that closes a stream. Either part may be
// set; a record that meets either one ends its build.
type EndOfBuildConfig struct {
	// Attribute names a record attribute that marks the last record of a
	// build, such as build.event.
	Attribute string `mapstructure:"attribute"`
	// Values, when not empty, are the values of Attribute that end a build;
	// when empty, any value does.
	Values []string `mapstructure:"values"`
	// LinePattern is a Go regular expression (RE2 syntax) matched against
	// each line as the catalog's patterns saw it (ANSI escapes, timestamps
	// and BuildKit prefixes removed, the last segment of a line rewritten by
	// bare carriage returns; see classify.Session.Normalized), such as
	// '^(Successfully built|ERROR: failed to solve)'.
	LinePattern string `mapstructure:"line_pattern"`
}

func createDefaultConfig() *Config {
	return &Config{
		BuildID:     BuildIDConfig{Attribute: DefaultBuildIDAttribute, Source: SourceAny},
		MinSeverity: DefaultMinSeverity,
		IdleTimeout: DefaultIdleTimeout,
		MaxStreams:  DefaultMaxStreams,
	}
}

// Validate checks the configuration without reading any file: catalog files
// are read and compiled when the processor is created.
func (c *Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.BuildID.Attribute) == "" {
		errs = append(errs, errors.New("build_id.attribute must not be empty"))
	}
	switch c.BuildID.Source {
	case SourceAny, SourceRecord, SourceResource:
	default:
		errs = append(errs, fmt.Errorf("build_id.source %q: want %q, %q or %q", c.BuildID.Source, SourceAny, SourceRecord, SourceResource))
	}
	if _, err := classify.ParseSeverity(c.MinSeverity); err != nil {
		errs = append(errs, fmt.Errorf("min_severity: %w", err))
	}
	if c.IdleTimeout <= 0 {
		errs = append(errs, fmt.Errorf("idle_timeout %v: must be positive", c.IdleTimeout))
	}
	if c.MaxStreams <= 0 {
		errs = append(errs, fmt.Errorf("max_streams %d: must be positive", c.MaxStreams))
	}
	for i, p := range c.Catalogs {
		if strings.TrimSpace(p) == "" {
			errs = append(errs, fmt.Errorf("catalogs[%d] is empty", i))
		}
	}
	if len(c.EndOfBuild.Values) > 0 && c.EndOfBuild.Attribute == "" {
		errs = append(errs, errors.New("end_of_build.values needs end_of_build.attribute"))
	}
	if c.EndOfBuild.LinePattern != "" {
		if _, err := regexp.Compile(c.EndOfBuild.LinePattern); err != nil {
			errs = append(errs, fmt.Errorf("end_of_build.line_pattern: %w", err))
		}
	}
	return errors.Join(errs...)
}
