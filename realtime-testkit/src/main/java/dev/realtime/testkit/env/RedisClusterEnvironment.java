package dev.realtime.testkit.env;

import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.ForeignWriter;
import dev.realtime.testkit.MemberDeath;
import dev.realtime.testkit.PublishRefusal;
import dev.realtime.testkit.process.RedisCluster;
import java.util.Map;
import java.util.Optional;

/**
 * A Redis Cluster of the testkit's own ({@link RedisCluster}: three primaries with a replica
 * each), one per JVM, started on first use: the adapter is given every node as a seed in {@code
 * realtime.redis.uri}. Its fault hooks take the whole cluster down: {@link #restart()} kills every
 * node and starts them again on their data, cutting connections kills them until restored.
 * Killing one node is a cluster test's own business ({@link #redisCluster()}). Case 34's foreign
 * entries and case 37's refusal are written on the primary of the key's slot; case 38's member
 * dies by its ACL user ({@link RedisAclMemberDeath}).
 */
public final class RedisClusterEnvironment extends WholeClusterFaults {
  private static final OnePerJvm<RedisCluster> SHARED =
      new OnePerJvm<>("redis-cluster", RedisCluster::start);

  private final RedisCluster cluster;

  private RedisClusterEnvironment(RedisCluster cluster) {
    this.cluster = cluster;
  }

  static RedisClusterEnvironment create() {
    return new RedisClusterEnvironment(SHARED.get());
  }

  /** The cluster under this environment. */
  public RedisCluster redisCluster() {
    return cluster;
  }

  @Override
  public String description() {
    return "redis (cluster of 3 primaries and 3 replicas at " + cluster.uri() + ")";
  }

  @Override
  public RealtimeConfig config() {
    return RealtimeConfig.of(Map.of("realtime.broker", "redis",
        "realtime.redis.uri", cluster.uri()));
  }

  @Override
  public Optional<RealtimeConfig> unreachableConfig() {
    return Optional.of(RealtimeConfig.of(Map.of("realtime.broker", "redis",
        "realtime.redis.uri", "redis://127.0.0.1:" + Ports.closedPort() + ",127.0.0.1:"
            + Ports.closedPort())));
  }

  @Override
  void killAll() {
    cluster.killAll();
  }

  @Override
  void startAll() {
    cluster.startAll();
  }

  @Override
  public Optional<ForeignWriter> foreignWriter() {
    return Optional.of(new RedisForeignWriter(config(), this::primaryOf));
  }

  /** A member whose ACL user is switched off: see {@link RedisAclMemberDeath}. */
  @Override
  public Optional<MemberDeath> memberDeath() {
    return Optional.of(RedisAclMemberDeath.start(cluster, config()));
  }

  @Override
  public Optional<PublishRefusal> publishRefusal() {
    return Optional.of(new RedisPublishRefusal(config(), this::primaryOf));
  }

  /** The primary serving {@code key} now, as a URI the testkit's RESP client takes. */
  private BrokerUri primaryOf(String key) {
    int id = cluster.primaryOf(key).orElseThrow(() -> new IllegalStateException(
        "no live primary serves " + key + " in " + cluster));
    return BrokerUri.parse(cluster.node(id).uri(), BrokerKind.REDIS, "(the cluster's node)");
  }
}
