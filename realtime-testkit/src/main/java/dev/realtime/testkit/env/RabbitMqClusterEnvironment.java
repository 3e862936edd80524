package dev.realtime.testkit.env;

import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.process.RabbitMqCluster;
import java.util.Map;
import java.util.Optional;

/**
 * A three-node RabbitMQ cluster of the testkit's own ({@link RabbitMqCluster}), one per JVM,
 * started on first use: the adapter is given every node in {@code realtime.rabbitmq.addresses},
 * so its connections spread over the cluster and recover to another node. Its fault hooks take
 * the whole cluster down: {@link #restart()} kills every node and starts them again, cutting
 * connections kills them until restored. Killing one node is a cluster test's own business
 * ({@link #rabbitMqCluster()}).
 */
public final class RabbitMqClusterEnvironment extends WholeClusterFaults {
  private static final OnePerJvm<RabbitMqCluster> SHARED =
      new OnePerJvm<>("rabbitmq-cluster", RabbitMqCluster::start);

  private final RabbitMqCluster cluster;

  private RabbitMqClusterEnvironment(RabbitMqCluster cluster) {
    this.cluster = cluster;
  }

  static RabbitMqClusterEnvironment create() {
    return new RabbitMqClusterEnvironment(SHARED.get());
  }

  /** The cluster under this environment. */
  public RabbitMqCluster rabbitMqCluster() {
    return cluster;
  }

  @Override
  public String description() {
    return "rabbitmq (3-node cluster at " + cluster.addresses() + ")";
  }

  @Override
  public RealtimeConfig config() {
    return RealtimeConfig.of(Map.of("realtime.broker", "rabbitmq",
        "realtime.rabbitmq.uri", cluster.uri(),
        "realtime.rabbitmq.addresses", cluster.addresses()));
  }

  @Override
  public Optional<RealtimeConfig> unreachableConfig() {
    return Optional.of(RealtimeConfig.of(Map.of("realtime.broker", "rabbitmq",
        "realtime.rabbitmq.uri", "amqp://guest:guest@127.0.0.1:" + Ports.closedPort())));
  }

  @Override
  void killAll() {
    cluster.killAll();
  }

  @Override
  void startAll() {
    cluster.startAll();
  }
}
