package dev.realtime.benchmarks.harness;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A backend of the comparison: how to make its raw-client driver (L2; none for the in-memory
 * broker, which has no client of its own) and its SDK driver (L3). Each run gets new drivers.
 *
 * @param version what the broker says it is, for the report
 * @param rawWithEnvelope the raw client carrying the SDK's envelope (id, event, time) in the
 *     backend's headers or fields, or null where there is none (memory): it tells the
 *     envelope's cost from the SDK code's, and is what the SDK's CPU per message is held to
 * @param group the consumer-group variant of a path (Kafka's, Redis streams'): measured as
 *     every path is, except in the quick mode, which runs it at maximum throughput alone (its
 *     fixed-rate runs go through the same code as its broadcast variant's)
 */
public record Backend(String name, String version, @Nullable Supplier<Driver> raw,
    @Nullable Supplier<Driver> rawWithEnvelope, Supplier<Driver> sdk, boolean group) {

  /**
   * The name without spaces or slashes, for command lines and JMH parameters: {@code
   * redis-streams}, {@code redis-pubsub}, {@code rabbitmq-quorum}.
   */
  public String id() {
    return name.replace("pub/sub", "pubsub").replace(' ', '-');
  }
}
