package dev.realtime.redis;

import dev.realtime.BrokerUnavailableException;
import dev.realtime.Health;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.PayloadTooLargeException;
import dev.realtime.PublishReceipt;
import dev.realtime.RealtimeException;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelAdmin;
import dev.realtime.channel.ChannelNaming;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.config.RealtimeOptions;
import dev.realtime.internal.FailureReasons;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.spi.AdapterBroker;
import dev.realtime.spi.BrokerContext;
import dev.realtime.spi.Deadline;
import dev.realtime.spi.Handling;
import dev.realtime.spi.PollingSubscription;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The Redis adapter's broker.
 *
 * <p><b>Two modes</b>, chosen with {@code realtime.redis.mode}. {@code streams} (the default):
 * each channel is a stream, {@code <prefix>:<channel>}; a publish is an XADD that completes with
 * Redis's reply, the entry id is the position, groups are consumer groups. {@code pubsub}: each
 * channel is a Pub/Sub channel of the same name; a publish is a PUBLISH, delivered to whoever is
 * subscribed at that moment and to nobody later. Its capabilities say so. On a Redis Cluster,
 * every Pub/Sub command goes to one node ({@link PubSubHome} says why).
 *
 * <p><b>Connections.</b> One shared connection carries every publish and admin command; Lettuce
 * pipelines commands from all threads on it, so publishes never wait for each other's replies.
 * Each subscription has its own connection, because its blocking read (XREAD BLOCK) holds a
 * connection for the whole wait. Lettuce reconnects by itself; subscriptions resume from where
 * they were.
 *
 * <p><b>Why RESP2</b>: XINFO's replies have one shape there on every Redis from 5 on, and no
 * HELLO is needed before AUTH.
 */
final class RedisBroker extends AdapterBroker<PollingSubscription<?>> {
  static final String NAME = "redis";
  /** The longest a subscription's blocking read waits; Lettuce's timeout for it adds this. */
  static final Duration LONGEST_BLOCK = Duration.ofSeconds(30);
  static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final String description;
  private final ChannelNaming naming;
  private final String prefix;
  private final boolean pubSub;
  private final Duration timeout;
  private final Duration claimIdleTimeout;
  private final boolean exactTrimming;
  private final int pubSubBuffer;
  private final Duration publishTimeout;
  private final Duration closeTimeout;
  private final RealtimeMetrics metrics;
  private final Clock clock = Clock.systemUTC();
  private final ClientResources resources;
  private final RedisNodes nodes;
  private final StatefulConnection<String, byte[]> connection;
  private final RedisClusterAsyncCommands<String, byte[]> commands;
  private final SendOnce sendOnce;
  /** On a cluster in Pub/Sub mode, the node that carries it; else null. */
  private final @Nullable PubSubHome pubSubHome;
  private final ConnectionWatch watch;
  /** realtime.max-payload-bytes, to name it next to Redis's limit. */
  private final long maxPayloadBytes;
  /** The longest bulk string Redis takes (proto-max-bulk-len), learnt at connect. */
  private final long bulkLimit;
  /** Where {@link #bulkLimit} came from, for the error that names it. */
  private final String bulkLimitSource;
  private final ChannelRegistry registry;
  private final RedisAdmin channelAdmin;
  /** When each channel carrying two limits last got its extra XTRIM; see Retention. */
  private final Map<Channel, Long> lastExtraTrim = new ConcurrentHashMap<>();
  private final String version;

  RedisBroker(BrokerContext context) {
    super(context, NAME, context.config().get(RedisOptions.MODE).equals("pubsub")
        ? RedisBrokerProvider.PUBSUB_CAPABILITIES : RedisBrokerProvider.STREAMS_CAPABILITIES);
    RealtimeConfig config = context.config();
    RealtimeMetrics metrics = context.metrics();
    List<RedisURI> uris = RedisEndpoint.uris(config);
    this.description = RedisEndpoint.describe(uris);
    this.prefix = config.get(RedisOptions.KEY_PREFIX);
    this.naming = RedisBrokerProvider.naming(prefix);
    this.pubSub = capabilities() == RedisBrokerProvider.PUBSUB_CAPABILITIES; // Mode, parsed.
    this.timeout = config.get(RedisOptions.TIMEOUT);
    this.claimIdleTimeout = config.get(RedisOptions.CLAIM_IDLE_TIMEOUT);
    this.exactTrimming = config.get(RedisOptions.EXACT_TRIMMING);
    this.pubSubBuffer = config.get(RedisOptions.PUBSUB_BUFFER);
    this.publishTimeout = config.get(RealtimeOptions.PUBLISH_TIMEOUT);
    int waitReplicas = config.get(RedisOptions.WAIT_REPLICAS);
    if (pubSub && waitReplicas > 0) {
      throw new dev.realtime.config.ConfigurationException(RedisOptions.WAIT_REPLICAS.name()
          + " is " + waitReplicas + ", but realtime.redis.mode is pubsub, which stores nothing "
          + "for replicas to have: set it to 0, or use streams mode.");
    }
    this.closeTimeout = config.get(RealtimeOptions.CLOSE_TIMEOUT);
    this.metrics = metrics;
    // Lettuce's default reconnect delay grows to 30s: after an outage, subscriptions would sit
    // idle that long once Redis is back. At most 2s between attempts is cheap for one client.
    this.resources = DefaultClientResources.builder().reconnectDelay(Delay.exponential(
        Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS)).build();
    RedisNodes made = null;
    try {
      made = RedisNodes.of(uris, resources, timeout);
      this.connection = made.connectShared(); // Connects, logs in and PINGs.
    } catch (RuntimeException e) {
      if (made != null) {
        made.shutdown(Duration.ofSeconds(2));
      }
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      throw new BrokerUnavailableException("could not connect to Redis at " + description
          + " within " + timeout + ": " + FailureReasons.of(e) + ". Check realtime.redis.uri (or "
          + "REDIS_URL), the credentials (realtime.redis.username / password), TLS "
          + "(rediss:// or realtime.redis.tls), and that Redis runs.", e);
    }
    this.nodes = made;
    this.commands = RedisNodes.commands(connection);
    this.pubSubHome = pubSub ? nodes.pubSubHome(prefix, connection) : null;
    this.sendOnce = new SendOnce(connection, pubSubHome, nodes.isCluster(), waitReplicas,
        description, publishTimeout, timeout, resources.timer());
    nodes.listenToShared(sendOnce);
    this.watch = new ConnectionWatch(resources, description, timeout, publishTimeout);
    nodes.listenToAll(watch);
    this.maxPayloadBytes = config.get(RealtimeOptions.MAX_PAYLOAD_BYTES);
    BulkLimit limit = BulkLimit.read(commands, timeout, description);
    this.bulkLimit = limit.bytes();
    this.bulkLimitSource = limit.source();
    this.version = RedisEndpoint.version(commands.info("server"), timeout);
    this.registry = new ChannelRegistry(commands, prefix, naming, pubSub);
    this.channelAdmin = new RedisAdmin(this);
  }

  /**
   * Publishes at most once per call ({@link SendOnce}): a publish that fails because the
   * connection dropped may have been stored, and is the caller's to send again.
   *
   * @throws PayloadTooLargeException if the message is more than Redis takes in one bulk string
   *     ({@code proto-max-bulk-len}): Redis would close the connection on it
   */
  @Override
  public CompletionStage<PublishReceipt> publish(Message message) {
    byte[] frame = pubSub ? StreamEntries.frame(message) : null;
    checkBulkLimit(message, frame);
    CompletableFuture<PublishReceipt> receipt = new CompletableFuture<>();
    try {
      Channel channel = message.channel();
      String key = naming.backendName(channel);
      // Never waits: publish may be called on Lettuce's own thread (from a completion), which
      // must not block. Until the registry answered, a new channel's first entries go untrimmed.
      Retention retention = pubSub ? Retention.NONE : registry.retentionNow(channel);
      // One stage, not a chain: it runs on Lettuce's event loop, the busiest thread of a
      // publishing process, and every stage there is a future made and completed per message.
      BiConsumer<Object, Throwable> settle = (reply, failure) -> {
        if (failure == null) {
          receipt.complete(new PublishReceipt(message.id(), channel,
              pubSub ? null : dev.realtime.Position.of((String) reply)));
        } else {
          String text = "Redis did not accept message " + message.id() + " on " + key + ": "
              + FailureReasons.of(failure);
          // One type for one failure on every broker: an error reply is Redis refusing it;
          // anything else (no connection, lost, timed out) is BrokerUnavailableException.
          receipt.completeExceptionally(failure instanceof RedisCommandExecutionException
              ? new RealtimeException(text, failure)
              : new BrokerUnavailableException(text, failure));
        }
      };
      if (pubSub) {
        sendOnce.publish(key, frame).whenComplete(settle);
      } else {
        sendOnce.xadd(key, retention.addArgs(exactTrimming, clock), message)
            .whenComplete(settle);
        trimExtra(channel, key, retention);
      }
    } catch (RuntimeException e) {
      receipt.completeExceptionally(e);
    }
    return receipt;
  }

  /** Checks every message before sending any, as {@link Broker#publishAll} promises. */
  @Override
  public CompletionStage<List<PublishReceipt>> publishAll(List<Message> messages) {
    for (Message message : messages) {
      checkBulkLimit(message, pubSub ? StreamEntries.frame(message) : null);
    }
    return super.publishAll(messages);
  }

  /**
   * Refuses a message Redis would not take: in streams mode the payload is one bulk string of the
   * XADD, in pubsub mode the whole frame (the envelope and the payload) is. Redis answers a
   * longer one by closing the connection, failing every command in flight on it.
   */
  private void checkBulkLimit(Message message, byte @Nullable [] frame) {
    long envelope = frame == null ? 0 : frame.length - message.payloadSize();
    long room = Math.max(0, bulkLimit - envelope);
    if (message.payloadSize() > room) {
      throw new PayloadTooLargeException(message.id(), message.channel().name(),
          message.payloadSize(), maxPayloadBytes, room, "Redis proto-max-bulk-len ("
          + bulkLimitSource + ") of " + bulkLimit + " bytes" + (frame == null ? ""
          : ", less the Pub/Sub frame's " + envelope + " bytes of envelope,"));
    }
  }

  /** The MAXLEN of a channel with both limits, applied at most once a second. */
  private void trimExtra(Channel channel, String key, Retention retention) {
    XTrimArgs trim = retention.extraTrim(exactTrimming);
    if (trim == null) {
      return;
    }
    long now = System.nanoTime();
    Long last = lastExtraTrim.get(channel);
    if (last == null || now - last > TimeUnit.SECONDS.toNanos(1)) {
      lastExtraTrim.put(channel, now);
      commands.xtrim(key, trim);
    }
  }

  @Override
  protected Subscription open(SubscriptionSpec spec, Handling handling) {
    if (spec.start().kind() == StartPosition.Kind.POSITION) {
      StreamIds.of(spec.start().position()); // A foreign position fails here, clearly.
    }
    for (Channel channel : spec.channels()) {
      naming.backendName(channel);
      // A group subscription creates the stream with its group (XGROUP CREATE MKSTREAM: the
      // group must hold its place from now on), so the channel exists and is listed, as after
      // ensure(groups). A broadcast subscription creates nothing: a misspelt channel stays
      // unknown to list and describe, and appears once something is published to it.
      if (!pubSub && spec.isGroup()) {
        call(() -> registry.register(channel), "register channel " + channel);
      }
    }
    if (pubSub) {
      return subscriptions().open(new PubSubSubscription(this, subscriptions(), spec, handling),
          PubSubSubscription::start);
    }
    return subscriptions().open(new StreamSubscription(this, subscriptions(), spec, handling),
        StreamSubscription::start);
  }

  /** A new connection of a subscription's own, for blocking reads. */
  StatefulConnection<String, byte[]> connect() {
    try {
      return nodes.connectReader();
    } catch (RuntimeException e) {
      throw unavailable("open a connection", e);
    }
  }

  /** A Pub/Sub connection of a subscription's own, to one server or to {@code node}. */
  io.lettuce.core.pubsub.StatefulRedisPubSubConnection<String, byte[]> connectPubSub(
      @Nullable RedisURI node) {
    try {
      return node == null ? nodes.connectPubSub() : pubSubHome.connect(node);
    } catch (RuntimeException e) {
      throw unavailable("open a Pub/Sub connection", e);
    }
  }

  /** On a cluster in Pub/Sub mode, the node that carries it; else null. */
  @Nullable PubSubHome pubSubHome() {
    return pubSubHome;
  }

  @Override
  public List<Message> history(Channel channel, HistoryQuery query) {
    String key = naming.backendName(channel);
    StartPosition from = query.from();
    String start;
    switch (from.kind()) {
      case EARLIEST:
        start = "-";
        break;
      case POSITION:
        start = StreamIds.of(from.position());
        break;
      case TIMESTAMP:
        start = StreamIds.atTime(from.timestamp());
        break;
      default:
        return List.of(); // From "latest" on, nothing has been published yet.
    }
    List<StreamMessage<String, byte[]>> entries = await(commands.xrange(key,
        Range.create(start, "+"), Limit.from(query.limit())), "read history of " + key);
    List<Message> out = new ArrayList<>(entries.size());
    for (StreamMessage<String, byte[]> entry : entries) {
      out.add(StreamEntries.toMessage(channel, entry.getId(), entry.getBody(), 0));
    }
    return out;
  }

  @Override
  public ChannelAdmin admin() {
    return channelAdmin;
  }

  @Override
  public Health health() {
    try {
      String pong = commands.ping().get(Math.min(timeout.toMillis(), 5000),
          TimeUnit.MILLISECONDS);
      return Health.up(NAME, pong + " from Redis " + version + " at " + description
          + (pubSub ? " (pubsub mode)" : ""));
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return Health.down(NAME, "Redis at " + description + " did not answer PING: "
          + FailureReasons.of(e));
    }
  }

  /**
   * Stops every subscription's handlers from starting new work, drains them, hands back what
   * they did not finish and disconnects, all within {@code realtime.close-timeout}, also when
   * Redis cannot be reached: what is not acknowledged by then stays pending in its group, and
   * another member takes it after {@code realtime.redis.claim-idle-timeout}.
   */
  @Override
  public void close() {
    Deadline deadline = Deadline.after(closeTimeout);
    watch.close();
    try {
      subscriptions().closeAll(deadline);
    } finally {
      try {
        sendOnce.close(); // Publishes parked for a reconnect that will not come now.
        connection.close();
      } finally {
        try {
          // Closes every connection (a subscription's too, if its poll thread is still in a
          // step past the deadline); Lettuce's threads are ours and stop with the resources.
          nodes.shutdown(deadline.remainingAtMost(timeout));
        } finally {
          long left = deadline.remainingMillis();
          resources.shutdown(0, left, TimeUnit.MILLISECONDS).awaitUninterruptibly(left);
        }
      }
    }
  }

  /** Waits for a command's reply, at most the command timeout (plus a margin for Lettuce's). */
  <T> T await(CompletionStage<T> stage, String operation) {
    return await(stage, operation, timeout.plusSeconds(1));
  }

  /** Waits for a command's reply at most {@code bound}: a step of close, within its deadline. */
  <T> T await(CompletionStage<T> stage, String operation, Duration bound) {
    try {
      return stage.toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RedisCommandExecutionException) {
        throw new RealtimeException("Redis refused to " + operation + ": "
            + FailureReasons.of(e.getCause()), e.getCause());
      }
      throw unavailable(operation, e);
    } catch (InterruptedException | TimeoutException e) {
      throw unavailable(operation, e);
    }
  }

  /**
   * Runs a command and waits for its reply like {@link #await}, sending it again while the
   * connection fails (a reset while Redis comes back fails the command in flight), until the
   * command timeout has passed. For commands that may run twice: reads, and idempotent writes.
   */
  <T> T call(java.util.function.Supplier<? extends CompletionStage<T>> command,
      String operation) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return await(command.get(), operation);
      } catch (BrokerUnavailableException e) {
        if (System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
          throw e;
        }
        try {
          TimeUnit.MILLISECONDS.sleep(100); // A pause between attempts, not a synchronisation.
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  BrokerUnavailableException unavailable(String operation, Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return new BrokerUnavailableException("could not " + operation + " on Redis at "
        + description + " within " + timeout + ": " + FailureReasons.of(e), e);
  }

  /** Returns true while a connection is down, which the broker has reported once already. */
  boolean isDisconnected() {
    return watch.isDown();
  }

  ChannelNaming naming() {
    return naming;
  }

  ChannelRegistry registry() {
    return registry;
  }

  RedisClusterAsyncCommands<String, byte[]> commands() {
    return commands;
  }

  RedisNodes nodes() {
    return nodes;
  }

  boolean isPubSub() {
    return pubSub;
  }

  String prefix() {
    return prefix;
  }

  Duration timeout() {
    return timeout;
  }

  Duration claimIdleTimeout() {
    return claimIdleTimeout;
  }

  int pubSubBuffer() {
    return pubSubBuffer;
  }

  Duration publishTimeout() {
    return publishTimeout;
  }

  RealtimeMetrics metrics() {
    return metrics;
  }

  @Override
  public String toString() {
    return "RedisBroker{" + description + (pubSub ? ", pubsub" : "") + "}";
  }
}
