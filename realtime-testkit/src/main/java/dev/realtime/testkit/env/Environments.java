package dev.realtime.testkit.env;

/**
 * The brokers the suite runs against. Each factory returns a new environment; close it when
 * done, which stops what it started (a fault proxy) and never the broker itself.
 */
public final class Environments {
  private Environments() {}

  /** The in-memory broker. Needs nothing installed and offers no fault hooks. */
  public static MemoryEnvironment memory() {
    return MemoryEnvironment.create();
  }

  /**
   * The machine's Redis, through a fault proxy. Needs a running Redis at {@code
   * REALTIME_TEST_REDIS_URI}, or at {@code redis://127.0.0.1:6379} when that is unset or blank;
   * {@code scripts/services} starts one. Cuts connections and simulates restarts.
   *
   * @throws IllegalArgumentException if {@code REALTIME_TEST_REDIS_URI} is not a {@code redis://}
   *     URI with a host
   * @throws IllegalStateException if Redis does not answer; the message says where it looked
   *     and how to start it
   */
  public static ProxiedEnvironment redis() {
    return ProxiedEnvironment.fromEnvironment(BrokerKind.REDIS, System.getenv());
  }

  /**
   * Kafka: the cluster at {@code REALTIME_TEST_KAFKA_BOOTSTRAP_SERVERS} when set, else the
   * testkit's embedded KRaft broker (one per JVM, started on first use, restartable). Needs the
   * optional {@code org.apache.kafka:kafka_2.13} dependency for the embedded broker.
   */
  public static KafkaEnvironment kafka() {
    return KafkaEnvironment.create(System.getenv());
  }

  /**
   * A three-node Kafka cluster of the testkit's own ({@link
   * dev.realtime.testkit.process.KafkaCluster}: child JVMs on loopback, one per JVM, started
   * on first use in about 20 seconds), with the adapter set to three replicas and two in sync.
   * Needs the optional {@code org.apache.kafka:kafka_2.13} dependency.
   */
  public static KafkaEnvironment kafkaCluster() {
    return KafkaEnvironment.cluster();
  }

  /**
   * A three-node RabbitMQ cluster of the testkit's own ({@link
   * dev.realtime.testkit.process.RabbitMqCluster}: nodes on loopback, one cluster per JVM,
   * started on first use in about 30 seconds), the adapter given every node's address. Needs
   * RabbitMQ installed, as {@code RabbitMqProcess} does.
   */
  public static RabbitMqClusterEnvironment rabbitmqCluster() {
    return RabbitMqClusterEnvironment.create();
  }

  /**
   * A Redis Cluster of the testkit's own ({@link dev.realtime.testkit.process.RedisCluster}: three
   * primaries and three replicas on loopback, one cluster per JVM, started on first use in a few
   * seconds), the adapter given every node as a seed. Needs {@code redis-server} and {@code
   * redis-cli} installed, as {@code RedisProcess} does.
   */
  public static RedisClusterEnvironment redisCluster() {
    return RedisClusterEnvironment.create();
  }

  /**
   * The machine's RabbitMQ, through a fault proxy. Needs a running RabbitMQ at {@code
   * REALTIME_TEST_RABBITMQ_URI}, or at {@code amqp://guest:guest@127.0.0.1:5672/} when that is
   * unset or blank; {@code scripts/services} starts one. Cuts connections and simulates
   * restarts.
   *
   * @throws IllegalArgumentException if {@code REALTIME_TEST_RABBITMQ_URI} is not an {@code
   *     amqp://} URI with a host
   * @throws IllegalStateException if RabbitMQ does not answer; the message says where it looked
   *     (password masked) and how to start it
   */
  public static ProxiedEnvironment rabbitmq() {
    return ProxiedEnvironment.fromEnvironment(BrokerKind.RABBITMQ, System.getenv());
  }
}
