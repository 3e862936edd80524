package dev.realtime.channel;

import dev.realtime.Position;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** What a broker reports about one channel: size, positions, retention and groups. Immutable. */
public final class ChannelInfo {
  /**
   * The {@link #messageCount()} of a channel whose broker cannot tell how many messages it
   * keeps; its positions are then null for the same reason, not because it is empty.
   */
  public static final long UNKNOWN = -1;

  private final Channel channel;
  private final String backendName;
  private final int partitions;
  private final long messageCount;
  private final @Nullable Position firstPosition;
  private final @Nullable Position lastPosition;
  private final @Nullable Duration retention;
  private final List<GroupInfo> groups;

  /**
   * Creates the report. Adapters call this.
   *
   * @param backendName the channel's name on the broker: a topic, key, queue or stream name
   * @param messageCount messages the channel keeps now, or {@link #UNKNOWN}
   * @param firstPosition the oldest kept message's position, or null when empty or unknown
   * @param lastPosition the newest message's position, or null when empty or unknown
   * @throws IllegalArgumentException if {@code messageCount} is negative and not {@link
   *     #UNKNOWN}
   * @param retention how long messages are kept, or null for no time limit
   */
  public ChannelInfo(Channel channel, String backendName, int partitions, long messageCount,
      @Nullable Position firstPosition, @Nullable Position lastPosition,
      @Nullable Duration retention, List<GroupInfo> groups) {
    this.channel = Objects.requireNonNull(channel, "channel == null");
    this.backendName = Objects.requireNonNull(backendName, "backendName == null");
    this.partitions = partitions;
    if (messageCount < 0 && messageCount != UNKNOWN) {
      throw new IllegalArgumentException("messageCount must be >= 0 or UNKNOWN: " + messageCount);
    }
    this.messageCount = messageCount;
    this.firstPosition = firstPosition;
    this.lastPosition = lastPosition;
    this.retention = retention;
    this.groups = List.copyOf(groups);
  }

  /** The channel. */
  public Channel channel() {
    return channel;
  }

  /** The channel's name on the broker: a Kafka topic, a Redis key, a RabbitMQ queue. */
  public String backendName() {
    return backendName;
  }

  /** The number of partitions (1 where the broker has none). */
  public int partitions() {
    return partitions;
  }

  /** Messages the channel keeps now, or {@link #UNKNOWN} if the broker cannot tell. */
  public long messageCount() {
    return messageCount;
  }

  /** Returns false if the broker could not tell the count (and so the positions either). */
  public boolean isMessageCountKnown() {
    return messageCount != UNKNOWN;
  }

  /**
   * The oldest kept message's position, or null when the channel is empty or the count is
   * {@link #UNKNOWN}.
   */
  public @Nullable Position firstPosition() {
    return firstPosition;
  }

  /**
   * The newest message's position, or null when the channel is empty or the count is {@link
   * #UNKNOWN}.
   */
  public @Nullable Position lastPosition() {
    return lastPosition;
  }

  /** How long messages are kept, or null for no time limit. */
  public @Nullable Duration retention() {
    return retention;
  }

  /** The consumer groups that read this channel. */
  public List<GroupInfo> groups() {
    return groups;
  }

  @Override
  public String toString() {
    return "ChannelInfo{" + channel + " (" + backendName + "), partitions=" + partitions
        + ", messages=" + (messageCount == UNKNOWN ? "unknown" : messageCount) + ", first=" + firstPosition + ", last=" + lastPosition
        + ", retention=" + retention + ", groups=" + groups + "}";
  }
}
