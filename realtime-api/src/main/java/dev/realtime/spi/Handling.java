package dev.realtime.spi;

import dev.realtime.subscription.BatchHandler;
import dev.realtime.subscription.MessageHandler;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a subscription runs: one message handler, or a batch handler. An adapter's {@code
 * subscribe} and {@code subscribeBatches} wrap theirs in one and pass it to the {@link
 * PollingSubscription} they create; the two differ nowhere else.
 */
public final class Handling {
  final @Nullable MessageHandler handler;
  final @Nullable BatchHandler batchHandler;

  private Handling(@Nullable MessageHandler handler, @Nullable BatchHandler batchHandler) {
    this.handler = handler;
    this.batchHandler = batchHandler;
  }

  /** One message at a time. */
  public static Handling of(MessageHandler handler) {
    return new Handling(Objects.requireNonNull(handler, "handler == null"), null);
  }

  /** Batches of up to {@code SubscriptionSpec.batchSize()} messages. */
  public static Handling ofBatches(BatchHandler handler) {
    return new Handling(null, Objects.requireNonNull(handler, "handler == null"));
  }
}
