package dev.realtime.redis;

import dev.realtime.BrokerUnavailableException;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelPattern;
import dev.realtime.internal.FailureReasons;
import dev.realtime.spi.Handling;
import dev.realtime.spi.Outcome;
import dev.realtime.spi.PollingSubscription;
import dev.realtime.spi.Subscriptions;
import dev.realtime.subscription.SubscriptionSpec;
import io.lettuce.core.RedisURI;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscription in Pub/Sub mode: SUBSCRIBE for channels, PSUBSCRIBE for patterns, on a
 * connection of its own (Lettuce subscribes again after a reconnect; what was published while
 * the connection was down is gone, as Pub/Sub is). On a cluster the connection goes to the node
 * that carries Pub/Sub ({@link PubSubHome}), and moves when a failover changes it.
 *
 * <p><b>Flow control.</b> Redis pushes; it cannot be paused. Messages wait in a bounded queue of
 * {@code realtime.redis.pubsub-buffer} until the dispatcher has room. When the queue is full, new
 * messages are dropped and counted in the log: the alternative, blocking Lettuce's I/O thread,
 * would stall every connection on that thread, publishing included, and Redis would disconnect
 * the client at its own output-buffer limit anyway.
 */
final class PubSubSubscription extends PollingSubscription<Void> {
  private static final Logger log = LoggerFactory.getLogger(PubSubSubscription.class);
  private static final long DROP_LOG_INTERVAL = TimeUnit.SECONDS.toNanos(10);

  private final RedisBroker broker;
  /** On a cluster, where the connection goes: {@link PubSubHome}. Null on one server. */
  private final @Nullable PubSubHome home;
  private final RedisPubSubAdapter<String, byte[]> listener = new RedisPubSubAdapter<>() {
    @Override
    public void message(String key, byte[] value) {
      receive(key, value);
    }

    @Override
    public void message(String pattern, String key, byte[] value) {
      if (!literalKeys.contains(key) && isFirstMatch(pattern, key)) {
        receive(key, value);
      }
    }
  };
  /**
   * Guards {@link #connection}, {@link #node} and {@link #disconnected}: the poll thread moves
   * the connection to another node while close may be closing it.
   */
  private final Object lock = new Object();
  private StatefulRedisPubSubConnection<String, byte[]> connection;
  /** The node {@link #connection} goes to on a cluster; null on one server. */
  private @Nullable RedisURI node;
  private boolean disconnected;
  private final Set<String> literalKeys = new HashSet<>();
  /** Each pattern's glob, in the spec's order; see {@link #isFirstMatch}. */
  private final Map<ChannelPattern, String> globs = new LinkedHashMap<>();
  private final AtomicLong dropped = new AtomicLong();
  private volatile long lastDropLog;

  /** Pub/Sub acknowledges nothing: the handle is {@code Void}, always null. */
  PubSubSubscription(RedisBroker broker, Subscriptions<?> owner, SubscriptionSpec spec,
      Handling handling) {
    super(owner, spec, handling, "pubsub");
    this.broker = broker;
    this.home = broker.pubSubHome();
    this.node = home == null ? null : home.now();
    if (home != null && node == null) {
      throw new BrokerUnavailableException("no primary of the Redis cluster serves "
          + "slot " + home.slot() + " now, which carries Pub/Sub (the slot of "
          + "realtime.redis.key-prefix); subscribe again once the cluster has one");
    }
    this.connection = broker.connectPubSub(node);
    for (ChannelPattern pattern : spec.patterns()) {
      globs.put(pattern, glob(broker.prefix(), pattern));
    }
  }

  /** Subscribes (confirmed by Redis before this returns), then starts handing messages over. */
  void start() {
    for (Channel channel : spec().channels()) {
      literalKeys.add(broker.naming().backendName(channel));
    }
    subscribe(connection);
    startPolling();
  }

  /** Listens and subscribes on {@code target}, waiting for Redis to confirm. */
  private void subscribe(StatefulRedisPubSubConnection<String, byte[]> target) {
    target.addListener(listener);
    if (!literalKeys.isEmpty()) {
      broker.call(() -> target.async().subscribe(literalKeys.toArray(new String[0])),
          "subscribe to " + literalKeys);
    }
    if (!globs.isEmpty()) {
      String[] distinct = new LinkedHashSet<>(globs.values()).toArray(new String[0]);
      broker.call(() -> target.async().psubscribe(distinct), "subscribe to " + globs.values());
    }
  }

  /**
   * On a cluster, once per poll round: moves the subscription to the node that carries Pub/Sub
   * now, when a failover made another node the home's primary. The old connection is closed
   * before the new one subscribes: the old node, if it still runs, still gets each message over
   * the cluster bus, and a message received on both would be handled twice. Should the move
   * fail, the next round tries again.
   */
  private void follow() {
    RedisURI now = home == null ? null : home.now();
    if (now == null || PubSubHome.same(now, node)) {
      return;
    }
    StatefulRedisPubSubConnection<String, byte[]> moved = null;
    try {
      moved = broker.connectPubSub(now);
      StatefulRedisPubSubConnection<String, byte[]> old;
      synchronized (lock) {
        if (disconnected) {
          moved.close();
          return;
        }
        old = connection;
        connection = moved;
        node = now;
      }
      old.close();
      subscribe(moved);
      log.info("{}: Pub/Sub moved to {}, the primary of slot {} now", this,
          PubSubHome.address(now), home.slot());
    } catch (RuntimeException e) {
      if (!isActive()) {
        return; // Closed meanwhile, which closed the connection.
      }
      log.warn("{}: could not move Pub/Sub to {}, the primary of slot {} now ({}); trying "
          + "again", this, PubSubHome.address(now), home.slot(), FailureReasons.of(e));
      synchronized (lock) {
        if (moved != null && connection == moved) {
          node = null; // Subscribed on no node: the next round makes a new connection.
        }
      }
    }
  }

  /**
   * A Redis glob that matches at least what {@code pattern} matches; {@link
   * SubscriptionSpec#includes} narrows it on arrival. {@code *} (one segment) stays {@code *},
   * which crosses dots. {@code #} (any number of segments, none included) takes its dots with
   * it, so that {@code user.#} (glob {@code user*}) also matches {@code user}, and {@code a.#.b}
   * (glob {@code a*b}) matches {@code a.b}. The prefix is escaped.
   */
  static String glob(String prefix, ChannelPattern pattern) {
    StringBuilder glob = new StringBuilder();
    String head = prefix.isEmpty() ? "" : prefix + ":";
    for (char c : head.toCharArray()) {
      if ("*?[]\\^".indexOf(c) >= 0) {
        glob.append('\\');
      }
      glob.append(c);
    }
    String body = pattern.pattern().replace(".#.", "*").replace(".#", "*").replace("#.", "*")
        .replace("#", "*");
    return glob.append(body).toString();
  }

  /**
   * Whether {@code glob} is the glob of the first of the spec's patterns that matches the
   * channel: Redis sends one pmessage per matching glob, and only that one is taken, so
   * overlapping patterns deliver a message once.
   */
  private boolean isFirstMatch(String glob, String key) {
    Optional<Channel> channel = broker.naming().channelOf(key);
    if (channel.isEmpty()) {
      return false;
    }
    for (Map.Entry<ChannelPattern, String> pattern : globs.entrySet()) {
      if (pattern.getKey().matches(channel.get())) {
        return pattern.getValue().equals(glob);
      }
    }
    return false;
  }

  /** On Lettuce's I/O thread: never blocks. */
  private void receive(String key, byte[] value) {
    Optional<Channel> channel = broker.naming().channelOf(key);
    if (!isActive() || channel.isEmpty() || !spec().includes(channel.get())) {
      return;
    }
    if (push(StreamEntries.unframe(channel.get(), value), null, broker.pubSubBuffer())) {
      return;
    }
    long count = dropped.incrementAndGet();
    long now = System.nanoTime();
    if (now - lastDropLog > DROP_LOG_INTERVAL) {
      lastDropLog = now;
      log.warn("{}: {} messages dropped so far, because {} were waiting for busy handlers "
          + "(realtime.redis.pubsub-buffer)", this, count, broker.pubSubBuffer());
    }
  }

  @Override
  protected void poll() {
    pump(this::follow);
  }

  /** A released message is handled again while the subscription runs; nothing is acked. */
  @Override
  protected void settle(Void none, Message message, Outcome outcome) {
    if (!outcome.isSettled() && isTaking()) {
      again(message, none);
    }
  }

  @Override
  protected Duration pollThreadBound(Duration drainTimeout) {
    return spec().pollTimeout().plusSeconds(1);
  }

  /** Unsubscribes by closing the connection; what is still queued is dropped, as Pub/Sub is. */
  @Override
  protected void closed() {
    synchronized (lock) {
      disconnected = true;
      connection.close();
    }
    clearInbox();
  }

  @Override
  public String toString() {
    return "RedisPubSubSubscription{" + spec() + "}";
  }
}
