package dev.realtime;

import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelAdmin;
import dev.realtime.subscription.BatchHandler;
import dev.realtime.subscription.MessageHandler;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A connection to one message broker: publish, subscribe, read history, manage channels.
 * Obtained from {@link Brokers#open}; thread-safe; meant to be shared by the whole application
 * and closed when it stops.
 *
 * <p>Checks on arguments (an invalid channel, an oversized payload, a closed broker) throw at
 * once, before anything is sent. Failures at the broker complete the returned stage
 * exceptionally.
 */
public interface Broker extends AutoCloseable {
  /** The adapter's name, such as {@code kafka}: the value of {@code realtime.broker}. */
  String name();

  /** What this broker can do. */
  Capabilities capabilities();

  /**
   * Publishes {@code message}. The stage completes when the broker has accepted the message
   * (Kafka's acknowledgement, RabbitMQ's publisher confirm, Redis's reply), or exceptionally with
   * the broker's reason.
   *
   * @throws PayloadTooLargeException if the payload is over {@code realtime.max-payload-bytes}
   * @throws BrokerClosedException if this broker was closed
   */
  CompletionStage<PublishReceipt> publish(Message message);

  /**
   * Publishes {@code messages}, batched where the broker allows. Every message is checked before
   * any is sent. The stage completes when all were accepted, with their receipts in order, or
   * exceptionally with the first failure (others may have been accepted: match receipts by id).
   *
   * <p>The default publishes each message with {@link #publish}, in order, without waiting
   * between them: clients that pipeline (Kafka's producer, Lettuce) batch them on the wire.
   *
   * @throws PayloadTooLargeException if any payload is too large; nothing is sent
   * @throws BrokerClosedException if this broker was closed
   */
  default CompletionStage<List<PublishReceipt>> publishAll(List<Message> messages) {
    List<java.util.concurrent.CompletableFuture<PublishReceipt>> sent =
        new java.util.ArrayList<>(messages.size());
    for (Message message : messages) {
      sent.add(publish(message).toCompletableFuture());
    }
    return java.util.concurrent.CompletableFuture.allOf(
        sent.toArray(new java.util.concurrent.CompletableFuture<?>[0])).thenApply(done -> {
          List<PublishReceipt> receipts = new java.util.ArrayList<>(sent.size());
          sent.forEach(f -> receipts.add(f.join()));
          return receipts;
        });
  }

  /**
   * Starts delivering messages to {@code handler}, one at a time, as {@code spec} says.
   *
   * @throws UnsupportedCapabilityException if the spec needs what this broker cannot do (a group
   *     without {@link Capability#CONSUMER_GROUPS}, a pattern without {@link
   *     Capability#PATTERN_SUBSCRIBE}, a replay start without {@link Capability#REPLAY})
   * @throws BrokerClosedException if this broker was closed
   */
  Subscription subscribe(SubscriptionSpec spec, MessageHandler handler);

  /**
   * Starts delivering messages to {@code handler} in batches of at most {@link
   * SubscriptionSpec#batchSize()}, as {@code spec} says. (A name of its own, so that a lambda
   * handler is never ambiguous between the two kinds.)
   *
   * @throws UnsupportedCapabilityException as {@link #subscribe(SubscriptionSpec,
   *     MessageHandler)}
   * @throws BrokerClosedException if this broker was closed
   */
  Subscription subscribeBatches(SubscriptionSpec spec, BatchHandler handler);

  /**
   * Reads past messages of {@code channel} without joining any group. Blocks until read.
   *
   * @return the messages in order, with their positions; empty if the channel has none there
   * @throws UnsupportedCapabilityException if this broker has no {@link Capability#REPLAY}
   */
  List<Message> history(Channel channel, HistoryQuery query);

  /** Channel management on this broker. */
  ChannelAdmin admin();

  /** Checks, within a bounded time, that the broker answers. Never throws. */
  Health health();

  /**
   * Closes every subscription (first none of them starts new work, then each drains its running
   * handlers in turn), then the connections, all within {@code realtime.close-timeout} (5 s by
   * default), also when the broker cannot be reached; what is not acknowledged by then is handed
   * back to the broker, which delivers it again. Idempotent; later publishes and subscribes throw {@link BrokerClosedException}.
   */
  @Override
  void close();
}
