/**
 * Spring Boot auto-configuration for realtime: the broker opened from {@code realtime.*}
 * properties, {@link dev.realtime.spring.RealtimeListener} methods as handlers, metrics into the
 * application's {@code MeterRegistry}, a health indicator, tracing with the application's
 * OpenTelemetry. Non-null unless stated.
 */
package dev.realtime.spring;
