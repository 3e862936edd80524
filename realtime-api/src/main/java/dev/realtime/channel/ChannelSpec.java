package dev.realtime.channel;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How a channel should exist on the broker: partitions and replication (Kafka), retention by
 * time, by size and by count, compaction, and the consumer groups to create with it. Unset
 * settings are left to the broker's defaults. Immutable; build one with {@link
 * #builder(String)}.
 *
 * <p>Each adapter applies what its broker supports and fails clearly on the rest (compaction on
 * Redis, say). Partitions are never reduced: a spec with fewer partitions than the channel has
 * is an error.
 */
public final class ChannelSpec {
  private final Channel channel;
  private final @Nullable Integer partitions;
  private final @Nullable Short replicationFactor;
  private final @Nullable Duration retention;
  private final @Nullable Long retentionBytes;
  private final @Nullable Long maxMessages;
  private final boolean compacted;
  private final Set<String> groups;

  private ChannelSpec(Builder builder) {
    this.channel = builder.channel;
    this.partitions = builder.partitions;
    this.replicationFactor = builder.replicationFactor;
    this.retention = builder.retention;
    this.retentionBytes = builder.retentionBytes;
    this.maxMessages = builder.maxMessages;
    this.compacted = builder.compacted;
    this.groups = Collections.unmodifiableSet(new LinkedHashSet<>(builder.groups));
  }

  /** Returns a builder for {@code channel}. */
  public static Builder builder(Channel channel) {
    return new Builder(channel);
  }

  /**
   * Returns a builder for the channel named {@code channel}.
   *
   * @throws InvalidChannelException if the name breaks the channel grammar.
   */
  public static Builder builder(String channel) {
    return new Builder(Channel.of(channel));
  }

  /** Returns a builder holding this spec's settings. */
  public Builder newBuilder() {
    Builder builder = new Builder(channel);
    builder.partitions = partitions;
    builder.replicationFactor = replicationFactor;
    builder.retention = retention;
    builder.retentionBytes = retentionBytes;
    builder.maxMessages = maxMessages;
    builder.compacted = compacted;
    builder.groups.addAll(groups);
    return builder;
  }

  /** The channel. */
  public Channel channel() {
    return channel;
  }

  /** The number of partitions, or null for the broker's default. */
  public @Nullable Integer partitions() {
    return partitions;
  }

  /** The number of replicas, or null for the broker's default. */
  public @Nullable Short replicationFactor() {
    return replicationFactor;
  }

  /** How long messages are kept, or null for the broker's default. */
  public @Nullable Duration retention() {
    return retention;
  }

  /** How many payload bytes are kept, or null for the broker's default. */
  public @Nullable Long retentionBytes() {
    return retentionBytes;
  }

  /** How many messages are kept (Redis MAXLEN, say), or null for no count limit. */
  public @Nullable Long maxMessages() {
    return maxMessages;
  }

  /** Whether only the latest message per key is kept (Kafka log compaction). */
  public boolean compacted() {
    return compacted;
  }

  /**
   * Consumer groups created with the channel. A group that exists before its first consumer
   * attaches receives the messages published in between.
   */
  public Set<String> groups() {
    return groups;
  }

  @Override
  public String toString() {
    return "ChannelSpec{" + channel
        + (partitions != null ? ", partitions=" + partitions : "")
        + (replicationFactor != null ? ", replicationFactor=" + replicationFactor : "")
        + (retention != null ? ", retention=" + retention : "")
        + (retentionBytes != null ? ", retentionBytes=" + retentionBytes : "")
        + (maxMessages != null ? ", maxMessages=" + maxMessages : "")
        + (compacted ? ", compacted" : "")
        + (groups.isEmpty() ? "" : ", groups=" + groups) + "}";
  }

  /** Builds a {@link ChannelSpec}. */
  public static final class Builder {
    private final Channel channel;
    private @Nullable Integer partitions;
    private @Nullable Short replicationFactor;
    private @Nullable Duration retention;
    private @Nullable Long retentionBytes;
    private @Nullable Long maxMessages;
    private boolean compacted;
    private final Set<String> groups = new LinkedHashSet<>();

    Builder(Channel channel) {
      this.channel = Objects.requireNonNull(channel, "channel == null");
    }

    /**
     * Sets the number of partitions.
     *
     * @throws IllegalArgumentException if {@code partitions < 1}.
     */
    public Builder partitions(int partitions) {
      if (partitions < 1) {
        throw new IllegalArgumentException("partitions < 1: " + partitions);
      }
      this.partitions = partitions;
      return this;
    }

    /**
     * Sets the number of replicas.
     *
     * @throws IllegalArgumentException if {@code replicationFactor < 1}.
     */
    public Builder replicationFactor(int replicationFactor) {
      if (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE) {
        throw new IllegalArgumentException("replicationFactor must be >= 1: " + replicationFactor);
      }
      this.replicationFactor = (short) replicationFactor;
      return this;
    }

    /**
     * Sets how long messages are kept.
     *
     * @throws IllegalArgumentException if {@code retention} is zero or negative.
     */
    public Builder retention(Duration retention) {
      Objects.requireNonNull(retention, "retention == null");
      if (retention.isZero() || retention.isNegative()) {
        throw new IllegalArgumentException("retention <= 0: " + retention);
      }
      this.retention = retention;
      return this;
    }

    /**
     * Sets how many payload bytes are kept: the newest messages whose payloads fit. A broker
     * that stores a channel in segments (Kafka, RabbitMQ streams) drops whole closed segments
     * only, and keeps more (docs/kafka.md, docs/rabbitmq.md); Redis refuses it.
     *
     * @throws IllegalArgumentException if {@code bytes < 1}.
     */
    public Builder retentionBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("retentionBytes < 1: " + bytes);
      }
      this.retentionBytes = bytes;
      return this;
    }

    /**
     * Sets how many messages are kept.
     *
     * @throws IllegalArgumentException if {@code count < 1}.
     */
    public Builder maxMessages(long count) {
      if (count < 1) {
        throw new IllegalArgumentException("maxMessages < 1: " + count);
      }
      this.maxMessages = count;
      return this;
    }

    /** Keeps only the latest message per key. */
    public Builder compacted(boolean compacted) {
      this.compacted = compacted;
      return this;
    }

    /** Adds consumer groups to create with the channel. */
    public Builder groups(String... groups) {
      for (String group : Arrays.asList(groups)) {
        // The same rule as subscriptions use, so a group created here can be subscribed to.
        dev.realtime.subscription.SubscriptionSpec.builder().group(group);
        this.groups.add(group);
      }
      return this;
    }

    /** Returns the spec. */
    public ChannelSpec build() {
      return new ChannelSpec(this);
    }
  }
}
