package dev.realtime.benchmarks.harness;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.benchmarks.drivers.RawKafkaDriver;
import dev.realtime.benchmarks.drivers.RawRabbitDriver;
import dev.realtime.benchmarks.drivers.RawRedisPubSubDriver;
import dev.realtime.benchmarks.drivers.RawRedisStreamsDriver;
import dev.realtime.benchmarks.drivers.SdkDriver;
import dev.realtime.config.RealtimeConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The backends, pointed at the machine's brokers directly (not through the testkit's fault
 * proxy, which would add a hop): Redis and RabbitMQ where the tests find them
 * ({@code REALTIME_TEST_REDIS_URI}, {@code REALTIME_TEST_RABBITMQ_URI}, else loopback), Kafka at
 * {@code REALTIME_TEST_KAFKA_BOOTSTRAP_SERVERS}, else an embedded broker in a child JVM
 * ({@link KafkaProcess}).
 */
public final class Backends implements AutoCloseable {
  private final Map<String, String> environment;
  private @Nullable KafkaProcess kafka;

  public Backends(Map<String, String> environment) {
    this.environment = environment;
  }

  public Backend memory() {
    RealtimeConfig config = RealtimeConfig.of(Map.of("realtime.broker", "memory"));
    return new Backend("memory", "in-process", null, null, () -> new SdkDriver(config, null),
        false);
  }

  public Backend redisStreams() {
    String uri = redisUri();
    RealtimeConfig config = redisConfig(uri, "streams");
    return new Backend("redis streams", version(config),
        () -> new RawRedisStreamsDriver(uri, null, false),
        () -> new RawRedisStreamsDriver(uri, null, true), () -> new SdkDriver(config, null),
        false);
  }

  /** Redis streams read by a consumer group: XREADGROUP and XACK, the SDK's group path. */
  public Backend redisStreamsGroup() {
    String uri = redisUri();
    RealtimeConfig config = redisConfig(uri, "streams");
    return new Backend("redis streams group", version(config),
        () -> new RawRedisStreamsDriver(uri, "bench", false),
        () -> new RawRedisStreamsDriver(uri, "bench", true),
        () -> new SdkDriver(config, "bench"), true);
  }

  public Backend redisPubSub() {
    String uri = redisUri();
    RealtimeConfig config = redisConfig(uri, "pubsub");
    return new Backend("redis pub/sub", version(config),
        () -> new RawRedisPubSubDriver(uri, false), () -> new RawRedisPubSubDriver(uri, true),
        () -> new SdkDriver(config, null), false);
  }

  /** RabbitMQ's stream: the SDK's broadcast path. */
  public Backend rabbitStream() {
    String uri = rabbitUri();
    RealtimeConfig config = rabbitConfig(uri);
    return new Backend("rabbitmq stream", version(config),
        () -> new RawRabbitDriver(uri, RawRabbitDriver.QueueType.STREAM, false),
        () -> new RawRabbitDriver(uri, RawRabbitDriver.QueueType.STREAM, true),
        () -> new SdkDriver(config, null), false);
  }

  /**
   * RabbitMQ's quorum queue: the SDK's group path. Both sides publish through a topic exchange
   * to the channel's stream and the group's queue, and read the queue.
   */
  public Backend rabbitQuorum() {
    String uri = rabbitUri();
    RealtimeConfig config = rabbitConfig(uri);
    return new Backend("rabbitmq quorum", version(config),
        () -> new RawRabbitDriver(uri, RawRabbitDriver.QueueType.QUORUM, false),
        () -> new RawRabbitDriver(uri, RawRabbitDriver.QueueType.QUORUM, true),
        () -> new SdkDriver(config, "bench"), false);
  }

  private String redisUri() {
    return setting("REALTIME_TEST_REDIS_URI", "redis://127.0.0.1:6379");
  }

  private static RealtimeConfig redisConfig(String uri, String mode) {
    return RealtimeConfig.of(Map.of("realtime.broker", "redis", "realtime.redis.uri", uri,
        "realtime.redis.mode", mode));
  }

  private String rabbitUri() {
    return setting("REALTIME_TEST_RABBITMQ_URI", "amqp://guest:guest@127.0.0.1:5672/");
  }

  private static RealtimeConfig rabbitConfig(String uri) {
    return RealtimeConfig.of(Map.of("realtime.broker", "rabbitmq", "realtime.rabbitmq.uri",
        uri));
  }

  /**
   * Every backend by {@linkplain Backend#id() id}, in the order the report lists them; each
   * made only when asked for (making Kafka's starts the embedded broker).
   */
  public Map<String, Supplier<Backend>> all() {
    Map<String, Supplier<Backend>> all = new LinkedHashMap<>();
    all.put("memory", this::memory);
    all.put("kafka", this::kafka);
    all.put("kafka-group", this::kafkaGroup);
    all.put("redis-streams", this::redisStreams);
    all.put("redis-streams-group", this::redisStreamsGroup);
    all.put("redis-pubsub", this::redisPubSub);
    all.put("rabbitmq-quorum", this::rabbitQuorum);
    all.put("rabbitmq-stream", this::rabbitStream);
    return all;
  }

  public Backend kafka() {
    String bootstrap = kafkaBootstrapServers();
    RealtimeConfig config = kafkaConfig(bootstrap);
    return new Backend("kafka", version(config),
        () -> new RawKafkaDriver(bootstrap, false, RawKafkaDriver.Envelope.NONE),
        // The envelope in the wire format the SDK writes by default (compact).
        () -> new RawKafkaDriver(bootstrap, false, RawKafkaDriver.Envelope.COMPACT),
        () -> new SdkDriver(config, null),
        false);
  }

  /** Kafka read by a consumer group: subscribe and commit, the SDK's group path. */
  public Backend kafkaGroup() {
    String bootstrap = kafkaBootstrapServers();
    RealtimeConfig config = kafkaConfig(bootstrap);
    return new Backend("kafka group", version(config),
        () -> new RawKafkaDriver(bootstrap, true, RawKafkaDriver.Envelope.NONE),
        () -> new RawKafkaDriver(bootstrap, true, RawKafkaDriver.Envelope.COMPACT),
        () -> new SdkDriver(config, "bench"), true);
  }

  private static RealtimeConfig kafkaConfig(String bootstrap) {
    return RealtimeConfig.of(Map.of("realtime.broker", "kafka",
        "realtime.kafka.bootstrap-servers", bootstrap));
  }

  /** The Kafka broker's address: the one configured, else the child JVM's, started now. */
  public String kafkaBootstrapServers() {
    String servers = environment.get("REALTIME_TEST_KAFKA_BOOTSTRAP_SERVERS");
    if (servers != null && !servers.isBlank()) {
      return servers;
    }
    if (kafka == null) {
      kafka = KafkaProcess.start();
    }
    return kafka.bootstrapServers();
  }

  private String setting(String name, String fallback) {
    String value = environment.get(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  /** The broker's own account of itself, from the SDK's health check. */
  static String version(RealtimeConfig config) {
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
