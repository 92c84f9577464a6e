// Package buildlogprocessor is an OpenTelemetry Collector logs processor,
// of type "buildlog", that classifies container-image build logs with
// buildlog's classify package while they stream through a collector.
//
// Each log record is one line of a build. The records of one build share a
// build id attribute (build.id by default, on the record or its resource);
// the processor keeps one classify.Session per build, feeds it every line in
// arrival order, and:
//
//   - writes buildlog.issue.id, buildlog.issue.group, buildlog.issue.severity
//     and buildlog.issue.title on the record that carries an issue's
//     evidence, when the issue completes;
//   - passes every record on, changed only by those attributes; a record with
//     no usable build id or line is passed on untouched and counted
//     (MalformedRecords and the otelcol_processor_buildlog_malformed_records
//     metric);
//   - emits exactly one summary record per build (event name
//     buildlog.build.summary) when the build's stream closes: at the
//     configured end-of-build marker, after the idle timeout, when more than
//     max_streams builds are open (least recently used first), or at
//     shutdown.
//
// The records of one build must reach the same processor instance. With
// several collectors, put a tier in front that routes by the build id (the
// contrib loadbalancing exporter with routing_key: attributes); see the
// README.
package buildlogprocessor
