package dev.realtime.subscription;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * How a failed message is tried again: up to {@link #maxAttempts()} attempts in all, waiting an
 * exponentially growing, jittered backoff between them, and never for exception types declared
 * non-retryable. After the last attempt the message goes to the subscription's dead-letter
 * channel. Immutable.
 *
 * <p>The default: 3 attempts, backoff 100 ms doubling up to 10 s, each wait drawn at random
 * between half of that and all of it ({@link #backoffAfter(int)}), {@link NonRetryableException}
 * not retried.
 */
public final class RetryPolicy {
  private static final RetryPolicy DEFAULT = new Builder().build();

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final double multiplier;
  private final List<Class<? extends Throwable>> nonRetryable;

  private RetryPolicy(Builder builder) {
    this.maxAttempts = builder.maxAttempts;
    this.initialBackoff = builder.initialBackoff;
    this.maxBackoff = builder.maxBackoff;
    this.multiplier = builder.multiplier;
    this.nonRetryable = Collections.unmodifiableList(new ArrayList<>(builder.nonRetryable));
  }

  /** The default policy. */
  public static RetryPolicy defaults() {
    return DEFAULT;
  }

  /** One attempt, no retries. */
  public static RetryPolicy none() {
    return builder().maxAttempts(1).build();
  }

  /** Returns a builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder holding this policy's settings. */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /** Attempts in all, the first included; at least 1. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The wait after the first failure. */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** The longest wait between two attempts. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** How much each wait grows over the one before. */
  public double multiplier() {
    return multiplier;
  }

  /** Exception types that skip the retries (subtypes included), besides NonRetryableException. */
  public List<Class<? extends Throwable>> nonRetryable() {
    return nonRetryable;
  }

  /**
   * Returns the wait after failed attempt {@code attempt} (1-based), drawn at random between half
   * of {@link #backoffCeiling(int)} and all of it.
   *
   * <p>Why jitter: members of a group that fail on the same cause (a database that went away)
   * at the same moment would otherwise retry in lockstep, every one of them at 100 ms, 200 ms,
   * 400 ms, and hit the recovering dependency together each time. Why this jitter ("equal
   * jitter" in AWS's "Exponential Backoff and Jitter", rather than "full jitter" from zero): a
   * retry still waits at least half its backoff, so a failure is never retried at once, while
   * the members spread over the other half, which is enough to take them out of step.
   */
  public Duration backoffAfter(int attempt) {
    return backoffAfter(attempt, ThreadLocalRandom.current());
  }

  /**
   * {@link #backoffAfter(int)} drawn from {@code random}: for tests that need the same waits on
   * every run.
   */
  public Duration backoffAfter(int attempt, RandomGenerator random) {
    Objects.requireNonNull(random, "random == null");
    long ceiling = backoffCeiling(attempt).toNanos();
    long half = ceiling / 2;
    return Duration.ofNanos(half + random.nextLong(ceiling - half + 1)); // Bound >= 1.
  }

  /**
   * The longest wait after failed attempt {@code attempt} (1-based): {@code initialBackoff *
   * multiplier^(attempt-1)}, at most {@link #maxBackoff()}.
   */
  public Duration backoffCeiling(int attempt) {
    double millis = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
    return millis >= maxBackoff.toMillis() ? maxBackoff : Duration.ofMillis((long) millis);
  }

  /**
   * Returns true if {@code failure} may be retried: neither it nor any of its causes is a
   * {@link NonRetryableException} or one of the {@link #nonRetryable()} types.
   */
  public boolean isRetryable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof NonRetryableException) {
        return false;
      }
      for (Class<? extends Throwable> type : nonRetryable) {
        if (type.isInstance(t)) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "RetryPolicy{maxAttempts=" + maxAttempts + ", backoff=" + initialBackoff.toMillis()
        + "ms*" + multiplier + " up to " + maxBackoff.toMillis() + "ms (half to all of it, at "
        + "random), nonRetryable="
        + nonRetryable + "}";
  }

  /** Builds a {@link RetryPolicy}. */
  public static final class Builder {
    private int maxAttempts = 3;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(10);
    private double multiplier = 2.0;
    private final List<Class<? extends Throwable>> nonRetryable = new ArrayList<>();

    Builder() {}

    Builder(RetryPolicy policy) {
      maxAttempts = policy.maxAttempts;
      initialBackoff = policy.initialBackoff;
      maxBackoff = policy.maxBackoff;
      multiplier = policy.multiplier;
      nonRetryable.addAll(policy.nonRetryable);
    }

    /**
     * Sets the number of attempts in all, the first included.
     *
     * @throws IllegalArgumentException if {@code maxAttempts < 1}.
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts < 1: " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Sets the backoff: the first wait, the longest wait, and the growth between waits.
     *
     * @throws IllegalArgumentException if a duration is negative, {@code max < initial}, or
     *     {@code multiplier < 1}.
     */
    public Builder backoff(Duration initial, Duration max, double multiplier) {
      Objects.requireNonNull(initial, "initial == null");
      Objects.requireNonNull(max, "max == null");
      if (initial.isNegative()) {
        throw new IllegalArgumentException("initial backoff < 0: " + initial);
      }
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("max backoff " + max + " < initial backoff " + initial);
      }
      if (!(multiplier >= 1.0)) {
        throw new IllegalArgumentException("multiplier < 1: " + multiplier);
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      this.multiplier = multiplier;
      return this;
    }

    /** Sends failures of {@code type} (and its subtypes) straight to the dead letter. */
    public Builder nonRetryable(Class<? extends Throwable> type) {
      nonRetryable.add(Objects.requireNonNull(type, "type == null"));
      return this;
    }

    /** Returns the policy. */
    public RetryPolicy build() {
      return new RetryPolicy(this);
    }
  }
}
