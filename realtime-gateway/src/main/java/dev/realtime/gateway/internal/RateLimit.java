package dev.realtime.gateway.internal;

/**
 * A token bucket: {@code perSecond} tokens a second, holding at most one second's worth, so a
 * client may send a burst of {@code perSecond} and then that rate. Used on one event loop, so
 * unsynchronized.
 */
final class RateLimit {
  private static final long SECOND_NANOS = 1_000_000_000L;

  private final int perSecond;
  private double tokens;
  private long refilledAt = Long.MIN_VALUE;

  RateLimit(int perSecond) {
    this.perSecond = perSecond;
    this.tokens = perSecond;
  }

  /** Takes a token at time {@code nowNanos} if one is there. */
  boolean tryTake(long nowNanos) {
    if (refilledAt != Long.MIN_VALUE) {
      tokens = Math.min(perSecond,
          tokens + (double) (nowNanos - refilledAt) * perSecond / SECOND_NANOS);
    }
    refilledAt = nowNanos;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
