package dev.realtime.spi;

import dev.realtime.Broker;
import dev.realtime.Message;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.metrics.RealtimeMetrics;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** What a {@link BrokerProvider} is given to open a broker: configuration and metrics. */
public final class BrokerContext {
  private final RealtimeConfig config;
  private final RealtimeMetrics metrics;
  private volatile @Nullable Broker guard;

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

  /**
   * Routes the dead letters of the broker opened with this context through {@code guard}: the
   * wrapper {@link dev.realtime.Brokers} puts around every adapter. A dead letter is a publish
   * like any other, so it passes the same payload limit and is counted in the same publish
   * metrics. Brokers calls this once, as it wraps the adapter (before anyone can subscribe);
   * adapters do not.
   */
  public void publishThrough(Broker guard) {
    this.guard = Objects.requireNonNull(guard, "guard == null");
  }

  /**
   * Publishes a dead letter through the guard, or, for a broker opened without one (an adapter's
   * own tests), with the adapter's {@code own} publish.
   */
  CompletionStage<?> publishDeadLetter(Message deadLetter,
      Function<Message, ? extends CompletionStage<?>> own) {
    Broker through = guard;
    return through != null ? through.publish(deadLetter) : own.apply(deadLetter);
  }
}
