/**
 * What a running job reports about itself: Micrometer meters (names in {@link dev.onceflow.core.metrics.MetricNames})
 * registered in the registry the user passes to {@code Pipeline.meterRegistry(...)} (none = nothing is recorded), and
 * per-checkpoint and recovery records handed to {@link dev.onceflow.core.JobListener}s. Core depends on the Micrometer
 * API only; a registry (Prometheus, JMX, ...) is the application's choice ({@code onceflow-dashboard} brings
 * Prometheus). Counters are updated per batch or per checkpoint, never with a lock per record.
 */
package dev.onceflow.core.metrics;
