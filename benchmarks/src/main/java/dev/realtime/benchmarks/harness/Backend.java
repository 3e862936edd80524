package dev.realtime.benchmarks.harness;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A backend of the comparison: how to make its raw-client driver (L2; none for the in-memory
 * broker, which has no client of its own) and its SDK driver (L3). Each run gets new drivers.
 *
 * @param version what the broker says it is, for the report
 * @param throughputOnly a variant (the consumer-group one) run at maximum throughput, 100 B only
 */
public record Backend(String name, String version, @Nullable Supplier<Driver> raw,
    Supplier<Driver> sdk, boolean throughputOnly) {

  /** A backend run through every workload. */
  public Backend(String name, String version, @Nullable Supplier<Driver> raw,
      Supplier<Driver> sdk) {
    this(name, version, raw, sdk, false);
  }

  /**
   * The name without spaces or slashes, for command lines and JMH parameters: {@code
   * redis-streams}, {@code redis-pubsub}, {@code rabbitmq-quorum}.
   */
  public String id() {
    return name.replace("pub/sub", "pubsub").replace(' ', '-');
  }
}
