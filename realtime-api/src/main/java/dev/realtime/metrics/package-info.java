/**
 * Measurements: the {@link dev.realtime.metrics.RealtimeMetrics} hook and its Micrometer
 * implementation. Non-null unless stated.
 */
package dev.realtime.metrics;
