/**
 * Tracing: the {@link dev.realtime.tracing.RealtimeTracing} hook and its OpenTelemetry
 * implementation. Non-null unless stated.
 */
package dev.realtime.tracing;
