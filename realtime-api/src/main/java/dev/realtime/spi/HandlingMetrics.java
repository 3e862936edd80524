package dev.realtime.spi;

import dev.realtime.Message;
import dev.realtime.metrics.RealtimeMetrics;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link Dispatcher} measures, for one subscription: handled messages, failed attempts
 * and dead letters, recorded into the broker's {@link RealtimeMetrics}.
 *
 * <p>Metrics are an observer: a registry that throws must not change what happens to a message,
 * so every recording is guarded here, once, rather than at each call site. With {@link
 * RealtimeMetrics#NOOP} nothing is computed at all (no clock read per message). Direct calls,
 * not a guarded {@code Runnable} per measurement: this is on the handlers' path, once per
 * message.
 */
final class HandlingMetrics {
  private static final Logger log = LoggerFactory.getLogger(HandlingMetrics.class);

  private final RealtimeMetrics metrics;
  private final String broker;
  private final @Nullable String group;
  private final boolean enabled;

  HandlingMetrics(RealtimeMetrics metrics, String broker, @Nullable String group) {
    this.metrics = metrics;
    this.broker = broker;
    this.group = group;
    this.enabled = metrics != RealtimeMetrics.NOOP;
  }

  /** A handler finished {@code message}: measured from the message's timestamp. */
  void handled(Message message) {
    if (!enabled) {
      return;
    }
    try {
      long millis = System.currentTimeMillis() - message.timestamp().toEpochMilli();
      metrics.handled(broker, group, message.channel(), TimeUnit.MILLISECONDS.toNanos(millis));
    } catch (RuntimeException e) {
      log.warn("recording a metric failed", e);
    }
  }

  /** A handler attempt on {@code message} failed with {@code failure}. */
  void failed(Message message, Throwable failure) {
    if (!enabled) {
      return;
    }
    try {
      metrics.handlerFailed(broker, group, message.channel(), failure);
    } catch (RuntimeException e) {
      log.warn("recording a metric failed", e);
    }
  }

  /** {@code message} was dead-lettered, or dropped for want of a dead-letter channel. */
  void deadLettered(Message message) {
    if (!enabled) {
      return;
    }
    try {
      metrics.deadLettered(broker, group, message.channel());
    } catch (RuntimeException e) {
      log.warn("recording a metric failed", e);
    }
  }
}
