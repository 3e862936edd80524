package dev.realtime.subscription;

import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelPattern;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a subscription reads and how: its channels and patterns, its group, where it starts, and
 * how it handles, retries and dead-letters messages. Immutable; build one with {@link
 * #builder()}.
 *
 * <p><b>Broadcast or group.</b> Without a {@link #group()}, a subscription is a broadcast
 * subscriber: it receives every message published to its channels, as does every other
 * broadcast subscriber, on this server and on every other. With a group, the subscription is one
 * member of a set of competing consumers: each message goes to one member of the group. Each
 * group receives every message, independently of other groups.
 */
public final class SubscriptionSpec {
  private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9._-]{1,200}");

  private final Set<Channel> channels;
  private final Set<ChannelPattern> patterns;
  private final @Nullable String group;
  private final StartPosition start;
  private final int batchSize;
  private final Duration pollTimeout;
  private final int concurrency;
  private final int maxInFlight;
  private final RetryPolicy retryPolicy;
  private final @Nullable Channel deadLetterChannel;
  private final AckMode ackMode;
  private final Duration drainTimeout;

  private SubscriptionSpec(Builder builder) {
    this.channels = Collections.unmodifiableSet(new LinkedHashSet<>(builder.channels));
    this.patterns = Collections.unmodifiableSet(new LinkedHashSet<>(builder.patterns));
    this.group = builder.group;
    this.start = builder.start;
    this.batchSize = builder.batchSize;
    this.pollTimeout = builder.pollTimeout;
    this.concurrency = builder.concurrency;
    this.maxInFlight = builder.maxInFlight != 0
        ? builder.maxInFlight
        : Math.max(DEFAULT_MAX_IN_FLIGHT, builder.batchSize);
    this.retryPolicy = builder.retryPolicy;
    this.deadLetterChannel = builder.deadLetterChannel;
    this.ackMode = builder.ackMode;
    this.drainTimeout = builder.drainTimeout;
  }

  /**
   * Messages received but not yet acknowledged, at most, unless {@link Builder#maxInFlight} says
   * otherwise: enough to keep a handler busy across a poll, small enough to bound memory.
   */
  static final int DEFAULT_MAX_IN_FLIGHT = 256;

  /** Returns a builder; at least one channel or pattern is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a broadcast subscription to {@code channels} (names or patterns) from the latest
   * message, with every other setting at its default.
   */
  public static SubscriptionSpec of(String... channels) {
    return builder().channels(channels).build();
  }

  /** Returns a builder holding this spec's settings. */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /** The channels subscribed by name. */
  public Set<Channel> channels() {
    return channels;
  }

  /** The channel patterns subscribed, such as {@code user.*}. */
  public Set<ChannelPattern> patterns() {
    return patterns;
  }

  /** Returns true if {@code channel} is one of {@link #channels()} or matches a pattern. */
  public boolean includes(Channel channel) {
    if (channels.contains(channel)) {
      return true;
    }
    for (ChannelPattern pattern : patterns) {
      if (pattern.matches(channel)) {
        return true;
      }
    }
    return false;
  }

  /** The consumer group, or null for a broadcast subscription (see the class comment). */
  public @Nullable String group() {
    return group;
  }

  /** Returns true if this subscription is a member of a group. */
  public boolean isGroup() {
    return group != null;
  }

  /** Where reading starts; for a group, only when the group first reads a channel. */
  public StartPosition start() {
    return start;
  }

  /** The most messages fetched at once, and the largest batch a {@link BatchHandler} gets. */
  public int batchSize() {
    return batchSize;
  }

  /** How long one fetch waits for messages when there are none. */
  public Duration pollTimeout() {
    return pollTimeout;
  }

  /**
   * How many handler calls run at once. Messages with the same key are always handled one after
   * another; messages with different keys may be handled in parallel.
   */
  public int concurrency() {
    return concurrency;
  }

  /**
   * The most messages received and not yet acknowledged at once. When reached, the subscription
   * stops fetching until handlers finish: flow control instead of an unbounded buffer.
   */
  public int maxInFlight() {
    return maxInFlight;
  }

  /** How failed messages are retried. */
  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /**
   * Where messages go after their last failed attempt, or null to log them and drop them.
   * Dead letters carry the headers of {@link DeadLetterHeaders}.
   */
  public @Nullable Channel deadLetterChannel() {
    return deadLetterChannel;
  }

  /** When messages are acknowledged. */
  public AckMode ackMode() {
    return ackMode;
  }

  /**
   * How long {@link Subscription#close()} of this subscription may take in all (default 5 s,
   * as {@code realtime.close-timeout}). {@code Broker.close()} ignores it: it closes every
   * subscription within {@code realtime.close-timeout}.
   */
  public Duration drainTimeout() {
    return drainTimeout;
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("SubscriptionSpec{");
    out.append(group == null ? "broadcast" : "group=" + group);
    if (!channels.isEmpty()) {
      out.append(", channels=").append(channels);
    }
    if (!patterns.isEmpty()) {
      out.append(", patterns=").append(patterns);
    }
    return out.append(", start=").append(start)
        .append(", batchSize=").append(batchSize)
        .append(", concurrency=").append(concurrency)
        .append(", maxInFlight=").append(maxInFlight)
        .append(", ").append(retryPolicy)
        .append(deadLetterChannel != null ? ", deadLetter=" + deadLetterChannel : "")
        .append(ackMode != AckMode.AFTER_HANDLER ? ", ackMode=" + ackMode : "")
        .append('}').toString();
  }

  /** Builds a {@link SubscriptionSpec}. */
  public static final class Builder {
    private final Set<Channel> channels = new LinkedHashSet<>();
    private final Set<ChannelPattern> patterns = new LinkedHashSet<>();
    private @Nullable String group;
    private StartPosition start = StartPosition.latest();
    private int batchSize = 100;
    private Duration pollTimeout = Duration.ofMillis(500);
    private int concurrency = 1;
    private int maxInFlight;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private @Nullable Channel deadLetterChannel;
    private AckMode ackMode = AckMode.AFTER_HANDLER;
    private Duration drainTimeout = Duration.ofSeconds(5);

    Builder() {}

    Builder(SubscriptionSpec spec) {
      channels.addAll(spec.channels);
      patterns.addAll(spec.patterns);
      group = spec.group;
      start = spec.start;
      batchSize = spec.batchSize;
      pollTimeout = spec.pollTimeout;
      concurrency = spec.concurrency;
      maxInFlight = spec.maxInFlight;
      retryPolicy = spec.retryPolicy;
      deadLetterChannel = spec.deadLetterChannel;
      ackMode = spec.ackMode;
      drainTimeout = spec.drainTimeout;
    }

    /**
     * Adds channels by name; a name with a {@code *} or {@code #} segment is added as a pattern.
     *
     * @throws dev.realtime.channel.InvalidChannelException if a name is not a valid channel or
     *     pattern.
     */
    public Builder channels(String... names) {
      return channels(Arrays.asList(names));
    }

    /** Adds channels by name, as {@link #channels(String...)}. */
    public Builder channels(Collection<String> names) {
      Objects.requireNonNull(names, "names == null");
      for (String name : names) {
        Objects.requireNonNull(name, "channel name == null");
        if (ChannelPattern.isPattern(name)) {
          patterns.add(ChannelPattern.of(name));
        } else {
          channels.add(Channel.of(name));
        }
      }
      return this;
    }

    /** Adds a channel. */
    public Builder channel(Channel channel) {
      channels.add(Objects.requireNonNull(channel, "channel == null"));
      return this;
    }

    /** Adds a pattern. */
    public Builder pattern(ChannelPattern pattern) {
      patterns.add(Objects.requireNonNull(pattern, "pattern == null"));
      return this;
    }

    /**
     * Makes this subscription a member of {@code group}; null makes it a broadcast subscriber.
     *
     * @throws IllegalArgumentException if {@code group} is not 1 to 200 of {@code
     *     [A-Za-z0-9._-]}.
     */
    public Builder group(@Nullable String group) {
      if (group != null && !GROUP.matcher(group).matches()) {
        throw new IllegalArgumentException("Invalid group name \"" + group + "\": use 1 to 200 "
            + "letters, digits, '.', '_' or '-'");
      }
      this.group = group;
      return this;
    }

    /** Sets where reading starts; the default is {@link StartPosition#latest()}. */
    public Builder start(StartPosition start) {
      this.start = Objects.requireNonNull(start, "start == null");
      return this;
    }

    /**
     * Sets the most messages fetched at once (default 100).
     *
     * @throws IllegalArgumentException if {@code batchSize < 1}.
     */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize < 1: " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Sets how long one fetch waits when there is nothing to read (default 500 ms).
     *
     * @throws IllegalArgumentException if {@code timeout} is zero or negative.
     */
    public Builder pollTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout == null");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("pollTimeout <= 0: " + timeout);
      }
      this.pollTimeout = timeout;
      return this;
    }

    /**
     * Sets how many handler calls run at once (default 1).
     *
     * @throws IllegalArgumentException if {@code concurrency} is not between 1 and 1024.
     */
    public Builder concurrency(int concurrency) {
      if (concurrency < 1 || concurrency > 1024) {
        throw new IllegalArgumentException("concurrency must be 1..1024: " + concurrency);
      }
      this.concurrency = concurrency;
      return this;
    }

    /**
     * Sets the most unacknowledged messages at once (default 256, or the batch size if larger).
     *
     * @throws IllegalArgumentException if {@code maxInFlight < 1}.
     */
    public Builder maxInFlight(int maxInFlight) {
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("maxInFlight < 1: " + maxInFlight);
      }
      this.maxInFlight = maxInFlight;
      return this;
    }

    /** Sets the retry policy (default {@link RetryPolicy#defaults()}). */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy == null");
      return this;
    }

    /** Sets the dead-letter channel; null (the default) logs and drops failed messages. */
    public Builder deadLetterChannel(@Nullable Channel channel) {
      this.deadLetterChannel = channel;
      return this;
    }

    /** Sets the dead-letter channel by name. */
    public Builder deadLetterChannel(String name) {
      return deadLetterChannel(Channel.of(name));
    }

    /** Sets when messages are acknowledged (default {@link AckMode#AFTER_HANDLER}). */
    public Builder ackMode(AckMode ackMode) {
      this.ackMode = Objects.requireNonNull(ackMode, "ackMode == null");
      return this;
    }

    /**
     * Sets how long {@link Subscription#close()} may take in all, handlers' drain included
     * (default 5 s).
     *
     * @throws IllegalArgumentException if {@code timeout} is negative.
     */
    public Builder drainTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout == null");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("drainTimeout < 0: " + timeout);
      }
      this.drainTimeout = timeout;
      return this;
    }

    /**
     * Returns the spec.
     *
     * @throws IllegalStateException if no channel or pattern was added, if the dead-letter
     *     channel is one of the subscribed channels (failures would loop), or if {@code
     *     maxInFlight} is below {@code batchSize}.
     */
    public SubscriptionSpec build() {
      if (channels.isEmpty() && patterns.isEmpty()) {
        throw new IllegalStateException("no channel: add at least one channel or pattern");
      }
      if (deadLetterChannel != null && (channels.contains(deadLetterChannel)
          || patterns.stream().anyMatch(p -> p.matches(deadLetterChannel)))) {
        throw new IllegalStateException("dead-letter channel " + deadLetterChannel
            + " is one of the subscribed channels; failed messages would loop. Use another "
            + "channel, such as " + deadLetterChannel + ".dlq");
      }
      if (maxInFlight != 0 && maxInFlight < batchSize) {
        throw new IllegalStateException("maxInFlight " + maxInFlight + " < batchSize " + batchSize
            + ": a whole batch must fit in flight");
      }
      return new SubscriptionSpec(this);
    }
  }
}
