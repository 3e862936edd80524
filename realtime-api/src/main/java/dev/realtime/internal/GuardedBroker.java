package dev.realtime.internal;

import dev.realtime.Broker;
import dev.realtime.BrokerClosedException;
import dev.realtime.Capabilities;
import dev.realtime.Capability;
import dev.realtime.Health;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.PayloadTooLargeException;
import dev.realtime.PublishReceipt;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelAdmin;
import dev.realtime.channel.ChannelInfo;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.subscription.BatchHandler;
import dev.realtime.subscription.MessageHandler;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import dev.realtime.tracing.RealtimeTracing;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Wraps every broker that {@link dev.realtime.Brokers} opens, so that the checks every adapter
 * needs are written once: the closed state, the payload limit, the capabilities a subscription
 * or history read needs, publish metrics, and tracing (each publish, and each handler a
 * subscription is given). An argument that fails a check throws before the
 * adapter sees it, so nothing is half-done.
 *
 * <p>Not for public use: this class may change at any time.
 */
public final class GuardedBroker implements Broker {
  private final Broker delegate;
  private final long maxPayloadBytes;
  private final RealtimeMetrics metrics;
  private final RealtimeTracing tracing;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ChannelAdmin admin;

  public GuardedBroker(Broker delegate, long maxPayloadBytes, RealtimeMetrics metrics,
      RealtimeTracing tracing) {
    this.delegate = Objects.requireNonNull(delegate, "delegate == null");
    this.maxPayloadBytes = maxPayloadBytes;
    this.metrics = Objects.requireNonNull(metrics, "metrics == null");
    this.tracing = Objects.requireNonNull(tracing, "tracing == null");
    this.admin = new GuardedAdmin();
  }

  /** The adapter's own broker, for tests that need to reach past the checks. */
  public Broker delegate() {
    return delegate;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public Capabilities capabilities() {
    return delegate.capabilities();
  }

  @Override
  public CompletionStage<PublishReceipt> publish(Message message) {
    Objects.requireNonNull(message, "message == null");
    checkOpen("publish");
    checkSize(message);
    if (metrics == RealtimeMetrics.NOOP) {
      return send(message);
    }
    long start = System.nanoTime();
    return send(message).whenComplete((receipt, failure) ->
        metrics.published(name(), message.channel(), System.nanoTime() - start, failure));
  }

  @Override
  public CompletionStage<List<PublishReceipt>> publishAll(List<Message> messages) {
    Objects.requireNonNull(messages, "messages == null");
    checkOpen("publish");
    for (Message message : messages) {
      checkSize(Objects.requireNonNull(message, "a message in messages is null"));
    }
    List<Message> copy = List.copyOf(messages);
    if (metrics == RealtimeMetrics.NOOP) {
      return sendAll(copy);
    }
    long start = System.nanoTime();
    return sendAll(copy).whenComplete((receipts, failure) -> {
      long nanos = System.nanoTime() - start;
      for (Message message : copy) {
        metrics.published(name(), message.channel(), nanos, failure);
      }
    });
  }

  @Override
  public Subscription subscribe(SubscriptionSpec spec, MessageHandler handler) {
    Objects.requireNonNull(handler, "handler == null");
    checkSubscription(spec);
    return delegate.subscribe(spec,
        tracing == RealtimeTracing.NOOP ? handler : tracing.handler(name(), spec, handler));
  }

  @Override
  public Subscription subscribeBatches(SubscriptionSpec spec, BatchHandler handler) {
    Objects.requireNonNull(handler, "handler == null");
    checkSubscription(spec);
    return delegate.subscribeBatches(spec,
        tracing == RealtimeTracing.NOOP ? handler : tracing.batchHandler(name(), spec, handler));
  }

  @Override
  public List<Message> history(Channel channel, HistoryQuery query) {
    Objects.requireNonNull(channel, "channel == null");
    Objects.requireNonNull(query, "query == null");
    checkOpen("read history");
    capabilities().require(Capability.REPLAY, name(), "history()");
    return delegate.history(channel, query);
  }

  @Override
  public ChannelAdmin admin() {
    return admin;
  }

  @Override
  public Health health() {
    if (closed.get()) {
      return Health.down(name(), "closed by the application");
    }
    try {
      return delegate.health();
    } catch (RuntimeException e) {
      return Health.down(name(), "health check failed: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      delegate.close();
    }
  }

  @Override
  public String toString() {
    return delegate.toString();
  }

  // Without tracing, the adapter's publish is called directly: no lambda, no extra stage.
  private CompletionStage<PublishReceipt> send(Message message) {
    return tracing == RealtimeTracing.NOOP
        ? delegate.publish(message)
        : tracing.publish(name(), message, delegate::publish);
  }

  private CompletionStage<List<PublishReceipt>> sendAll(List<Message> messages) {
    return tracing == RealtimeTracing.NOOP
        ? delegate.publishAll(messages)
        : tracing.publishAll(name(), messages, delegate::publishAll);
  }

  private void checkSubscription(SubscriptionSpec spec) {
    Objects.requireNonNull(spec, "spec == null");
    checkOpen("subscribe");
    Capabilities capabilities = capabilities();
    if (spec.isGroup()) {
      capabilities.require(Capability.CONSUMER_GROUPS, name(),
          "a subscription with group \"" + spec.group() + "\"");
    }
    if (!spec.patterns().isEmpty()) {
      capabilities.require(Capability.PATTERN_SUBSCRIBE, name(),
          "a subscription to pattern " + spec.patterns().iterator().next());
    }
    if (spec.deadLetterChannel() != null) {
      capabilities.require(Capability.DEAD_LETTER, name(),
          "a subscription with dead-letter channel " + spec.deadLetterChannel());
    }
    if (spec.start().kind() != StartPosition.Kind.LATEST) {
      capabilities.require(Capability.REPLAY, name(),
          "a subscription starting from " + spec.start());
    }
  }

  private void checkSize(Message message) {
    if (message.payloadSize() > maxPayloadBytes) {
      throw new PayloadTooLargeException(message.id(), message.channel().name(),
          message.payloadSize(), maxPayloadBytes);
    }
  }

  private void checkOpen(String operation) {
    if (closed.get()) {
      throw new BrokerClosedException(name(), operation);
    }
  }

  /** The adapter's admin, refused once the broker is closed. */
  private final class GuardedAdmin implements ChannelAdmin {
    @Override
    public ChannelInfo ensure(ChannelSpec spec) {
      Objects.requireNonNull(spec, "spec == null");
      checkOpen("ensure a channel");
      return delegate.admin().ensure(spec);
    }

    @Override
    public void check(ChannelSpec spec) {
      delegate.admin().check(spec);
    }

    @Override
    public Optional<ChannelInfo> describe(Channel channel) {
      Objects.requireNonNull(channel, "channel == null");
      checkOpen("describe a channel");
      return delegate.admin().describe(channel);
    }

    @Override
    public List<Channel> list() {
      checkOpen("list channels");
      return delegate.admin().list();
    }

    @Override
    public boolean delete(Channel channel) {
      Objects.requireNonNull(channel, "channel == null");
      checkOpen("delete a channel");
      return delegate.admin().delete(channel);
    }
  }
}
