package dev.realtime.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The Redis the broker talks to, one server (with Sentinel, Lettuce follows the primary) or a
 * Redis Cluster, and the connections to it: everything else in the adapter sees one kind of
 * connection ({@link StatefulConnection}) and one command set ({@link
 * RedisClusterAsyncCommands}, which Lettuce's standalone commands extend), so that the
 * difference between the two lives here and in the few places that must know it (a stream read
 * spans one slot on a cluster).
 *
 * <p><b>Two clients.</b> The shared connection (publishes, admin) has a client of its own, and
 * the subscriptions' connections another. On a cluster, the shared connection is a connection per
 * node that Lettuce reports one by one; {@link SendOnce} must tell a drop of one of them (its
 * publishes in flight may be lost) from a subscription's, which its own client makes plain.
 * A cluster has a third, for connections to one node that the adapter chose rather than the
 * cluster's routing: Pub/Sub's ({@link PubSubHome}).
 *
 * <p><b>Cluster topology</b> is refreshed by Lettuce periodically ({@link #TOPOLOGY_REFRESH})
 * and at once on the signs of a change (MOVED and ASK redirects, a node that does not reconnect):
 * both are off by default, and without them a failover leaves the client sending a failed
 * primary's slots to it until it is back.
 */
final class RedisNodes {
  /** How often the cluster's layout is read again when nothing signalled a change. */
  static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(5);

  private final boolean cluster;
  private final RedisURI seed;
  private final AbstractRedisClient shared;
  private final AbstractRedisClient readers;
  /** On a cluster, for connections to one node of the adapter's choosing ({@link PubSubHome}). */
  private final @Nullable RedisClient oneNode;

  private RedisNodes(boolean cluster, RedisURI seed, AbstractRedisClient shared,
      AbstractRedisClient readers, @Nullable RedisClient oneNode) {
    this.cluster = cluster;
    this.seed = seed;
    this.shared = shared;
    this.readers = readers;
    this.oneNode = oneNode;
  }

  /**
   * Clients for {@code uris}: a cluster when several seeds are given or the one server says it
   * runs in cluster mode ({@code cluster_enabled:1}), else one server (or Sentinel's primary).
   * Connects nothing yet but the probe.
   */
  static RedisNodes of(List<RedisURI> uris, ClientResources resources, Duration timeout) {
    boolean cluster = uris.size() > 1 || isClusterNode(uris.get(0), resources, timeout);
    RedisURI seed = uris.get(0);
    if (cluster) {
      return new RedisNodes(true, seed, clusterClient(uris, resources, timeout),
          clusterClient(uris, resources, timeout), client(null, resources, timeout));
    }
    return new RedisNodes(false, seed, client(seed, resources, timeout),
        client(seed, resources, timeout), null);
  }

  /**
   * Asks one server whether it is a cluster node. A server that cannot be asked (INFO refused by
   * an ACL, or no answer) is taken as standalone: connecting then reports what is wrong.
   */
  private static boolean isClusterNode(RedisURI uri, ClientResources resources,
      Duration timeout) {
    if (!uri.getSentinels().isEmpty()) {
      return false;
    }
    RedisClient probe = client(uri, resources, timeout);
    try (StatefulRedisConnection<String, byte[]> connection = probe.connect(RedisBroker.CODEC)) {
      String info = connection.sync().info("cluster");
      return info != null && info.lines().anyMatch(line -> line.trim()
          .equals("cluster_enabled:1"));
    } catch (RuntimeException e) {
      return false;
    } finally {
      probe.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** A client for one server; without {@code uri}, each connection names its node. */
  private static RedisClient client(@Nullable RedisURI uri, ClientResources resources,
      Duration timeout) {
    RedisClient client = uri == null ? RedisClient.create(resources)
        : RedisClient.create(resources, uri);
    client.setOptions(common(ClientOptions.builder(), timeout).build());
    return client;
  }

  private static RedisClusterClient clusterClient(List<RedisURI> uris,
      ClientResources resources, Duration timeout) {
    RedisClusterClient client = RedisClusterClient.create(resources, uris);
    ClusterClientOptions.Builder options = common(ClusterClientOptions.builder(), timeout);
    // A command for a node that is down fails at once instead of waiting for it to come back:
    // once its replica took over and Lettuce learnt of it, the command sent again goes there.
    // Waiting, it would be held until the dead node returned or the timeout.
    options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    options.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
        .enablePeriodicRefresh(TOPOLOGY_REFRESH)
        .enableAllAdaptiveRefreshTriggers()
        // Lettuce's default waits 30 s between two refreshes a change triggered: a failover
        // right after another change would go unnoticed that long.
        .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
        .build());
    client.setOptions(options.build());
    return client;
  }

  /**
   * What both clients set: reconnecting (subscriptions resume where they were), RESP2 (see
   * RedisBroker), the connect timeout with keep-alive, and the command timeouts.
   */
  private static <B extends ClientOptions.Builder> B common(B builder, Duration timeout) {
    builder.autoReconnect(true);
    builder.protocolVersion(ProtocolVersion.RESP2);
    builder.socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true)
        .build());
    builder.timeoutOptions(TimeoutOptions.builder().timeoutSource(new CommandTimeouts(timeout))
        .build());
    return builder;
  }

  /** Returns true for a Redis Cluster. */
  boolean isCluster() {
    return cluster;
  }

  /** The shared connection: publishes and every command but the subscriptions'. */
  StatefulConnection<String, byte[]> connectShared() {
    return connect(shared);
  }

  /** A connection for a subscription's blocking reads. */
  StatefulConnection<String, byte[]> connectReader() {
    return connect(readers);
  }

  /** A Pub/Sub connection for a subscription to the one server (a cluster's: {@link PubSubHome}). */
  StatefulRedisPubSubConnection<String, byte[]> connectPubSub() {
    return ((RedisClient) readers).connectPubSub(RedisBroker.CODEC);
  }

  /**
   * On a cluster, the node that carries all of the adapter's Pub/Sub, found through {@code
   * shared} (made by {@link #connectShared}); null on one server, which is its own home.
   */
  @Nullable PubSubHome pubSubHome(String prefix, StatefulConnection<String, byte[]> shared) {
    return oneNode == null ? null : new PubSubHome(prefix,
        (StatefulRedisClusterConnection<String, byte[]>) shared, seed, oneNode);
  }

  private static StatefulConnection<String, byte[]> connect(AbstractRedisClient client) {
    return client instanceof RedisClusterClient clusterClient
        ? clusterClient.connect(RedisBroker.CODEC)
        : ((RedisClient) client).connect(RedisBroker.CODEC);
  }

  /** The commands of a connection this made, whichever kind it is. */
  static RedisClusterAsyncCommands<String, byte[]> commands(
      StatefulConnection<String, byte[]> connection) {
    return connection instanceof StatefulRedisClusterConnection<String, byte[]> clustered
        ? clustered.async() : ((StatefulRedisConnection<String, byte[]>) connection).async();
  }

  /**
   * The hash slot of {@code key} on a cluster, which decides which streams one XREAD may span;
   * 0 for every key of a single server, where any may go together.
   */
  int slotOf(String key) {
    return cluster ? SlotHash.getSlot(key) : 0;
  }

  /** Listens to the shared connection's drops and reconnects (on a cluster, each node's). */
  void listenToShared(RedisConnectionStateListener listener) {
    shared.addListener(listener);
  }

  /** Listens to every connection's drops and reconnects. */
  void listenToAll(RedisConnectionStateListener listener) {
    shared.addListener(listener);
    readers.addListener(listener);
    if (oneNode != null) {
      oneNode.addListener(listener);
    }
  }

  /** Closes every connection within {@code timeout}. */
  void shutdown(Duration timeout) {
    try {
      if (oneNode != null) {
        oneNode.shutdown(Duration.ZERO, timeout);
      }
      readers.shutdown(Duration.ZERO, timeout);
    } finally {
      shared.shutdown(Duration.ZERO, timeout);
    }
  }
}
