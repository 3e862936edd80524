package dev.realtime.rabbitmq;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.realtime.BrokerUnavailableException;
import dev.realtime.Health;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.Position;
import dev.realtime.PublishReceipt;
import dev.realtime.Capability;
import dev.realtime.UnsupportedCapabilityException;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelAdmin;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.config.RealtimeOptions;
import dev.realtime.internal.Payloads;
import dev.realtime.internal.Positions;
import dev.realtime.internal.FailureReasons;
import dev.realtime.internal.UriCredentials;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.spi.AdapterBroker;
import dev.realtime.spi.BrokerContext;
import dev.realtime.spi.Deadline;
import dev.realtime.spi.Handling;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * The RabbitMQ adapter's broker.
 *
 * <p><b>Publishing.</b> One AMQP channel in confirm mode, shared (see {@link Publisher}): a
 * publish goes to the topic exchange with the channel name as routing key, mandatory, and
 * completes on RabbitMQ's confirm. The channel's stream queue is declared and bound on first
 * use, so every confirmed message is in the stream: that is what makes the channel persistent
 * and replayable, and what a return (no queue) means is a deleted stream.
 *
 * <p><b>Connection.</b> One connection per broker, with amqp-client's automatic recovery;
 * subscriptions re-create their consumers after a recovery, from where they were.
 */
final class RabbitBroker extends AdapterBroker<RabbitSubscription> {
  static final String NAME = "rabbitmq";

  private final String description;
  /** The nodes connections go to, and recover to: realtime.rabbitmq.addresses, or the URI's. */
  private final List<Address> addresses;
  private final Duration timeout;
  private final Duration publishTimeout;
  /** realtime.close-timeout: the one bound on close(). */
  private final Duration closeTimeout;
  private final RealtimeMetrics metrics;
  private final Connection connection;
  /**
   * Publishing has a connection of its own: under a memory or disk alarm RabbitMQ stops reading
   * from connections that publish, and consumers' acks on the same connection would then stall
   * too, so queues could not drain and the alarm not clear.
   */
  private final Connection publishing;
  private final Publisher publisher;
  /** One warning per outage, amqp-client's traces at debug. */
  private final OutageLog outages;
  /** Re-subscribing after a cancel, off amqp-client's threads. */
  private final java.util.concurrent.ScheduledExecutorService background =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "realtime-rabbitmq-background");
        thread.setDaemon(true);
        return thread;
      });
  private final Topology topology;
  private final ChannelRegistry registry;
  private final RabbitAdmin channelAdmin;

  RabbitBroker(BrokerContext context) {
    super(context, NAME, RabbitBrokerProvider.CAPABILITIES);
    RealtimeConfig config = context.config();
    RealtimeMetrics metrics = context.metrics();
    this.timeout = config.get(RabbitOptions.TIMEOUT);
    this.publishTimeout = config.get(RealtimeOptions.PUBLISH_TIMEOUT);
    this.closeTimeout = config.get(RealtimeOptions.CLOSE_TIMEOUT);
    this.metrics = metrics;
    ConnectionFactory factory = RabbitEndpoint.factory(config, timeout);
    this.addresses = RabbitEndpoint.addresses(config, factory);
    this.description = RabbitEndpoint.describe(factory, addresses);
    this.outages = new OutageLog(description, publishTimeout);
    factory.setExceptionHandler(outages);
    try {
      this.connection = factory.newConnection(addresses, "realtime");
      this.publishing = newPublishingConnection(factory);
    } catch (AuthenticationFailureException e) {
      background.shutdownNow();
      throw new BrokerUnavailableException("RabbitMQ at " + description + " refused the login "
          + "of user \"" + factory.getUsername() + "\" (" + UriCredentials.mask(e.getMessage())
          + "). Check the credentials in realtime.rabbitmq.uri (or RABBITMQ_URL), "
          + "realtime.rabbitmq.username and realtime.rabbitmq.password.", e);
    } catch (IOException | TimeoutException | RuntimeException e) {
      background.shutdownNow();
      throw new BrokerUnavailableException("could not connect to RabbitMQ at " + description
          + " within " + timeout + ": " + FailureReasons.of(e) + ". Check realtime.rabbitmq.uri (or "
          + "RABBITMQ_URL), the virtual host, TLS, and that RabbitMQ runs.", e);
    }
    outages.watch(connection);
    outages.watch(publishing);
    try {
      this.topology = new Topology(connection, config.get(RabbitOptions.NAME_PREFIX),
          description, timeout, config.get(RabbitOptions.REPLICATION_FACTOR));
      this.publisher = new Publisher(publishing, description, publishTimeout,
          config.get(RealtimeOptions.MAX_PAYLOAD_BYTES));
      this.registry = new ChannelRegistry(connection, topology, publisher, timeout);
    } catch (IOException | RuntimeException e) {
      closeQuietly();
      if (e instanceof RuntimeException) {
        throw (RuntimeException) e;
      }
      throw new BrokerUnavailableException("could not set up on RabbitMQ at " + description
          + ": " + FailureReasons.of(e), e);
    }
    this.channelAdmin = new RabbitAdmin(this);
  }

  @Override
  public CompletionStage<PublishReceipt> publish(Message message) {
    try {
      ensureStream(message.channel());
      return publisher.publish(topology.exchange(), message.channel().name(),
              AmqpMessages.outgoing(message), Payloads.shared(message))
          .thenApply(confirmed -> new PublishReceipt(message.id(), message.channel(), null));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Declares the channel's stream on first use, and records a new one in the registry. */
  void ensureStream(Channel channel) {
    if (topology.ensureStream(channel)) {
      registry.ensured(new ChannelRegistry.Entry(channel, null, null, Set.of()));
    }
  }

  @Override
  protected Subscription open(SubscriptionSpec spec, Handling handling) {
    if (spec.start().kind() == StartPosition.Kind.POSITION) {
      Positions.offsetOf(spec.start().position(), NAME); // A foreign position fails here, clearly.
    }
    if (!spec.patterns().isEmpty() && !spec.isGroup()
        && spec.start().kind() != StartPosition.Kind.LATEST) {
      throw new UnsupportedCapabilityException(name(), Capability.REPLAY,
          "A broadcast pattern subscription starting at " + spec.start(),
          "it starts at latest (it is a queue bound to the pattern, and AMQP cannot list the "
              + "streams it would replay); subscribe to the channels by name to start at "
              + spec.start() + ".");
    }
    for (Channel channel : spec.channels()) {
      ensureStream(channel);
    }
    return subscriptions().open(new RabbitSubscription(this, subscriptions(), spec, handling),
        RabbitSubscription::start);
  }

  /**
   * Reads the channel's stream from the query's start. A timestamp start begins at the chunk
   * RabbitMQ stored around that time, so messages made before it are left out here.
   */
  @Override
  public List<Message> history(Channel channel, HistoryQuery query) {
    StartPosition from = query.from();
    if (from.kind() == StartPosition.Kind.LATEST) {
      return List.of(); // From "latest" on, nothing has been published yet.
    }
    if (!topology.exists(topology.streamOf(channel))) {
      return List.of();
    }
    List<Message> out = new ArrayList<>();
    Instant after = from.kind() == StartPosition.Kind.TIMESTAMP ? from.timestamp() : null;
    topology.awaitOpen();
    for (StreamReader.Delivery delivery : StreamReader.read(connection,
        topology.streamOf(channel), offsetArgument(from), query.limit() + 1000,
        StreamReader.QUIET, timeout)) {
      long offset = AmqpMessages.streamOffset(delivery.properties());
      Message message = AmqpMessages.toMessage(channel, delivery.properties(), delivery.body(),
          offset < 0 ? null : Position.ofOffset(offset), 0);
      // The chunk may begin before the time: skip until the first message made at or after
      // it; later ones count whatever time they carry (a dead letter keeps its original's).
      if (after != null && message.timestamp().isBefore(after)) {
        continue;
      }
      after = null;
      out.add(message);
      if (out.size() == query.limit()) {
        break;
      }
    }
    return out;
  }

  /** The {@code x-stream-offset} that starts a read at {@code start}. */
  static Object offsetArgument(StartPosition start) {
    switch (start.kind()) {
      case EARLIEST:
        return "first";
      case POSITION:
        return Positions.offsetOf(start.position(), NAME);
      case TIMESTAMP:
        return Date.from(start.timestamp());
      default:
        return "next";
    }
  }

  @Override
  public ChannelAdmin admin() {
    return channelAdmin;
  }

  @Override
  public Health health() {
    if (!connection.isOpen()) {
      return Health.down(NAME, "the connection to RabbitMQ at " + description
          + " is closed (recovering)");
    }
    try {
      topology.declare(amqp -> amqp.exchangeDeclarePassive(topology.exchange()));
      return Health.up(NAME, "RabbitMQ " + connection.getServerProperties().get("version")
          + " at " + description + ", exchange " + topology.exchange());
    } catch (RuntimeException e) {
      return Health.down(NAME, "RabbitMQ at " + description + " did not answer: "
          + e.getMessage());
    }
  }

  /**
   * Stops every subscription's handlers from starting new work, drains them, hands back, and
   * disconnects, all within realtime.close-timeout: one deadline for every step, RabbitMQ
   * reachable or not.
   */
  @Override
  public void close() {
    Deadline deadline = Deadline.after(closeTimeout);
    try {
      subscriptions().closeAll(deadline);
    } finally {
      closeQuietly(deadline);
    }
  }

  /** The second connection, or the first is closed again before the failure goes on. */
  private Connection newPublishingConnection(ConnectionFactory factory)
      throws IOException, TimeoutException {
    try {
      return factory.newConnection(addresses, "realtime-publisher");
    } catch (IOException | TimeoutException | RuntimeException e) {
      connection.abort();
      throw e;
    }
  }

  private void closeQuietly() {
    closeQuietly(Deadline.after(timeout));
  }

  /**
   * Closes the connections by {@code deadline}: a clean close waits for RabbitMQ's close-ok,
   * which never comes while it is unreachable, so what is left of the deadline bounds it and an
   * abort (no waiting) follows.
   */
  private void closeQuietly(Deadline deadline) {
    outages.close();
    background.shutdownNow();
    if (publisher != null) { // Null when the constructor failed before making it.
      publisher.close();
    }
    for (Connection open : List.of(connection, publishing)) {
      try {
        int left = (int) Math.min(Integer.MAX_VALUE, deadline.remainingMillis());
        if (left > 0 && open.isOpen()) {
          open.close(left);
        } else {
          open.abort(0); // Down or out of time: amqp-client's recovery stops too.
        }
      } catch (IOException | RuntimeException e) {
        open.abort(0);
      }
    }
  }

  Connection connection() {
    return connection;
  }

  Topology topology() {
    return topology;
  }

  Publisher publisher() {
    return publisher;
  }

  ChannelRegistry registry() {
    return registry;
  }

  Duration timeout() {
    return timeout;
  }

  RealtimeMetrics metrics() {
    return metrics;
  }

  java.util.concurrent.ScheduledExecutorService background() {
    return background;
  }

  String description() {
    return description;
  }

  @Override
  public String toString() {
    return "RabbitBroker{" + description + "}";
  }
}
