package dev.realtime.kafka;

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
import dev.realtime.internal.FailureReasons;
import dev.realtime.internal.UriCredentials;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.spi.AdapterBroker;
import dev.realtime.spi.BrokerContext;
import dev.realtime.spi.Deadline;
import dev.realtime.spi.Handling;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka adapter's broker.
 *
 * <p><b>Publishing.</b> One idempotent producer with {@code acks=all} for the whole broker; a
 * publish completes when Kafka acknowledged the record, or fails with Kafka's reason. Topics are
 * created on first use with {@code realtime.kafka.partitions} partitions, so that a subscriber
 * from "latest" never waits on a topic that does not exist yet.
 *
 * <p><b>Subscribing.</b> A broadcast subscription reads with manual assignment and no group:
 * every subscriber, on every server, reads every partition, and nothing is committed. A group
 * subscription uses the group's name as {@code group.id}; see {@link KafkaSubscription} for
 * commits that never pass an unfinished record.
 *
 * <p><b>Configuration.</b> {@code realtime.kafka.client.*} goes to every client, then {@code
 * producer.*}, {@code consumer.*}, {@code admin.*} to theirs, unchanged, after the adapter's
 * own settings: a user can override anything, including acks and security.
 */
final class KafkaBroker extends AdapterBroker<KafkaSubscription> {
  static final String NAME = "kafka";

  private final String servers;
  private final ChannelNaming naming;
  private final int partitions;
  /** realtime.kafka.replication-factor and min-insync-replicas: null leaves it to the broker. */
  private final Integer replicationFactor;
  private final Integer minInsyncReplicas;
  private final Duration timeout;
  private final Duration sessionTimeout;
  private final KafkaRecords.WireFormat wireFormat;
  private final RealtimeMetrics metrics;
  private final Duration publishTimeout;
  private final Duration closeTimeout;
  private final Map<String, Object> common = new HashMap<>();
  private final Map<String, String> consumerOverrides;
  private final Admin admin;
  private final KafkaProducer<byte[], byte[]> producer;
  /**
   * Channels whose topic exists, with its name: a publish looks its topic up here instead of
   * deriving the name again (escaping the channel name showed in the publishing profile).
   */
  private final Map<Channel, String> knownTopics = new ConcurrentHashMap<>();
  private final KafkaAdmin channelAdmin;
  private final KafkaLimits limits;

  KafkaBroker(BrokerContext context) {
    super(context, NAME, KafkaBrokerProvider.CAPABILITIES);
    RealtimeConfig config = context.config();
    RealtimeMetrics metrics = context.metrics();
    this.servers = KafkaSettings.bootstrapServers(config);
    this.naming = KafkaTopicNaming.of(config.get(KafkaOptions.TOPIC_PREFIX));
    this.partitions = config.get(KafkaOptions.PARTITIONS);
    this.replicationFactor = config.get(KafkaOptions.REPLICATION_FACTOR);
    this.minInsyncReplicas = KafkaSettings.minInsyncReplicas(config);
    this.timeout = config.get(KafkaOptions.TIMEOUT);
    this.sessionTimeout = config.get(KafkaOptions.SESSION_TIMEOUT);
    this.wireFormat = KafkaSettings.wireFormat(config);
    this.publishTimeout = config.get(dev.realtime.config.RealtimeOptions.PUBLISH_TIMEOUT);
    this.closeTimeout = config.get(dev.realtime.config.RealtimeOptions.CLOSE_TIMEOUT);
    this.metrics = metrics;
    common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    common.putAll(config.get(KafkaOptions.COMMON));
    this.consumerOverrides = config.get(KafkaOptions.CONSUMER);

    Map<String, Object> adminProps = new HashMap<>(common);
    adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    adminProps.putAll(config.get(KafkaOptions.ADMIN));
    this.admin = Admin.create(adminProps);
    try {
      admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      admin.close(Duration.ZERO);
      throw new BrokerUnavailableException("Kafka at " + UriCredentials.mask(servers)
          + " did not answer within " + timeout + " (" + FailureReasons.of(e) + "): it is unreachable,"
          + " or speaks another protocol than the client." + KafkaDiagnosis.protocolMismatch(
              servers, common) + " Check realtime.kafka.bootstrap-servers (or KAFKA_BROKERS), "
          + "realtime.kafka.client.security.protocol and that the brokers run.", e);
    }

    Map<String, Object> producerProps = new HashMap<>(common);
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    // 64 KiB, not Kafka's 16 KiB: a message carries its CloudEvents headers (about 190 bytes
    // for a 100-byte payload), so a 16 KiB batch held ~50 of them, and with five requests in
    // flight the producer queued records for 12 ms and capped end-to-end throughput at a third
    // of what the same settings with 64 KiB give (benchmarks: 34k -> 85k msg/s). linger.ms
    // still sends a batch after 1 ms however empty; a full one just holds more.
    producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
    producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
    int delivery = (int) Math.max(publishTimeout.toMillis(), 2 * timeout.toMillis());
    producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, delivery);
    producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
        (int) Math.min(timeout.toMillis(), delivery - 1));
    producerProps.putAll(config.get(KafkaOptions.PRODUCER));
    try {
      this.producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
          new ByteArraySerializer());
    } catch (RuntimeException e) {
      admin.close(Duration.ZERO);
      throw new dev.realtime.config.ConfigurationException("the Kafka producer could not be "
          + "created from realtime.kafka.producer.* / client.*: " + FailureReasons.of(e), e);
    }
    this.channelAdmin = new KafkaAdmin(this);
    // Parsed by hand: the producer, created above, already refused a value that does not parse.
    this.limits = new KafkaLimits(config.get(dev.realtime.config.RealtimeOptions.MAX_PAYLOAD_BYTES),
        Long.parseLong(String.valueOf(producerProps.getOrDefault(
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1024 * 1024)).trim()),
        !"none".equalsIgnoreCase(String.valueOf(producerProps.getOrDefault(
            ProducerConfig.COMPRESSION_TYPE_CONFIG, "none")).trim()));
  }

  @Override
  public CompletionStage<PublishReceipt> publish(Message message) {
    CompletableFuture<PublishReceipt> receipt = new CompletableFuture<>();
    String topic;
    try {
      topic = ensureTopic(message.channel());
    } catch (RuntimeException e) {
      receipt.completeExceptionally(e);
      return receipt;
    }
    ProducerRecord<byte[], byte[]> record = KafkaRecords.toRecord(topic, message, wireFormat);
    try {
      limits.check(message, record); // Thrown, as realtime.max-payload-bytes is: nothing sent.
    } catch (PayloadTooLargeException refused) {
      if (!limits.relearnIfStale(admin, topic, timeout.toMillis())) {
        throw refused;
      }
      limits.check(message, record); // Under the topic's limit as it is now.
    }
    try {
      producer.send(record, (metadata, failure) -> {
        if (failure != null) {
          String text = "Kafka did not accept message " + message.id() + " on " + topic + ": "
              + explainPublish(failure);
          // One type for one failure on every broker: unreachable or timed out is
          // BrokerUnavailableException (retrying may help), a refusal a RealtimeException.
          receipt.completeExceptionally(isUnavailable(failure)
              ? new BrokerUnavailableException(text, failure)
              : new RealtimeException(text, failure));
        } else {
          receipt.complete(new PublishReceipt(message.id(), message.channel(),
              KafkaRecords.position(metadata.partition(), metadata.offset())));
        }
      });
    } catch (RuntimeException e) {
      receipt.completeExceptionally(e);
    }
    return receipt;
  }

  @Override
  protected Subscription open(SubscriptionSpec spec, Handling handling) {
    if (spec.start().kind() == StartPosition.Kind.POSITION) {
      KafkaRecords.offsets(spec.start().position()); // A foreign position fails here, clearly.
    }
    for (Channel channel : spec.channels()) {
      ensureTopic(channel);
    }
    return subscriptions().open(new KafkaSubscription(this, subscriptions(), spec, handling),
        KafkaSubscription::start);
  }

  /** Returns the topic of {@code channel}, creating it on first use. */
  String ensureTopic(Channel channel) {
    String known = knownTopics.get(channel);
    if (known != null) {
      return known;
    }
    String topic = naming.backendName(channel);
    createTopic(newTopic(topic, null, null, Map.of()));
    limits.learn(admin, topic, timeout.toMillis());
    knownTopics.put(channel, topic);
    return topic;
  }

  /**
   * A topic as the adapter creates it: {@code partitions} and {@code replicationFactor} when
   * given (by a ChannelSpec), else the adapter's settings; {@code min.insync.replicas} from
   * realtime.kafka.min-insync-replicas unless {@code configs} holds it. What is unset is left
   * to the broker's defaults.
   */
  NewTopic newTopic(String topic, Integer partitions, Short replicationFactor,
      Map<String, String> configs) {
    Map<String, String> all = new HashMap<>(configs);
    if (minInsyncReplicas != null) {
      all.putIfAbsent(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInsyncReplicas.toString());
    }
    Short replicas = replicationFactor != null ? replicationFactor
        : this.replicationFactor != null ? Short.valueOf(this.replicationFactor.shortValue())
        : null;
    return new NewTopic(topic, Optional.of(partitions != null ? partitions : this.partitions),
        Optional.ofNullable(replicas)).configs(all);
  }

  /**
   * Creates {@code topic}; one that exists already (made by another server meanwhile) is fine.
   *
   * @throws BrokerUnavailableException if Kafka refused or did not answer; too few live brokers
   *     for the replication factor is said so, with the setting to lower
   */
  void createTopic(NewTopic topic) {
    try {
      admin.createTopics(List.of(topic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException || exists(topic.name())) {
        return;
      }
      if (e.getCause() instanceof InvalidReplicationFactorException) {
        // Kafka says how many brokers it has; the user needs to know which setting asked more.
        throw new BrokerUnavailableException("could not create topic " + topic.name() + " on "
            + "Kafka at " + UriCredentials.mask(servers) + ": " + e.getCause().getMessage()
            + " " + (topic.replicationFactor() > 0
                ? "It was asked for " + topic.replicationFactor() + " replicas (realtime.kafka."
                    + "replication-factor, or the channel's ChannelSpec.replicationFactor)"
                : "The broker's default.replication.factor asks more replicas than that")
            + ": start the brokers that are missing, or lower the setting.", e);
      }
      throw unavailable("create topic " + topic.name(), e);
    } catch (Exception e) {
      throw unavailable("create topic " + topic.name(), e);
    }
  }

  /**
   * Whether {@code topic} exists: a client allowed to write and read but not to create topics
   * is refused the create even for a topic that exists.
   */
  private boolean exists(String topic) {
    try {
      admin.describeTopics(List.of(topic)).allTopicNames()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  void forgetTopic(Channel channel) {
    String topic = knownTopics.remove(channel);
    if (topic != null) {
      limits.forget(topic);
    }
  }

  /** Consumer settings: the adapter's, then {@code client.*}, then {@code consumer.*}. */
  Properties consumerProperties(String groupId, String clientId) {
    Properties props = new Properties();
    props.putAll(common);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    if (groupId != null) {
      props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
      if (!usesConsumerProtocol()) {
        groupMembership(props);
      }
    }
    props.putAll(consumerOverrides);
    return props;
  }

  /**
   * How a group notices a member that died, and what the others do meanwhile. A member killed
   * with -9 sends no LeaveGroup: its partitions wait, unread, until its session expires, and
   * Kafka's default of 45 s stalled them ~37 s in the fault campaign. 10 s (Kafka's default
   * before 3.0) bounds that wait, with heartbeats every third of it so that one lost heartbeat
   * is no expiry. Cooperative-sticky, rather than the default eager range assignor, lets the
   * surviving members keep reading their own partitions through the rebalance that follows,
   * and keeps partitions where they were. The new protocol (KIP-848, {@code
   * realtime.kafka.consumer.group.protocol=consumer}) has neither setting on the client: the
   * broker's {@code group.consumer.session.timeout.ms} (45 s by default, and at least {@code
   * group.consumer.min.session.timeout.ms}) rules there, so it is left to the user to choose.
   */
  private void groupMembership(Properties props) {
    long session = sessionTimeout.toMillis();
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) session);
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(1, session / 3));
    props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
  }

  private boolean usesConsumerProtocol() {
    Object protocol = consumerOverrides.getOrDefault(ConsumerConfig.GROUP_PROTOCOL_CONFIG,
        String.valueOf(common.getOrDefault(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic")));
    return "consumer".equalsIgnoreCase(String.valueOf(protocol).trim());
  }

  KafkaConsumer<byte[], byte[]> newConsumer(Properties props) {
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public List<Message> history(Channel channel, HistoryQuery query) {
    String topic = ensureTopic(channel);
    try (KafkaConsumer<byte[], byte[]> consumer = newConsumer(consumerProperties(null,
        "realtime-history-" + UUID.randomUUID()))) {
      List<TopicPartition> parts = partitionsOf(consumer, topic);
      consumer.assign(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, timeout);
      Map<TopicPartition, Long> start = KafkaStarts.offsets(consumer, parts, query.from(),
          timeout);
      List<TopicPartition> reading = new ArrayList<>();
      for (TopicPartition part : parts) {
        Long from = start.get(part);
        if (from != null && from < end.get(part)) {
          consumer.seek(part, from);
          reading.add(part);
        }
      }
      consumer.assign(reading);
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      Map<TopicPartition, Integer> perPartition = new HashMap<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!reading.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          TopicPartition part = new TopicPartition(record.topic(), record.partition());
          if (record.offset() < end.get(part)
              && perPartition.merge(part, 1, Integer::sum) <= query.limit()) {
            records.add(record);
          }
        }
        reading.removeIf(part -> consumer.position(part) >= end.get(part)
            || perPartition.getOrDefault(part, 0) >= query.limit());
        consumer.assign(reading);
      }
      records.sort(Comparator.<ConsumerRecord<byte[], byte[]>>comparingLong(r -> r.timestamp())
          .thenComparingInt(ConsumerRecord::partition).thenComparingLong(ConsumerRecord::offset));
      List<Message> out = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> record : records) {
        if (out.size() == query.limit()) {
          break;
        }
        out.add(KafkaRecords.toMessage(channel, record, 0));
      }
      return out;
    }
  }

  List<TopicPartition> partitionsOf(KafkaConsumer<byte[], byte[]> consumer, String topic) {
    List<TopicPartition> parts = new ArrayList<>();
    for (PartitionInfo info : consumer.partitionsFor(topic, timeout)) {
      parts.add(new TopicPartition(topic, info.partition()));
    }
    parts.sort(Comparator.comparingInt(TopicPartition::partition));
    return parts;
  }

  @Override
  public ChannelAdmin admin() {
    return channelAdmin;
  }

  @Override
  public Health health() {
    try {
      int nodes = admin.describeCluster().nodes().get(Math.min(timeout.toMillis(), 5000),
          TimeUnit.MILLISECONDS).size();
      return Health.up(NAME, nodes + " broker(s) at " + UriCredentials.mask(servers));
    } catch (Exception e) {
      return Health.down(NAME, "Kafka at " + UriCredentials.mask(servers) + " did not answer: "
          + FailureReasons.of(e));
    }
  }

  /**
   * Stops every subscription's handlers from starting new work, drains them, commits, and
   * disconnects, all within one {@code realtime.close-timeout}: with the broker down, each step
   * waited its own Kafka timeout (20 s in all). Records a producer could not send by then fail
   * their publish.
   */
  @Override
  public void close() {
    Deadline deadline = Deadline.after(closeTimeout);
    try {
      subscriptions().closeAll(deadline);
    } finally {
      try {
        producer.close(deadline.remaining());
      } finally {
        admin.close(deadline.remaining());
      }
    }
  }

  ChannelNaming naming() {
    return naming;
  }

  Admin adminClient() {
    return admin;
  }

  Duration timeout() {
    return timeout;
  }

  /** Partitions of a topic created without a ChannelSpec saying how many. */
  int partitions() {
    return partitions;
  }

  RealtimeMetrics metrics() {
    return metrics;
  }

  Duration publishTimeout() {
    return publishTimeout;
  }

  BrokerUnavailableException unavailable(String operation, Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    if (KafkaDiagnosis.isTimeout(e)) {
      return new BrokerUnavailableException("could not " + operation + " within " + timeout
          + ": " + KafkaDiagnosis.unreachable(servers, e) + ".", e);
    }
    return new BrokerUnavailableException("could not " + operation + " on Kafka at "
        + UriCredentials.mask(servers) + " within " + timeout + ": " + FailureReasons.of(e), e);
  }

  /** What a failure means, for a log line or a message: see {@link KafkaDiagnosis}. */
  String explain(Throwable failure) {
    return KafkaDiagnosis.isTimeout(failure) ? KafkaDiagnosis.unreachable(servers, failure)
        : FailureReasons.of(failure);
  }

  /**
   * Why a publish failed. Kafka words an outage after the step that waited ("Topic x not
   * present in metadata after 10000 ms", "Expiring 1 record(s)"): a timeout while the producer
   * holds no connection is said to be what it is, an unreachable broker.
   */
  private String explainPublish(Throwable failure) {
    if (KafkaDiagnosis.isTimeout(failure) && !producerConnected()) {
      return KafkaDiagnosis.unreachable(servers, failure);
    }
    return FailureReasons.of(failure);
  }

  /** Kafka's retriable errors: no connection, no leader, no answer in time. */
  private static boolean isUnavailable(Throwable failure) {
    return failure instanceof org.apache.kafka.common.errors.RetriableException
        || KafkaDiagnosis.isTimeout(failure);
  }

  private boolean producerConnected() {
    for (Map.Entry<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric>
        entry : producer.metrics().entrySet()) {
      if (entry.getKey().name().equals("connection-count")
          && entry.getKey().group().equals("producer-metrics")) {
        Object value = entry.getValue().metricValue();
        return value instanceof Number && ((Number) value).doubleValue() > 0;
      }
    }
    return true; // No such metric: say nothing more than Kafka does.
  }

  @Override
  public String toString() {
    return "KafkaBroker{" + UriCredentials.mask(servers) + "}";
  }
}
