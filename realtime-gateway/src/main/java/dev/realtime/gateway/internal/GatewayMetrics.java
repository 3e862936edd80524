package dev.realtime.gateway.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node's meters, for {@code GET /metrics} and any other Micrometer registry: connections and
 * channels now, and counts of what was delivered, refused and published.
 */
public final class GatewayMetrics {
  final Counter delivered;
  final Counter slowClients;
  final Counter clientEvents;
  final Counter published;
  final Counter refusedConnections;

  public GatewayMetrics(MeterRegistry registry, AtomicInteger connections, ChannelHub hub) {
    Gauge.builder("realtime.gateway.connections", connections, AtomicInteger::get)
        .description("WebSocket connections open on this node").register(registry);
    Gauge.builder("realtime.gateway.channels", hub, ChannelHub::channelCount)
        .description("Channels with at least one connection on this node").register(registry);
    delivered = counter(registry, "realtime.gateway.delivered",
        "Channel events written to connections");
    slowClients = counter(registry, "realtime.gateway.slow.clients",
        "Connections closed with 4100 because they read too slowly");
    clientEvents = counter(registry, "realtime.gateway.client.events",
        "Client events published for connections");
    published = counter(registry, "realtime.gateway.http.published",
        "Messages published through the HTTP API");
    refusedConnections = counter(registry, "realtime.gateway.refused.connections",
        "Connections refused: unknown key or protocol, or the node full");
  }

  private static Counter counter(MeterRegistry registry, String name, String description) {
    return Counter.builder(name).description(description).register(registry);
  }
}
