package dev.realtime.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.jspecify.annotations.Nullable;

/**
 * On a Redis Cluster in Pub/Sub mode, the one node that carries every PUBLISH and every
 * subscription of the adapter: the primary serving the hash slot of the key prefix.
 *
 * <p><b>Why one node.</b> A cluster node answers PUBLISH once it has delivered the message to its
 * own subscribers, and forwards it to the other nodes over the cluster bus afterwards. With
 * publishes on one node and a subscription on another, a subscriber that subscribed after a
 * publish was confirmed could still receive that message (the conformance suite's late
 * subscriber, case 07, failed so in two runs out of four), and two publishers on two nodes
 * would reach two subscribers in two orders. On one node, Pub/Sub means on a cluster what it means on one server.
 * Sharded Pub/Sub (SPUBLISH, Redis 7) would spread channels over the primaries, but PSUBSCRIBE
 * never sees a sharded message, and patterns are how the adapter subscribes to {@code user.*}.
 * The price: one node carries all of the adapter's Pub/Sub traffic, where classic cluster Pub/Sub
 * carried every message to every node anyway. Two applications with different key prefixes land
 * on different nodes, most likely.
 *
 * <p><b>Failover.</b> The home is the slot's primary as the shared connection knows the cluster
 * now (Lettuce refreshes its view, {@link RedisNodes#TOPOLOGY_REFRESH}): publishes go to the new
 * primary as soon as Lettuce learnt of it, and each subscription moves there at its next poll
 * round ({@link PubSubSubscription}). What was published in between is lost, as Pub/Sub loses
 * what is published during any outage.
 */
final class PubSubHome {
  private final int slot;
  private final StatefulRedisClusterConnection<String, byte[]> shared;
  /** A seed: the credentials, TLS and timeouts of every connection to a node. */
  private final RedisURI seed;
  /** Makes the subscriptions' connections, each to one node, of the home's own choosing. */
  private final RedisClient client;
  private volatile @Nullable RedisURI last;

  PubSubHome(String prefix, StatefulRedisClusterConnection<String, byte[]> shared,
      RedisURI seed, RedisClient client) {
    this.slot = SlotHash.getSlot(prefix);
    this.shared = shared;
    this.seed = seed;
    this.client = client;
  }

  /** The slot whose primary is home: the key prefix's. */
  int slot() {
    return slot;
  }

  /**
   * The primary serving the slot now, or null while none does (a failover under way). Asked
   * once per poll round of each subscription: the last answer is kept, and made anew only when
   * the primary changed.
   */
  @Nullable RedisURI now() {
    RedisClusterNode primary = shared.getPartitions().getMasterBySlot(slot);
    if (primary == null || primary.getUri() == null) {
      return null;
    }
    RedisURI known = last;
    if (same(known, primary.getUri())) {
      return known;
    }
    RedisURI node = RedisURI.builder(seed).withHost(primary.getUri().getHost())
        .withPort(primary.getUri().getPort()).build();
    last = node;
    return node;
  }

  /** A Pub/Sub connection to {@code node} alone; Lettuce reconnects it to that node only. */
  StatefulRedisPubSubConnection<String, byte[]> connect(RedisURI node) {
    return client.connectPubSub(RedisBroker.CODEC, node);
  }

  /** Whether {@code a} and {@code b} are the same node. */
  static boolean same(@Nullable RedisURI a, @Nullable RedisURI b) {
    return a != null && b != null && a.getHost().equals(b.getHost())
        && a.getPort() == b.getPort();
  }

  /** {@code host:port}, for messages. */
  static String address(RedisURI node) {
    return node.getHost() + ":" + node.getPort();
  }
}
