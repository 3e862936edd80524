package dev.realtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelAdmin;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.subscription.MessageHandler;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import dev.realtime.tracing.RealtimeTracing;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The application's entry point: broadcast events to channels and handle the events of channels,
 * with payloads written and read as JSON.
 *
 * <pre>{@code
 * try (Realtime realtime = Realtime.create()) {          // realtime.broker picks the adapter
 *   realtime.on("user.1", message -> push(message));     // every server receives every message
 *   realtime.broadcast("user.1", "notification", Map.of("title", "Hello"))
 *       .toCompletableFuture().join();
 * }
 * }</pre>
 *
 * <p>A {@code Realtime} owns its broker unless it was built on one with {@link
 * Builder#broker(Broker)}; {@link #close()} then closes it. Thread-safe; share one per
 * application.
 */
public final class Realtime implements AutoCloseable {
  private final Broker broker;
  private final boolean ownsBroker;
  private final ObjectMapper json;

  private Realtime(Broker broker, boolean ownsBroker, ObjectMapper json) {
    this.broker = broker;
    this.ownsBroker = ownsBroker;
    this.json = json;
  }

  /**
   * Opens the broker that the standard configuration sources name (see {@link RealtimeConfig}).
   *
   * @throws dev.realtime.config.ConfigurationException if the configuration is invalid
   * @throws BrokerUnavailableException if the broker cannot be reached
   */
  public static Realtime create() {
    return builder().build();
  }

  /**
   * Opens the broker that {@code config} names.
   *
   * @throws dev.realtime.config.ConfigurationException if the configuration is invalid
   * @throws BrokerUnavailableException if the broker cannot be reached
   */
  public static Realtime create(RealtimeConfig config) {
    return builder().config(config).build();
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Publishes {@code payload} as event {@code event} on {@code channel}. The payload is written
   * as JSON ({@code application/json}), except a {@code byte[]}, which is sent as it is ({@code
   * application/octet-stream}).
   *
   * @return completes when the broker has the message
   * @throws dev.realtime.channel.InvalidChannelException if {@code channel} is not a valid name
   * @throws IllegalArgumentException if the payload cannot be written as JSON
   * @throws PayloadTooLargeException if the payload is over the limit; nothing is sent
   */
  public CompletionStage<PublishReceipt> broadcast(String channel, String event,
      @Nullable Object payload) {
    return broker.publish(message(Channel.of(channel), event, payload).build());
  }

  /**
   * Publishes one message per channel, with the same event and payload (written once). Every
   * channel name is checked before anything is sent.
   *
   * @return completes when the broker has every message; receipts in the order of {@code
   *     channels}
   * @throws dev.realtime.channel.InvalidChannelException if a name is not valid; nothing is sent
   */
  public CompletionStage<List<PublishReceipt>> broadcast(Collection<String> channels,
      String event, @Nullable Object payload) {
    Objects.requireNonNull(channels, "channels == null");
    List<Channel> targets = new ArrayList<>(channels.size());
    for (String name : channels) {
      targets.add(Channel.of(name));
    }
    Message.Builder template = message(null, event, payload);
    List<Message> messages = new ArrayList<>(targets.size());
    for (Channel target : targets) {
      messages.add(template.channel(target).build());
    }
    return broker.publishAll(messages);
  }

  /**
   * Subscribes to {@code channel} (a name or a pattern such as {@code user.*}) as a broadcast
   * subscriber, from the latest message: this server receives every message published from now
   * on, as does every other server that subscribed.
   *
   * @throws dev.realtime.channel.InvalidChannelException if the name is not valid
   */
  public Subscription on(String channel, MessageHandler handler) {
    return on(SubscriptionSpec.of(channel), handler);
  }

  /** Subscribes to several channels or patterns at once, as {@link #on(String, MessageHandler)}. */
  public Subscription on(Collection<String> channels, MessageHandler handler) {
    return on(SubscriptionSpec.builder().channels(channels).build(), handler);
  }

  /** Subscribes as {@code spec} says: a group, a start position, retries, dead letters. */
  public Subscription on(SubscriptionSpec spec, MessageHandler handler) {
    return broker.subscribe(spec, handler);
  }

  /**
   * Reads a message's JSON payload as {@code type}.
   *
   * @throws IllegalArgumentException if the payload is not JSON of that shape
   */
  public <T> T read(Message message, Class<T> type) {
    Objects.requireNonNull(message, "message == null");
    Objects.requireNonNull(type, "type == null");
    try {
      return json.readValue(message.payload(), type);
    } catch (IOException e) {
      throw new IllegalArgumentException("payload of " + message + " is not JSON of type "
          + type.getName() + ": " + e.getMessage(), e);
    }
  }

  /** The broker underneath, for what the facade does not cover (history, publishAll). */
  public Broker broker() {
    return broker;
  }

  /** Channel management on the broker. */
  public ChannelAdmin admin() {
    return broker.admin();
  }

  /**
   * Closes the broker if this instance opened it: subscriptions drain, then disconnect, within
   * {@code realtime.close-timeout}.
   */
  @Override
  public void close() {
    if (ownsBroker) {
      broker.close();
    }
  }

  private Message.Builder message(@Nullable Channel channel, String event,
      @Nullable Object payload) {
    Message.Builder builder = Message.builder().event(event);
    if (channel != null) {
      builder.channel(channel);
    }
    if (payload instanceof byte[]) {
      return builder.payload((byte[]) payload).contentType(Message.OCTET_STREAM);
    }
    try {
      return builder.payload(json.writeValueAsBytes(payload)).contentType(Message.JSON);
    } catch (IOException e) {
      throw new IllegalArgumentException("payload of type " + payload.getClass().getName()
          + " cannot be written as JSON: " + e.getMessage()
          + ". Pass a byte[] or a Jackson-serialisable value.", e);
    }
  }

  /** Builds a {@link Realtime}. */
  public static final class Builder {
    private @Nullable RealtimeConfig config;
    private @Nullable Broker broker;
    private @Nullable ObjectMapper json;
    private RealtimeMetrics metrics = RealtimeMetrics.NOOP;
    private @Nullable RealtimeTracing tracing;

    Builder() {}

    /** Opens the broker this configuration names (default: {@link RealtimeConfig#load()}). */
    public Builder config(RealtimeConfig config) {
      this.config = Objects.requireNonNull(config, "config == null");
      return this;
    }

    /** Uses an open broker instead of opening one; {@link Realtime#close()} leaves it open. */
    public Builder broker(Broker broker) {
      this.broker = Objects.requireNonNull(broker, "broker == null");
      return this;
    }

    /** Writes and reads JSON payloads with {@code mapper} (default: a plain ObjectMapper). */
    public Builder objectMapper(ObjectMapper mapper) {
      this.json = Objects.requireNonNull(mapper, "mapper == null");
      return this;
    }

    /** Records measurements into {@code metrics} (default: none). */
    public Builder metrics(RealtimeMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics == null");
      return this;
    }

    /**
     * Traces publishes and handler runs with {@code tracing}, such as {@code
     * OpenTelemetryTracing.create(openTelemetry)} (default: as {@code realtime.tracing} says,
     * which is none unless set).
     */
    public Builder tracing(RealtimeTracing tracing) {
      this.tracing = Objects.requireNonNull(tracing, "tracing == null");
      return this;
    }

    /**
     * Returns the facade, opening the broker if none was given.
     *
     * @throws IllegalStateException if a broker was given together with a config, metrics or
     *     tracing
     */
    public Realtime build() {
      ObjectMapper mapper = json != null ? json : new ObjectMapper().findAndRegisterModules();
      if (broker != null) {
        if (config != null || metrics != RealtimeMetrics.NOOP || tracing != null) {
          throw new IllegalStateException("give a broker, or a config (and metrics, tracing) "
              + "to open one, not both: a given broker keeps the metrics and tracing it was "
              + "opened with (Brokers.open(config, metrics, tracing))");
        }
        return new Realtime(broker, false, mapper);
      }
      RealtimeConfig effective = config != null ? config : RealtimeConfig.load();
      return new Realtime(tracing != null
          ? Brokers.open(effective, metrics, tracing)
          : Brokers.open(effective, metrics), true, mapper);
    }
  }
}
