package dev.realtime.cli;

import dev.realtime.channel.Channel;
import dev.realtime.metrics.RealtimeMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * What {@code consume} tells on stderr: messages processed, the rate, handler errors and, where
 * the broker measures it, the lag (messages not yet delivered). It is the broker's metrics sink,
 * which is how it learns the lag gauges and the handler failures without knowing the adapter.
 *
 * <p>Lag is known for groups on every persistent broker and for Kafka broadcast subscribers; the
 * summary says "unknown" rather than 0 where it is not.
 */
final class ConsumerStats implements RealtimeMetrics {
  private static final long MEANINGFUL_RATE_NANOS = 100_000_000L;
  private final LongSupplier clock;
  private final AtomicLong processed = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final List<LongSupplier> lagGauges = new CopyOnWriteArrayList<>();
  /**
   * When the first and the latest message were written out. The summary's time runs between
   * them: from the start of the process it would count the JVM's start, the connection and a
   * Kafka group's join, and call three messages printed within 50 ms "1 msg/s".
   */
  private volatile long firstNanos;
  private volatile long lastNanos;
  private long lastReportNanos;
  private long lastReportCount;

  ConsumerStats() {
    this(System::nanoTime);
  }

  /** With {@code clock} for {@link System#nanoTime()}, for tests. */
  ConsumerStats(LongSupplier clock) {
    this.clock = clock;
    this.lastReportNanos = clock.getAsLong();
  }

  /** Counts messages written out (from the one handler thread). */
  void processed(int count) {
    long now = clock.getAsLong();
    if (processed.get() == 0) {
      firstNanos = now;
    }
    lastNanos = now;
    processed.addAndGet(count);
  }

  long processed() {
    return processed.get();
  }

  long errors() {
    return errors.get();
  }

  /** The sum of the lag gauges, or null if the broker measures none for this subscription. */
  @Nullable Long lag() {
    if (lagGauges.isEmpty()) {
      return null;
    }
    long sum = 0;
    for (LongSupplier gauge : lagGauges) {
      sum += Math.max(0, gauge.getAsLong());
    }
    return sum;
  }

  /** One line of live stats: the rate is over the time since the previous line. */
  String live() {
    long now = clock.getAsLong();
    long count = processed.get();
    double rate = perSecond(count - lastReportCount, now - lastReportNanos);
    lastReportNanos = now;
    lastReportCount = count;
    Long lag = lag();
    return String.format(Locale.ROOT, "processed %,d  rate %,.0f msg/s  errors %,d%s", count,
        rate, errors.get(), lag == null ? "" : String.format(Locale.ROOT, "  lag %,d", lag));
  }

  /**
   * The final summary: the messages, and the time from the first to the last of them, with the
   * rate over it once that time is long enough to mean one (0.1 s); a single message has no
   * time.
   */
  String summary() {
    long count = processed.get();
    String took = "";
    if (count > 1) {
      long elapsed = lastNanos - firstNanos;
      took = " in " + format(Duration.ofNanos(elapsed)) + (elapsed < MEANINGFUL_RATE_NANOS ? ""
          : String.format(Locale.ROOT, " (%,.0f msg/s)", perSecond(count, elapsed)));
    }
    return String.format(Locale.ROOT, "processed %,d message%s%s, errors %,d", count,
        count == 1 ? "" : "s", took, errors.get());
  }

  @Override
  public void handlerFailed(String broker, @Nullable String group, Channel channel,
      Throwable failure) {
    errors.incrementAndGet();
  }

  @Override
  public AutoCloseable lag(String broker, @Nullable String group, Channel channel,
      LongSupplier lag) {
    lagGauges.add(lag);
    return () -> lagGauges.remove(lag);
  }

  private static double perSecond(long count, long nanos) {
    return nanos <= 0 ? 0 : count * 1e9 / nanos;
  }

  static String format(Duration duration) {
    long millis = duration.toMillis();
    return millis < 10_000
        ? String.format(Locale.ROOT, "%.2f s", millis / 1000.0)
        : millis < 600_000
        ? String.format(Locale.ROOT, "%.1f s", millis / 1000.0)
        : String.format(Locale.ROOT, "%d min %d s", millis / 60_000, millis / 1000 % 60);
  }
}
