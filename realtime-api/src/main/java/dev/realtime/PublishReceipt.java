package dev.realtime;

import dev.realtime.channel.Channel;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The broker's word that it accepted a message: a completed publish.
 *
 * <p>A receipt exists only after the broker confirmed the message (a Kafka acknowledgement, a
 * RabbitMQ publisher confirm, a Redis reply). For persistent channels the message is then
 * delivered to every subscriber at least once.
 */
public final class PublishReceipt {
  private final String messageId;
  private final Channel channel;
  private final @Nullable Position position;

  /**
   * Creates a receipt. Adapters call this; applications receive receipts.
   *
   * @param position where the broker stored the message, or null where it does not store
   *     messages (an ephemeral channel).
   */
  public PublishReceipt(String messageId, Channel channel, @Nullable Position position) {
    this.messageId = Objects.requireNonNull(messageId, "messageId == null");
    this.channel = Objects.requireNonNull(channel, "channel == null");
    this.position = position;
  }

  /** The id of the message this receipt confirms. */
  public String messageId() {
    return messageId;
  }

  /** The channel the message was published to. */
  public Channel channel() {
    return channel;
  }

  /** Where the broker stored the message, or null where the channel keeps no log. */
  public @Nullable Position position() {
    return position;
  }

  @Override
  public String toString() {
    return "PublishReceipt{id=" + messageId + ", channel=" + channel + ", position=" + position
        + "}";
  }
}
