package dev.realtime.benchmarks.harness;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A backend of the comparison: how to make its raw-client driver (L2; none for the in-memory
 * broker, which has no client of its own) and its SDK driver (L3). Each run gets new drivers.
 *
 * @param version what the broker says it is, for the report
 * @param rawWithEnvelope the raw client carrying the SDK's envelope (id, event, time) in the
 *     backend's headers or fields, or null where not measured: it tells the envelope's cost
 *     from the SDK code's
 * @param throughputOnly a variant (the consumer-group one) run at maximum throughput, 100 B only
 */
public record Backend(String name, String version, @Nullable Supplier<Driver> raw,
    @Nullable Supplier<Driver> rawWithEnvelope, Supplier<Driver> sdk, boolean throughputOnly) {

  /**
   * The name without spaces or slashes, for command lines and JMH parameters: {@code
   * redis-streams}, {@code redis-pubsub}, {@code rabbitmq-quorum}.
   */
  public String id() {
    return name.replace("pub/sub", "pubsub").replace(' ', '-');
  }
}
