package dev.realtime.benchmarks.harness;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.benchmarks.drivers.RawKafkaDriver;
import dev.realtime.benchmarks.drivers.RawRabbitDriver;
import dev.realtime.benchmarks.drivers.RawRedisPubSubDriver;
import dev.realtime.benchmarks.drivers.RawRedisStreamsDriver;
import dev.realtime.benchmarks.drivers.SdkDriver;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.kafka.EmbeddedKafka;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The backends, pointed at the machine's brokers directly (not through the testkit's fault
 * proxy, which would add a hop): Redis and RabbitMQ where the tests find them
 * ({@code REALTIME_TEST_REDIS_URI}, {@code REALTIME_TEST_RABBITMQ_URI}, else loopback), Kafka at
 * {@code REALTIME_TEST_KAFKA_BOOTSTRAP_SERVERS}, else an embedded broker in this JVM.
 */
public final class Backends implements AutoCloseable {
  private final Map<String, String> environment;
  private @Nullable EmbeddedKafka kafka;

  public Backends(Map<String, String> environment) {
    this.environment = environment;
  }

  public Backend memory() {
    RealtimeConfig config = RealtimeConfig.of(Map.of("realtime.broker", "memory"));
    return new Backend("memory", "in-process", null, () -> new SdkDriver(config, null));
  }

  public Backend redisStreams() {
    String uri = setting("REALTIME_TEST_REDIS_URI", "redis://127.0.0.1:6379");
    RealtimeConfig config = RealtimeConfig.of(Map.of("realtime.broker", "redis",
        "realtime.redis.uri", uri));
    return new Backend("redis streams", version(config),
        () -> new RawRedisStreamsDriver(uri), () -> new SdkDriver(config, null));
  }

  public Backend redisPubSub() {
    String uri = setting("REALTIME_TEST_REDIS_URI", "redis://127.0.0.1:6379");
    RealtimeConfig config = RealtimeConfig.of(Map.of("realtime.broker", "redis",
        "realtime.redis.uri", uri, "realtime.redis.mode", "pubsub"));
    return new Backend("redis pub/sub", version(config),
        () -> new RawRedisPubSubDriver(uri), () -> new SdkDriver(config, null));
  }

  /** RabbitMQ's stream: the SDK's broadcast path. */
  public Backend rabbitStream() {
    String uri = rabbitUri();
    RealtimeConfig config = rabbitConfig(uri);
    return new Backend("rabbitmq stream", version(config),
        () -> new RawRabbitDriver(uri, RawRabbitDriver.QueueType.STREAM),
        () -> new SdkDriver(config, null));
  }

  /** RabbitMQ's quorum queue: the SDK's group path. */
  public Backend rabbitQuorum() {
    String uri = rabbitUri();
    RealtimeConfig config = rabbitConfig(uri);
    return new Backend("rabbitmq quorum", version(config),
        () -> new RawRabbitDriver(uri, RawRabbitDriver.QueueType.QUORUM),
        () -> new SdkDriver(config, "bench"));
  }

  private String rabbitUri() {
    return setting("REALTIME_TEST_RABBITMQ_URI", "amqp://guest:guest@127.0.0.1:5672/");
  }

  private static RealtimeConfig rabbitConfig(String uri) {
    return RealtimeConfig.of(Map.of("realtime.broker", "rabbitmq", "realtime.rabbitmq.uri",
        uri));
  }

  /** Every backend, in the order the report lists them. */
  public java.util.List<java.util.function.Supplier<Backend>> all() {
    return java.util.List.of(this::memory, this::kafka, this::redisStreams, this::redisPubSub,
        this::rabbitQuorum, this::rabbitStream);
  }

  public Backend kafka() {
    String servers = environment.get("REALTIME_TEST_KAFKA_BOOTSTRAP_SERVERS");
    if (servers == null || servers.isBlank()) {
      if (kafka == null) {
        kafka = EmbeddedKafka.start();
      }
      servers = kafka.bootstrapServers();
    }
    String bootstrap = servers;
    RealtimeConfig config = RealtimeConfig.of(Map.of("realtime.broker", "kafka",
        "realtime.kafka.bootstrap-servers", bootstrap));
    return new Backend("kafka", version(config), () -> new RawKafkaDriver(bootstrap),
        () -> new SdkDriver(config, null));
  }

  private String setting(String name, String fallback) {
    String value = environment.get(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  /** The broker's own account of itself, from the SDK's health check. */
  private static String version(RealtimeConfig config) {
    try (Broker broker = Brokers.open(config)) {
      return broker.health().detail();
    }
  }

  /** Stops the embedded Kafka broker, if one was started. */
  @Override
  public void close() {
    if (kafka != null) {
      kafka.close();
    }
  }
}
