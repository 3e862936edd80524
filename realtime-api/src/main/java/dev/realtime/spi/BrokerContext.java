package dev.realtime.spi;

import dev.realtime.config.RealtimeConfig;
import dev.realtime.metrics.RealtimeMetrics;
import java.util.Objects;

/** What a {@link BrokerProvider} is given to open a broker: configuration and metrics. */
public final class BrokerContext {
  private final RealtimeConfig config;
  private final RealtimeMetrics metrics;

  /** Creates a context. {@link dev.realtime.Brokers} does this; tests of an adapter may too. */
  public BrokerContext(RealtimeConfig config, RealtimeMetrics metrics) {
    this.config = Objects.requireNonNull(config, "config == null");
    this.metrics = Objects.requireNonNull(metrics, "metrics == null");
  }

  /** The configuration, with every layer applied. */
  public RealtimeConfig config() {
    return config;
  }

  /** Where the adapter records consumer lag and the dispatcher records handling. */
  public RealtimeMetrics metrics() {
    return metrics;
  }
}
