package dev.realtime.metrics;

import dev.realtime.channel.Channel;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Receives what realtime measures: publishes, handling, failures, dead letters, end-to-end
 * latency and consumer lag. {@link #NOOP} records nothing; {@link MicrometerMetrics} records
 * into a Micrometer registry. Implementations must be thread-safe and fast: they are called on
 * the publish and delivery paths.
 *
 * <p>The channel is passed so that an implementation can choose; {@link MicrometerMetrics} tags
 * only lag with it, because channels such as {@code user.<id>} are unbounded in number and would
 * make one time series per user.
 */
public interface RealtimeMetrics {
  /** Records nothing. */
  RealtimeMetrics NOOP = new RealtimeMetrics() {};

  /** A publish finished after {@code nanos}; {@code failure} is null when it succeeded. */
  default void published(String broker, Channel channel, long nanos,
      @Nullable Throwable failure) {}

  /**
   * A handler finished a message; {@code endToEndNanos} is the time since the message's
   * timestamp (publisher clock to consumer clock).
   */
  default void handled(String broker, @Nullable String group, Channel channel,
      long endToEndNanos) {}

  /** A handler attempt failed with {@code failure}. */
  default void handlerFailed(String broker, @Nullable String group, Channel channel,
      Throwable failure) {}

  /** A message was sent to the dead-letter channel, or dropped when there is none. */
  default void deadLettered(String broker, @Nullable String group, Channel channel) {}

  /**
   * Registers a gauge of the messages not yet delivered to {@code group} on {@code channel}.
   *
   * @return closes the gauge when the subscription ends
   */
  default AutoCloseable lag(String broker, @Nullable String group, Channel channel,
      LongSupplier lag) {
    return () -> {};
  }
}
