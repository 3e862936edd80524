package dev.realtime;

import dev.realtime.channel.Channel;
import dev.realtime.internal.MessageIds;
import dev.realtime.internal.Payloads;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One message on a channel: an event name, a payload of bytes and its content type, headers, an
 * optional key, and an id and timestamp given when it is built.
 *
 * <p>Messages are immutable. Build one with {@link #builder()}; change one with {@link
 * #newBuilder()}. A delivered message also carries its {@link #position()} in the channel and
 * its {@link #deliveryAttempt()}.
 *
 * <p>The {@link #key()} decides ordering: messages with the same key on the same channel are
 * delivered in publish order where the broker claims {@link Capability#ORDERING_PER_KEY}.
 */
public final class Message {
  /** Content type of payloads given as bytes without saying what they hold. */
  public static final String OCTET_STREAM = "application/octet-stream";

  /** Content type of JSON payloads, as {@link Realtime#broadcast} writes them. */
  public static final String JSON = "application/json";

  private static final byte[] EMPTY = new byte[0];

  static {
    // The adapters' way to the payload array without a copy; see Payloads for why.
    Payloads.install(new Payloads.Access() {
      @Override
      public byte[] shared(Message message) {
        return message.payload;
      }

      @Override
      public Builder adopt(Builder builder, byte[] payload) {
        builder.payload = payload.length == 0 ? EMPTY : payload;
        return builder;
      }
    });
  }

  private final String id;
  private final Channel channel;
  private final String event;
  private final byte[] payload;
  private final String contentType;
  private final Map<String, String> headers;
  private final @Nullable String key;
  private final Instant timestamp;
  private final @Nullable Position position;
  private final int deliveryAttempt;

  // Takes the fields, not the builder: a builder that reaches no call left out of line is
  // scalar-replaced by the JIT, and this constructor (ids, the clock) is too large to inline
  // everywhere (L0 benchmark: 56 bytes a message).
  private Message(@Nullable String id, Channel channel, String event, byte[] payload,
      String contentType, @Nullable Map<String, String> headers, @Nullable String key,
      @Nullable Instant timestamp, @Nullable Position position, int deliveryAttempt) {
    this.id = id != null ? id : MessageIds.next();
    this.channel = channel;
    this.event = event;
    this.payload = payload;
    this.contentType = contentType;
    this.headers = headers == null || headers.isEmpty()
        ? Collections.emptyMap()
        : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    this.key = key;
    this.timestamp = timestamp != null ? timestamp : Instant.now();
    this.position = position;
    this.deliveryAttempt = deliveryAttempt;
  }

  /** Returns a builder for a new message; {@code channel} and {@code event} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder holding every field of this message, id and timestamp included. */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /** The unique id, time-ordered: ids made later by one process sort after earlier ones. */
  public String id() {
    return id;
  }

  /** The channel this message is published to or was delivered from. */
  public Channel channel() {
    return channel;
  }

  /** The event name, such as {@code notification} or {@code order.created}. */
  public String event() {
    return event;
  }

  /** Returns a copy of the payload bytes. */
  public byte[] payload() {
    return payload.length == 0 ? EMPTY : payload.clone();
  }

  /** Returns a read-only view of the payload bytes, without copying them. */
  public ByteBuffer payloadBuffer() {
    return ByteBuffer.wrap(payload).asReadOnlyBuffer();
  }

  /** Returns the payload decoded as UTF-8 text. */
  public String payloadAsString() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /** The number of payload bytes. */
  public int payloadSize() {
    return payload.length;
  }

  /** The payload's media type, such as {@code application/json}. */
  public String contentType() {
    return contentType;
  }

  /** Application headers, in the order they were added. Unmodifiable. */
  public Map<String, String> headers() {
    return headers;
  }

  /** Returns the value of header {@code name}, or null if the message has none. */
  public @Nullable String header(String name) {
    return headers.get(name);
  }

  /** The ordering and partitioning key, or null for none. */
  public @Nullable String key() {
    return key;
  }

  /** When the message was built (by the publisher's clock). */
  public Instant timestamp() {
    return timestamp;
  }

  /** Where the broker stored this message; null on a message that was not delivered. */
  public @Nullable Position position() {
    return position;
  }

  /**
   * How many times this message has been handed to a handler of this subscription's group (or,
   * for a broadcast subscription, of this subscription), counting this one: 1 on first delivery,
   * 2 on the first retry. The same on every adapter:
   *
   * <ul>
   *   <li>a message handed back unhandled (fetched or prefetched and returned when a member
   *       closes, released, or moved to another member by a rebalance) keeps its count: no
   *       handler had it, so no attempt was spent, and rolling restarts never use up the retry
   *       budget;
   *   <li>a redelivery after a handler received the message but its acknowledgement was lost
   *       (the member crashed or was killed, its connection was lost) counts one more, since
   *       that handler may have failed on it.
   * </ul>
   *
   * <p>The {@link dev.realtime.subscription.RetryPolicy} counts from it, so a message that keeps
   * killing its consumers reaches the dead-letter channel too. 0 on a message that has not been
   * delivered (one being published, or read by {@code history()}).
   */
  public int deliveryAttempt() {
    return deliveryAttempt;
  }

  /** Returns this message as delivered once more, {@code attempt} being the new count. */
  public Message withDeliveryAttempt(int attempt) {
    return newBuilder().deliveryAttempt(attempt).build();
  }

  @Override
  public String toString() {
    // The payload and header values stay out: they may hold personal data or secrets.
    return "Message{id=" + id + ", channel=" + channel + ", event=" + event + ", key=" + key
        + ", contentType=" + contentType + ", payloadSize=" + payload.length
        + ", headers=" + headers.keySet() + (position != null ? ", position=" + position : "")
        + (deliveryAttempt > 0 ? ", attempt=" + deliveryAttempt : "") + "}";
  }

  /** Builds a {@link Message}. Not thread-safe; {@link #build()} may be called repeatedly. */
  public static final class Builder {
    private @Nullable String id;
    private @Nullable Channel channel;
    private @Nullable String event;
    private byte[] payload = EMPTY;
    private String contentType = OCTET_STREAM;
    // Made on the first header: most messages have none, and the map was a third of what
    // building one allocated (L0 benchmark).
    private @Nullable Map<String, String> headers;
    private @Nullable String key;
    private @Nullable Instant timestamp;
    private @Nullable Position position;
    private int deliveryAttempt;

    Builder() {}

    Builder(Message message) {
      id = message.id;
      channel = message.channel;
      event = message.event;
      payload = message.payload; // Shared: neither side ever writes into it.
      contentType = message.contentType;
      headers = message.headers.isEmpty() ? null : new LinkedHashMap<>(message.headers);
      key = message.key;
      timestamp = message.timestamp;
      position = message.position;
      deliveryAttempt = message.deliveryAttempt;
    }

    /**
     * Sets the id. Leave it unset to get a new unique one; set it only to carry an id that a
     * broker or another system gave the message.
     *
     * @throws IllegalArgumentException if {@code id} is empty.
     */
    public Builder id(String id) {
      Objects.requireNonNull(id, "id == null");
      if (id.isEmpty()) {
        throw new IllegalArgumentException("id is empty");
      }
      this.id = id;
      return this;
    }

    /** Sets the channel. */
    public Builder channel(Channel channel) {
      this.channel = Objects.requireNonNull(channel, "channel == null");
      return this;
    }

    /**
     * Sets the channel by name.
     *
     * @throws dev.realtime.channel.InvalidChannelException if {@code name} breaks the channel
     *     grammar.
     */
    public Builder channel(String name) {
      return channel(Channel.of(name));
    }

    /**
     * Sets the event name.
     *
     * @throws IllegalArgumentException if {@code event} is blank or longer than 255 characters.
     */
    public Builder event(String event) {
      Objects.requireNonNull(event, "event == null");
      if (event.isBlank()) {
        throw new IllegalArgumentException("event is blank; name the event, like \"notification\"");
      }
      if (event.length() > 255) {
        throw new IllegalArgumentException(
            "event is " + event.length() + " characters; at most 255 are allowed");
      }
      this.event = event;
      return this;
    }

    /** Sets the payload to a copy of {@code payload}. */
    public Builder payload(byte[] payload) {
      Objects.requireNonNull(payload, "payload == null");
      this.payload = payload.length == 0 ? EMPTY : payload.clone();
      return this;
    }

    /** Sets the payload to the remaining bytes of {@code payload}, copied. */
    public Builder payload(ByteBuffer payload) {
      Objects.requireNonNull(payload, "payload == null");
      byte[] bytes = new byte[payload.remaining()];
      payload.duplicate().get(bytes);
      this.payload = bytes;
      return this;
    }

    /** Sets the payload to {@code text} in UTF-8. The content type is not changed. */
    public Builder payload(String text) {
      Objects.requireNonNull(text, "text == null");
      this.payload = text.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    /** Sets the payload's media type; the default is {@value #OCTET_STREAM}. */
    public Builder contentType(String contentType) {
      Objects.requireNonNull(contentType, "contentType == null");
      if (contentType.isBlank()) {
        throw new IllegalArgumentException("contentType is blank");
      }
      this.contentType = contentType;
      return this;
    }

    /**
     * Adds or replaces header {@code name}.
     *
     * @throws IllegalArgumentException if {@code name} is empty.
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "header name == null");
      Objects.requireNonNull(value, "value of header " + name + " == null");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("header name is empty");
      }
      if (headers == null) {
        headers = new LinkedHashMap<>();
      }
      headers.put(name, value);
      return this;
    }

    /** Adds or replaces every header in {@code headers}. */
    public Builder headers(Map<String, String> headers) {
      Objects.requireNonNull(headers, "headers == null");
      headers.forEach(this::header);
      return this;
    }

    /** Removes header {@code name}, if present. */
    public Builder removeHeader(String name) {
      if (headers != null) {
        headers.remove(name);
      }
      return this;
    }

    /** Sets the ordering key; null for none. */
    public Builder key(@Nullable String key) {
      this.key = key;
      return this;
    }

    /** Sets the timestamp; the default is the time {@link #build()} is called. */
    public Builder timestamp(Instant timestamp) {
      this.timestamp = Objects.requireNonNull(timestamp, "timestamp == null");
      return this;
    }

    /** Sets where the broker stored the message. Adapters call this on delivery. */
    public Builder position(@Nullable Position position) {
      this.position = position;
      return this;
    }

    /**
     * Sets the delivery attempt. Adapters call this on delivery.
     *
     * @throws IllegalArgumentException if {@code attempt} is negative.
     */
    public Builder deliveryAttempt(int attempt) {
      if (attempt < 0) {
        throw new IllegalArgumentException("attempt < 0: " + attempt);
      }
      this.deliveryAttempt = attempt;
      return this;
    }

    /**
     * Returns the message.
     *
     * @throws NullPointerException if the channel or the event was not set.
     */
    public Message build() {
      if (channel == null) {
        throw new NullPointerException("channel == null: set the channel to publish to");
      }
      if (event == null) {
        throw new NullPointerException("event == null: set the event name");
      }
      return new Message(id, channel, event, payload, contentType, headers, key, timestamp,
          position, deliveryAttempt);
    }
  }
}
