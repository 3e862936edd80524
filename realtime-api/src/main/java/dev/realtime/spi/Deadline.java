package dev.realtime.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * A point in time by which a close must be done: one budget for all of its steps, passed down
 * instead of a fresh timeout per step, so that the steps together never take longer than the
 * {@code realtime.close-timeout} the application configured.
 *
 * <p>An adapter's {@code Broker.close()} starts one with {@link #after(Duration)}, closes each
 * subscription with it ({@link PollingSubscription#close(Deadline)}), and bounds its own last
 * steps (a final commit, closing a producer or a connection) by {@link #remaining()}. What is
 * not acknowledged by then is left to the broker, which delivers it again.
 *
 * <pre>{@code
 * Deadline deadline = Deadline.after(config.get(RealtimeOptions.CLOSE_TIMEOUT));
 * subscriptions.forEach(s -> s.close(deadline));
 * producer.close(deadline.remaining());
 * }</pre>
 *
 * <p>Immutable and thread-safe; measured on {@link System#nanoTime()}.
 */
public final class Deadline {
  private final long atNanos;

  private Deadline(long atNanos) {
    this.atNanos = atNanos;
  }

  /**
   * Returns the deadline {@code timeout} from now.
   *
   * @throws IllegalArgumentException if {@code timeout} is negative.
   */
  public static Deadline after(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout < 0: " + timeout);
    }
    long nanos;
    try {
      nanos = timeout.toNanos();
    } catch (ArithmeticException e) {
      nanos = Long.MAX_VALUE / 2; // Centuries: "no bound" without overflowing nanoTime sums.
    }
    return new Deadline(System.nanoTime() + Math.min(nanos, Long.MAX_VALUE / 2));
  }

  /** The time left, zero once passed; never negative. */
  public Duration remaining() {
    return Duration.ofNanos(remainingNanos());
  }

  /** The time left in milliseconds (rounded up, so that a wait of it reaches the deadline). */
  public long remainingMillis() {
    long nanos = remainingNanos();
    return nanos == 0 ? 0 : (nanos + 999_999) / 1_000_000;
  }

  /** The time left, but at most {@code bound}: for a step that has its own, shorter limit. */
  public Duration remainingAtMost(Duration bound) {
    Duration left = remaining();
    return bound.compareTo(left) < 0 ? bound : left;
  }

  /** Returns true once the deadline has passed. */
  public boolean isExpired() {
    return remainingNanos() == 0;
  }

  /**
   * The earlier deadline that keeps {@code share} of the time left (a fraction from 0 to 1, at
   * most {@code cap}) for the steps after it: the dispatcher's drain ends there, so that the
   * final acknowledgements and closing the connections still have time.
   */
  Deadline reserving(double share, Duration cap) {
    long left = remainingNanos();
    long reserve = Math.min((long) (left * share), cap.toNanos());
    return new Deadline(atNanos - reserve);
  }

  private long remainingNanos() {
    return Math.max(0, atNanos - System.nanoTime());
  }

  @Override
  public String toString() {
    return "Deadline{in " + remaining().toMillis() + " ms}";
  }
}
