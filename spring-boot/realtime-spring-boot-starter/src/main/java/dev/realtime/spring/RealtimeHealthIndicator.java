package dev.realtime.spring;

import dev.realtime.Broker;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The broker's health as Spring Boot's {@code realtime} health component: up or down with the
 * adapter's name and what it checked ({@code PING} answered, the cluster's metadata read), or
 * why it is down. A closed broker is down.
 */
final class RealtimeHealthIndicator implements HealthIndicator {
  private final Broker broker;

  RealtimeHealthIndicator(Broker broker) {
    this.broker = broker;
  }

  @Override
  public Health health() {
    dev.realtime.Health health = broker.health();
    return (health.isUp() ? Health.up() : Health.down())
        .withDetail("broker", health.broker())
        .withDetail("detail", health.detail())
        .build();
  }
}
