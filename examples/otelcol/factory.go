package buildlogprocessor

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"
)

// ScopeName is the instrumentation scope of the summary records and of the
// processor's own metrics: this package's import path.
const ScopeName = "github.com/buildlog/buildlog/examples/otelcol"

var componentType = component.MustNewType("buildlog")

// NewFactory returns the factory of the buildlog logs processor, for an
// otelcol.Factories map or an OCB manifest.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		componentType,
		func() component.Config { return createDefaultConfig() },
		processor.WithLogs(createLogs, component.StabilityLevelAlpha),
	)
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	c, ok := cfg.(*Config)
	if !ok {
		return nil, fmt.Errorf("buildlog: unexpected config type %T", cfg)
	}
	p, err := newLogsProcessor(set, c, next)
	if err != nil {
		return nil, err
	}
	return p.wrap(ctx, set, cfg, next)
}

// wrap turns p into a processor.Logs that reports the usual processor
// telemetry. Tests use it after setting p's clock and ticker.
func (p *logsProcessor) wrap(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	return processorhelper.NewLogs(ctx, set, cfg, next, p.processLogs,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		processorhelper.WithStart(p.start),
		processorhelper.WithShutdown(p.shutdown),
	)
}
