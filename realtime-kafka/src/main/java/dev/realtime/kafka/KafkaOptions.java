package dev.realtime.kafka;

import dev.realtime.config.ConfigOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The settings of the Kafka adapter, declared once; docs/kafka.md lists them. */
final class KafkaOptions {
  static final ConfigOption<String> BOOTSTRAP_SERVERS = ConfigOption.string(
      "realtime.kafka.bootstrap-servers", "localhost:9092",
      "Kafka brokers to connect to, host:port[,host:port...].")
      .withEnvironmentAlias("KAFKA_BROKERS");

  static final ConfigOption<String> TOPIC_PREFIX = ConfigOption.string(
      "realtime.kafka.topic-prefix", "realtime",
      "Prefix of the topic names: with prefix realtime, channel user.1 is topic realtime_user_1.")
      .check(KafkaTopicNaming::of) // Kafka's rules for topic names, told as a setting's.
      .withEnvironmentAlias("KAFKA_TOPIC_PREFIX");

  static final ConfigOption<Integer> PARTITIONS = ConfigOption.integer(
      "realtime.kafka.partitions", 1,
      "Partitions of a topic the adapter creates on first use (ChannelAdmin.ensure sets more).")
      .range(1, null);

  /**
   * Unset by default, not 3: a default of 3 would fail every topic on a one-broker cluster, and
   * the broker's own default.replication.factor is what its operator chose for it.
   */
  static final ConfigOption<Integer> REPLICATION_FACTOR = ConfigOption.integer(
      "realtime.kafka.replication-factor", null,
      "Replicas of each partition of a topic the adapter creates (on first use, or by "
          + "ChannelAdmin.ensure without replicationFactor): 3 on a cluster of three or more "
          + "brokers. Unset: the broker's default.replication.factor.")
      .range(1, (int) Short.MAX_VALUE);

  static final ConfigOption<Integer> MIN_INSYNC_REPLICAS = ConfigOption.integer(
      "realtime.kafka.min-insync-replicas", null,
      "min.insync.replicas of each topic the adapter creates: a publish is confirmed once this "
          + "many replicas have it (the producer sends with acks=all), and refused while fewer "
          + "are in sync. 2 with a replication factor of 3. Unset: the broker's "
          + "min.insync.replicas.")
      .range(1, null);

  /** One name for one idea across adapters: realtime.redis.timeout, realtime.rabbitmq.timeout. */
  static final ConfigOption<Duration> TIMEOUT = ConfigOption.duration(
      "realtime.kafka.timeout", Duration.ofSeconds(10),
      "How long opening the broker, admin calls and history reads wait for Kafka to answer.")
      .range(Duration.ofMillis(1), null)
      .withFormerName("realtime.kafka.connect-timeout");

  static final ConfigOption<Duration> SESSION_TIMEOUT = ConfigOption.duration(
      "realtime.kafka.session-timeout", Duration.ofSeconds(10),
      "How long a group member that stopped without leaving (killed, frozen, cut off) keeps its "
          + "partitions before the others take them over: session.timeout.ms of the classic "
          + "group protocol (the broker allows 6s-30m by default).");

  static final ConfigOption<String> WIRE_FORMAT = ConfigOption.choice(
      "realtime.kafka.wire-format", "compact",
      "How records carry a message's id, event, time and content type: compact (one binary "
          + "header) or cloudevents (CloudEvents Kafka binary mode, six text headers, for "
          + "CloudEvents readers). Subscribers read both, whatever this says.",
      "compact", "cloudevents");

  static final ConfigOption<Map<String, String>> PRODUCER = ConfigOption.prefix(
      "realtime.kafka.producer.",
      "Passed to the KafkaProducer unchanged, e.g. realtime.kafka.producer.linger.ms=5.");

  static final ConfigOption<Map<String, String>> CONSUMER = ConfigOption.prefix(
      "realtime.kafka.consumer.",
      "Passed to every KafkaConsumer unchanged, e.g. realtime.kafka.consumer.fetch.min.bytes.");

  static final ConfigOption<Map<String, String>> ADMIN = ConfigOption.prefix(
      "realtime.kafka.admin.", "Passed to the Admin client unchanged.");

  static final ConfigOption<Map<String, String>> COMMON = ConfigOption.prefix(
      "realtime.kafka.client.", "Passed to the producer, consumers and admin client alike: "
          + "security.protocol, sasl.*, ssl.* (secrets masked).");

  static final List<ConfigOption<?>> ALL = List.of(BOOTSTRAP_SERVERS, TOPIC_PREFIX, PARTITIONS,
      REPLICATION_FACTOR, MIN_INSYNC_REPLICAS, TIMEOUT, SESSION_TIMEOUT, WIRE_FORMAT, PRODUCER,
      CONSUMER, ADMIN, COMMON);

  private KafkaOptions() {}
}
