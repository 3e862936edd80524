package dev.realtime.rabbitmq;

import com.rabbitmq.client.AMQP;
import dev.realtime.Message;
import dev.realtime.Position;
import dev.realtime.channel.Channel;
import dev.realtime.internal.Payloads;
import dev.realtime.internal.Rfc3339;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * How a message is an AMQP message. The body is the payload; the properties carry the id
 * ({@code message-id}), the event ({@code type}), the content type and the timestamp; headers
 * carry the application's headers, plus {@code realtime-time} (ISO-8601, full precision: the
 * AMQP timestamp property counts whole seconds) and {@code realtime-key} when there is a key.
 * The names in {@link #RESERVED} are the adapter's or RabbitMQ's: dropped from what is published,
 * not shown as application headers on delivery. Every other name, {@code x-} ones included,
 * goes both ways unchanged (an application's {@code x-request-id} is its own).
 *
 * <p>A message another client published is still delivered: without {@code message-id} its id
 * is made up, without {@code type} its event is {@code rabbitmq.message}.
 */
final class AmqpMessages {
  static final String TIME = "realtime-time";
  static final String KEY = "realtime-key";
  static final String STREAM_OFFSET = "x-stream-offset";
  static final String DELIVERY_COUNT = "x-delivery-count";
  static final String FOREIGN_EVENT = "rabbitmq.message";
  /**
   * On a copy handed back by a closing group member: the handler deliveries of the message to
   * its group before the copy was made (see RabbitSubscription.handBack).
   */
  static final String HANDLED = "x-realtime-handled";
  /**
   * On a hand-back copy: the channel the original was published to (the copy's routing key is
   * the group's queue, for the default exchange).
   */
  static final String CHANNEL = "x-realtime-channel";
  /**
   * The header names the adapter uses: its own two, the publisher's return matching, and the
   * two RabbitMQ sets on deliveries the adapter reads (a stream's offset, a quorum queue's
   * delivery count). docs/rabbitmq.md lists them.
   */
  static final java.util.Set<String> RESERVED = java.util.Set.of(TIME, KEY,
      Publisher.PUBLISH_ID, STREAM_OFFSET, DELIVERY_COUNT, HANDLED, CHANNEL);

  private AmqpMessages() {}

  /** The message's properties and headers, left open for the publisher's own header. */
  static Publisher.Outgoing outgoing(Message message) {
    Map<String, Object> headers = new HashMap<>();
    for (Map.Entry<String, String> header : message.headers().entrySet()) {
      if (!isReserved(header.getKey())) {
        headers.put(header.getKey(), header.getValue());
      }
    }
    headers.put(TIME, Rfc3339.format(message.timestamp()));
    if (message.key() != null) {
      headers.put(KEY, message.key());
    }
    return new Publisher.Outgoing(message.id(), new AMQP.BasicProperties.Builder()
        .messageId(message.id())
        .type(message.event())
        .contentType(message.contentType())
        .timestamp(Date.from(message.timestamp()))
        .deliveryMode(2), // Persistent: quorum queues keep it on disk in any case.
        headers);
  }

  /**
   * The message a delivery holds; one whose properties make no valid message is delivered as a
   * foreign one, its body and nothing else, rather than stalling its queue.
   */
  static Message toMessage(Channel channel, AMQP.BasicProperties properties, byte[] body,
      @Nullable Position position, int attempt) {
    try {
      return read(channel, properties, body, position, attempt);
    } catch (RuntimeException e) {
      return Message.builder().channel(channel).event(FOREIGN_EVENT).payload(body)
          .position(position).deliveryAttempt(attempt).build();
    }
  }

  private static Message read(Channel channel, AMQP.BasicProperties properties, byte[] body,
      @Nullable Position position, int attempt) {
    Map<String, Object> headers = properties.getHeaders() == null ? Map.of()
        : properties.getHeaders();
    // amqp-client made the body for this delivery alone, and nothing writes into it.
    Message.Builder builder = Payloads.adopt(Message.builder(), body).channel(channel)
        .position(position).deliveryAttempt(attempt);
    String id = properties.getMessageId();
    builder.id(id == null || id.isEmpty() ? channel.name() + "-"
        + (position != null ? position.value() : UUID.randomUUID().toString()) : id);
    String event = properties.getType();
    builder.event(event == null || event.isBlank() ? FOREIGN_EVENT : event);
    if (properties.getContentType() != null && !properties.getContentType().isBlank()) {
      builder.contentType(properties.getContentType());
    }
    builder.timestamp(time(headers.get(TIME), properties.getTimestamp()));
    Object key = headers.get(KEY);
    builder.key(key == null ? null : key.toString());
    for (Map.Entry<String, Object> header : headers.entrySet()) {
      if (!isReserved(header.getKey()) && header.getValue() != null) {
        builder.header(header.getKey(), header.getValue().toString());
      }
    }
    return builder.build();
  }

  /** The stream offset of a delivery from a stream queue, or -1. */
  static long streamOffset(AMQP.BasicProperties properties) {
    Object offset = properties.getHeaders() == null ? null
        : properties.getHeaders().get(STREAM_OFFSET);
    return offset instanceof Number ? ((Number) offset).longValue() : -1;
  }

  /**
   * The attempt of a delivery from a group's quorum queue: the handler deliveries before it,
   * plus one. Those are the returns RabbitMQ counted ({@code x-delivery-count}: a handler
   * failed, or its member went without closing), plus those a hand-back copy carries ({@link
   * #HANDLED}); a clean close hands back by copy, which RabbitMQ does not count.
   */
  static int attempt(AMQP.BasicProperties properties, boolean redelivered) {
    Map<String, Object> headers = properties.getHeaders();
    Object count = headers == null ? null : headers.get(DELIVERY_COUNT);
    Object handled = headers == null ? null : headers.get(HANDLED);
    long before = count instanceof Number ? ((Number) count).longValue() : redelivered ? 1 : 0;
    if (handled instanceof Number) {
      before += Math.max(0, ((Number) handled).longValue());
    }
    return (int) Math.min(Integer.MAX_VALUE - 1, Math.max(0, before)) + 1;
  }

  /**
   * A copy of a delivery handed back to its group's queue, carrying {@code attempt - 1}, the
   * handler deliveries so far, instead of RabbitMQ's count.
   */
  static Publisher.Outgoing handBack(Channel channel, AMQP.BasicProperties properties,
      int attempt) {
    Map<String, Object> headers = properties.getHeaders() == null ? new HashMap<>()
        : new HashMap<>(properties.getHeaders());
    headers.remove(DELIVERY_COUNT);
    headers.remove(Publisher.PUBLISH_ID);
    headers.put(HANDLED, attempt - 1);
    headers.put(CHANNEL, channel.name());
    String id = properties.getMessageId();
    return new Publisher.Outgoing(id == null ? "(no id)" : id, properties.builder(), headers);
  }

  /** The channel a delivery was published to: its routing key, or a hand-back copy's header. */
  static String routingKey(com.rabbitmq.client.Envelope envelope,
      AMQP.BasicProperties properties) {
    Object channel = properties.getHeaders() == null ? null
        : properties.getHeaders().get(CHANNEL);
    return channel != null && "".equals(envelope.getExchange()) ? channel.toString()
        : envelope.getRoutingKey();
  }

  /** The time a message says it was made: ours to the nanosecond, else AMQP's second. */
  static Instant time(@Nullable Object text, @Nullable Date fallback) {
    if (text != null) {
      try {
        return Rfc3339.parse(text.toString());
      } catch (DateTimeParseException e) {
        // A foreign or damaged header: the property, below.
      }
    }
    return fallback != null ? fallback.toInstant() : Instant.now();
  }

  private static boolean isReserved(String name) {
    return RESERVED.contains(name);
  }
}
