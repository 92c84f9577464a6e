package buildlogprocessor

import (
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
)

// Names of the processor's own metrics.
const (
	MetricMalformedRecords = "otelcol_processor_buildlog_malformed_records"
	MetricSummaries        = "otelcol_processor_buildlog_summaries"
	MetricOpenStreams      = "otelcol_processor_buildlog_open_streams"
)

type telemetry struct {
	malformed metric.Int64Counter
	summaries metric.Int64Counter
	open      metric.Int64UpDownCounter
}

func newTelemetry(set component.TelemetrySettings) (*telemetry, error) {
	mp := set.MeterProvider
	if mp == nil {
		mp = noop.NewMeterProvider()
	}
	meter := mp.Meter(ScopeName)
	var t telemetry
	var err error
	if t.malformed, err = meter.Int64Counter(MetricMalformedRecords,
		metric.WithDescription("Log records passed on untouched because they had no usable build id or line."),
		metric.WithUnit("{records}")); err != nil {
		return nil, err
	}
	if t.summaries, err = meter.Int64Counter(MetricSummaries,
		metric.WithDescription("Build summaries emitted, by the reason the build's stream closed."),
		metric.WithUnit("{records}")); err != nil {
		return nil, err
	}
	if t.open, err = meter.Int64UpDownCounter(MetricOpenStreams,
		metric.WithDescription("Builds being classified."),
		metric.WithUnit("{streams}")); err != nil {
		return nil, err
	}
	return &t, nil
}

// reasonOptions holds one attribute set per close reason, made once.
var reasonOptions = func() map[string]metric.AddOption {
	m := map[string]metric.AddOption{}
	for _, r := range []string{ReasonEndOfBuild, ReasonIdle, ReasonEvicted, ReasonShutdown} {
		m[r] = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", r)))
	}
	return m
}()

func reasonOption(reason string) metric.AddOption { return reasonOptions[reason] }
