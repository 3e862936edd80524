package dev.realtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.BrokerUnavailableException;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelInfo;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import dev.realtime.testkit.kafka.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What only Kafka has: topic names, partitions, passthrough settings, security settings. */
class KafkaAdapterTest {
  private static EmbeddedKafka kafka;
  private static Broker broker;
  private final String run = "k" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void open() {
    kafka = EmbeddedKafka.shared();
    broker = Brokers.open(config(Map.of()));
  }

  @AfterAll
  static void close() {
    broker.close();
  }

  private static RealtimeConfig config(Map<String, String> more) {
    Map<String, String> values = new HashMap<>(more);
    values.put("realtime.broker", "kafka");
    values.put("realtime.kafka.bootstrap-servers", kafka.bootstrapServers());
    return RealtimeConfig.of(values);
  }

  @Test
  void aConsumerWithoutRoomGoesOnAsSoonAsItsHandlersFreeSomeNotAfterItsPollTimeout()
      throws Exception {
    Channel channel = Channel.of(run + ".room");
    broker.admin().ensure(ChannelSpec.builder(channel).build());
    for (int i = 0; i < 5; i++) {
      broker.publish(Message.builder().channel(channel).event("e" + i).build())
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    CountDownLatch all = new CountDownLatch(5);
    // One message in flight, and a poll timeout far beyond the wait below: every message after
    // the first finds the consumer without room, paused, and must not wait the timeout out.
    try (Subscription subscription = broker.subscribe(
        SubscriptionSpec.builder().channel(channel)
            .start(StartPosition.earliest()).batchSize(1)
            .maxInFlight(1).pollTimeout(Duration.ofMinutes(2)).build(),
        message -> all.countDown())) {
      assertThat(all.await(20, TimeUnit.SECONDS)).as("all 5 within 20 s").isTrue();
    }
    broker.admin().delete(channel);
  }

  @Test
  void aChannelIsTheSeedsReadableTopicAndCollisionsAreRefusedBeforeReachingKafka()
      throws Exception {
    Channel channel = Channel.of(run + ".user.1");
    ChannelInfo info = broker.admin().ensure(ChannelSpec.builder(channel).build());
    assertThat(info.backendName()).isEqualTo("realtime_" + run + "_user_1");

    String clashing = "realtime_" + run + "_orders.eu";
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(clashing, 1, (short) 1))).all()
          .get(10, TimeUnit.SECONDS);
    }
    Channel ordersEu = Channel.of(run + ".orders.eu"); // topic realtime_<run>_orders_eu
    assertThatThrownBy(() -> broker.admin().ensure(ChannelSpec.builder(ordersEu).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("would collide with existing topic " + clashing)
        .hasMessageContaining("'.' and '_'");
    assertThat(broker.admin().describe(ordersEu)).isEmpty();
  }

  @Test
  void partitionsGrowButAreNeverReduced() {
    Channel channel = Channel.of(run + ".events");
    assertThat(broker.admin().ensure(ChannelSpec.builder(channel).partitions(3).build())
        .partitions()).isEqualTo(3);
    assertThat(broker.admin().ensure(ChannelSpec.builder(channel).partitions(4).build())
        .partitions()).isEqualTo(4);

    assertThatThrownBy(() -> broker.admin().ensure(ChannelSpec.builder(channel).partitions(2)
        .build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has 4 partitions; Kafka cannot reduce them to 2");
    assertThat(broker.admin().describe(channel).orElseThrow().partitions()).isEqualTo(4);
  }

  @Test
  void producerSettingsPassThroughToKafkaUnchanged() throws Exception {
    Channel channel = Channel.of(run + ".compressed");
    try (Broker gzip = Brokers.open(config(Map.of(
        "realtime.kafka.producer.compression.type", "gzip")))) {
      gzip.publish(Message.builder().channel(channel).event("e").payload("x".repeat(1000))
          .build()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    String topic = "realtime_" + run + "_compressed";
    Path segment;
    try (java.util.stream.Stream<Path> files = Files.walk(kafka.logDir().resolve(topic + "-0"))) {
      segment = files.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
    }
    // Record batch v2 header: attributes at byte 21 of the batch; the low 3 bits are the codec.
    byte[] bytes = Files.readAllBytes(segment);
    assertThat(bytes.length).isGreaterThan(22);
    assertThat(bytes[22] & 0x07).as("compression codec of the batch (1 = gzip)").isEqualTo(1);
    assertThat(readBack(topic).value()).as("decompressed by any consumer").hasSize(1000);
  }

  @Test
  void securitySettingsAreAcceptedAndTheirSecretsNeverShown() {
    RealtimeConfig secure = config(Map.of(
        "realtime.kafka.client.security.protocol", "SASL_PLAINTEXT",
        "realtime.kafka.client.sasl.mechanism", "SCRAM-SHA-512",
        "realtime.kafka.client.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"app\" "
            + "password=\"s3cr3t-pw\";",
        "realtime.kafka.timeout", "2s"));

    assertThat(secure.toString()).doesNotContain("s3cr3t-pw").contains("sasl.jaas.config");
    // The embedded broker speaks PLAINTEXT: a SASL client is refused, clearly, in bounded time.
    long start = System.nanoTime();
    assertThatThrownBy(() -> Brokers.open(secure))
        .isInstanceOf(BrokerUnavailableException.class)
        .hasMessageContaining("did not answer within PT2S")
        .hasMessageNotContaining("s3cr3t-pw");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
  }

  /**
   * Issue 14 item 7: a new group from "latest" started at its first fetch, after the group
   * join, and skipped what was published in between. Fresh topics and groups, several times.
   */
  @Test
  void aNewGroupFromLatestGetsWhatIsPublishedAsSoonAsSubscribeReturns() throws Exception {
    for (int i = 0; i < 5; i++) {
      Channel channel = Channel.of(run + ".fresh" + i);
      java.util.Set<String> received = java.util.concurrent.ConcurrentHashMap.newKeySet();
      try (Subscription subscription = broker.subscribe(SubscriptionSpec.builder()
          .channel(channel).group("fresh-" + run + "-" + i).build(),
          m -> received.add(m.id()))) {
        String id = broker.publish(Message.builder().channel(channel).event("e").build())
            .toCompletableFuture().get(10, TimeUnit.SECONDS).messageId();
        org.awaitility.Awaitility.await("round " + i).atMost(Duration.ofSeconds(30))
            .until(() -> received.contains(id));
      }
    }
  }

  /** A member joining a group that has members but no offsets starts where the group did. */
  @Test
  void aSecondMemberOfANewGroupDoesNotSkipWhatTheFirstHadNotFetched() throws Exception {
    Channel channel = Channel.of(run + ".joined");
    String group = "joined-" + run;
    java.util.Set<String> received = java.util.concurrent.ConcurrentHashMap.newKeySet();
    SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).group(group).build();
    List<String> ids = new java.util.ArrayList<>();
    try (Subscription first = broker.subscribe(spec, m -> received.add(m.id()))) {
      ids.add(broker.publish(Message.builder().channel(channel).event("a").build())
          .toCompletableFuture().get(10, TimeUnit.SECONDS).messageId());
      try (Subscription second = broker.subscribe(spec, m -> received.add(m.id()))) {
        ids.add(broker.publish(Message.builder().channel(channel).event("b").build())
            .toCompletableFuture().get(10, TimeUnit.SECONDS).messageId());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
            .until(() -> received.containsAll(ids));
      }
    }
  }

  /**
   * Issue 14 item 8: with a backlog, a group member's close hung 10 s in its final commit
   * (TimeoutException) in 4 of 6 runs, the broker healthy.
   */
  @Test
  void aGroupMemberWithABacklogKeepsOneCommitInFlightAndClosesPromptly() throws Exception {
    Channel channel = Channel.of(run + ".backlog");
    String group = "backlog-" + run;
    broker.admin().ensure(ChannelSpec.builder(channel).groups(group).build());
    List<java.util.concurrent.CompletableFuture<?>> sent = new java.util.ArrayList<>();
    byte[] payload = new byte[100];
    for (int i = 0; i < 60_000; i++) {
      sent.add(broker.publish(Message.builder().channel(channel).event("e").payload(payload)
          .build()).toCompletableFuture());
    }
    java.util.concurrent.CompletableFuture.allOf(sent.toArray(
        new java.util.concurrent.CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
    for (int round = 0; round < 3; round++) {
      java.util.concurrent.atomic.AtomicInteger handled =
          new java.util.concurrent.atomic.AtomicInteger();
      // As `realtime consume --group` subscribes: one handler thread, batches of 200.
      KafkaSubscription subscription = (KafkaSubscription) broker.subscribe(
          SubscriptionSpec.builder().channel(channel).group(group).concurrency(1)
              .batchSize(200).pollTimeout(Duration.ofMillis(500)).build(),
          m -> handled.incrementAndGet());
      java.util.concurrent.atomic.AtomicInteger unanswered =
          new java.util.concurrent.atomic.AtomicInteger();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(5)).until(() -> {
            unanswered.accumulateAndGet(subscription.asyncCommitsInFlight(), Math::max);
            return handled.get() > 10_000;
          });
      // The cause: a commit after every poll, each unanswered one re-sent, and the final
      // synchronous commit queued behind them all.
      assertThat(unanswered.get()).as("async commits unanswered at once").isLessThanOrEqualTo(1);
      long start = System.nanoTime();
      subscription.close();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took).as("close of round " + round).isLessThan(Duration.ofSeconds(5));
    }
  }

  /** KIP-848's protocol has no client session timeout or assignor: the adapter sets neither. */
  @Test
  void aGroupOnTheNewConsumerProtocolWorks() throws Exception {
    Channel channel = Channel.of(run + ".kip848");
    java.util.Set<String> received = java.util.concurrent.ConcurrentHashMap.newKeySet();
    try (Broker kip848 = Brokers.open(config(Map.of(
            "realtime.kafka.consumer.group.protocol", "consumer")));
        Subscription subscription = kip848.subscribe(SubscriptionSpec.builder()
            .channel(channel).group("kip848-" + run).build(), m -> received.add(m.id()))) {
      String id = kip848.publish(Message.builder().channel(channel).event("e").build())
          .toCompletableFuture().get(10, TimeUnit.SECONDS).messageId();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> received.contains(id));
    }
  }

  /** Issue 15: realtime.kafka.partitions was checked nowhere, so 0 or -3 reached the admin. */
  @Test
  void partitionsOutsideTheirRangeAreRefusedWithTheRangeAndTheFix() {
    for (String raw : List.of("0", "-3", "many")) {
      assertThatThrownBy(() -> Brokers.open(config(Map.of("realtime.kafka.partitions", raw))))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("Invalid value for realtime.kafka.partitions=" + raw + " (from code)."
              + " Must be a whole number of at least 1, such as 1. Set such a value, or unset"
              + " realtime.kafka.partitions for the default 1.");
    }
  }

  /** Issue 15: one name for one idea, realtime.<adapter>.timeout, in every adapter. */
  @Test
  void theFormerConnectTimeoutKeyIsToldByItsNewName() {
    assertThatThrownBy(() -> Brokers.open(config(Map.of("realtime.kafka.connect-timeout",
        "2s"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("realtime.kafka.connect-timeout (from code) was renamed to"
            + " realtime.kafka.timeout");
  }

  /** Issue 14 item 18: TLS against a plaintext port said "Timed out waiting for a node …". */
  @Test
  void tlsAgainstAPlaintextPortIsToldAsSuch() {
    assertThatThrownBy(() -> Brokers.open(config(Map.of(
        "realtime.kafka.client.security.protocol", "SSL",
        "realtime.kafka.timeout", "2s"))))
        .isInstanceOf(BrokerUnavailableException.class)
        .hasMessageContaining("answers in PLAINTEXT")
        .hasMessageContaining("realtime.kafka.client.security.protocol=PLAINTEXT");
  }

  /**
   * Issue 14 item 2: a payload Kafka cannot take is refused before it is sent, naming both
   * limits, and the publishes around it are stored once each.
   */
  @Test
  void aPayloadOverKafkasLimitIsRefusedBeforeSendingNamingBothLimits() throws Exception {
    Channel channel = Channel.of(run + ".big");
    try (Broker big = Brokers.open(config(Map.of("realtime.max-payload-bytes", "8MiB")))) {
      List<String> ids = new java.util.ArrayList<>();
      for (int i = 0; i < 20; i++) {
        ids.add(big.publish(Message.builder().channel(channel).event("small").build())
            .toCompletableFuture().get(10, TimeUnit.SECONDS).messageId());
      }
      assertThatThrownBy(() -> big.publish(Message.builder().channel(channel).event("big")
          .payload(new byte[2 * 1024 * 1024]).build()))
          .isInstanceOf(dev.realtime.PayloadTooLargeException.class)
          .hasMessageContaining("realtime.max-payload-bytes is 8388608")
          .hasMessageContaining("max.request.size 1048576");
      for (int i = 0; i < 20; i++) {
        ids.add(big.publish(Message.builder().channel(channel).event("small").build())
            .toCompletableFuture().get(10, TimeUnit.SECONDS).messageId());
      }
      List<Message> stored = big.history(channel,
          dev.realtime.HistoryQuery.earliest().limit(1000));
      assertThat(stored).extracting(Message::id).containsExactlyInAnyOrderElementsOf(ids);
    }
  }

  /** The topic's own max.message.bytes, lower than the producer's limit, is learnt too. */
  @Test
  void aTopicsMaxMessageBytesIsLearntAndNamed() throws Exception {
    String topic = "realtime_" + run + "_narrow";
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
          .configs(Map.of("max.message.bytes", "100000")))).all().get(10, TimeUnit.SECONDS);
    }
    Channel channel = Channel.of(run + ".narrow");
    assertThatThrownBy(() -> broker.publish(Message.builder().channel(channel).event("big")
        .payload(new byte[200_000]).build()))
        .isInstanceOf(dev.realtime.PayloadTooLargeException.class)
        .hasMessageContaining("topic " + topic + " max.message.bytes 100000");
    broker.publish(Message.builder().channel(channel).event("small").payload(new byte[50_000])
        .build()).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void credentialsInTheBootstrapServersAreRefusedWithoutShowingThem() {
    RealtimeConfig leaky = RealtimeConfig.of(Map.of("realtime.broker", "kafka",
        "realtime.kafka.bootstrap-servers", "127.0.0.1:1,app:s3cr3t-pw@127.0.0.1:2"));

    assertThat(leaky.toString()).doesNotContain("s3cr3t-pw").contains("app:******@127.0.0.1:2");
    // Refused before a Kafka client exists: Kafka logs its config and quotes the bad entry.
    assertThatThrownBy(() -> Brokers.open(leaky))
        .isInstanceOf(dev.realtime.config.ConfigurationException.class)
        .hasMessageContaining("realtime.kafka.bootstrap-servers")
        .hasMessageContaining("host:port")
        .hasMessageContaining("realtime.kafka.client.sasl.jaas.config")
        .hasMessageNotContaining("s3cr3t-pw")
        .satisfies(e -> assertThat(e.getCause()).isNull());
  }

  @Test
  void consumerLagIsMeasuredForAGroupThatFallsBehind() throws Exception {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    Channel channel = Channel.of(run + ".lagging");
    String group = "lagging-" + run;
    try (Broker metered = Brokers.open(config(Map.of()),
        new dev.realtime.metrics.MicrometerMetrics(registry))) {
      metered.admin().ensure(ChannelSpec.builder(channel).groups(group).build());
      CountDownLatch gate = new CountDownLatch(1);
      metered.subscribe(SubscriptionSpec.builder().channel(channel)
          .group(group).batchSize(1).maxInFlight(1).build(), m -> gate.await());
      for (int i = 0; i < 20; i++) {
        metered.publish(Message.builder().channel(channel).event("e" + i).build())
            .toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      try {
        // One record is in the handler and, at most, one held: the rest is lag.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
          io.micrometer.core.instrument.Gauge gauge = registry.find("realtime.consumer.lag")
              .tag("group", group).tag("channel", channel.name()).gauge();
          return gauge != null && gauge.value() >= 10;
        });
      } finally {
        gate.countDown();
      }
    }
    assertThat(registry.find("realtime.consumer.lag").tag("group", group).gauges())
        .as("removed when the subscription closed").isEmpty();
  }

  @Test
  void aMessageWhoseDeadLetterCannotBePublishedIsReadAgainNotLost() throws Exception {
    Channel channel = Channel.of(run + ".fragile");
    // A dead-letter channel whose topic would be longer than Kafka allows: its publish fails.
    Channel unpublishable = Channel.of("d" + "_d".repeat(81));
    java.util.List<String> attempts = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.Set<String> done = java.util.concurrent.ConcurrentHashMap.newKeySet();
    broker.admin().ensure(ChannelSpec.builder(channel).groups("fragile-" + run).build());
    try (Subscription subscription = broker.subscribe(
        SubscriptionSpec.builder().channel(channel)
            .group("fragile-" + run).deadLetterChannel(unpublishable).build(), m -> {
              attempts.add(m.event());
              if (m.event().equals("first") && attempts.size() == 1) {
                throw new dev.realtime.subscription.NonRetryableException("fails once");
              }
              done.add(m.event());
            })) {
      for (String event : List.of("first", "second")) {
        broker.publish(Message.builder().channel(channel).event(event).build())
            .toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> done.containsAll(List.of("first", "second")));
    }
    assertThat(attempts.get(0)).isEqualTo("first");
    assertThat(attempts).as("released, then read again").contains("first", "second");
    assertThat(attempts.stream().filter("first"::equals).count()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aRecordThatIsNoValidMessageIsSkippedAndTheNextOnesFlow() throws Exception {
    Channel channel = Channel.of(run + ".foreign");
    java.util.Set<String> received = java.util.concurrent.ConcurrentHashMap.newKeySet();
    broker.admin().ensure(ChannelSpec.builder(channel).groups("foreign-" + run).build());
    try (Subscription subscription = broker.subscribe(
        SubscriptionSpec.builder().channel(channel)
            .group("foreign-" + run).build(), m -> received.add(m.event()))) {
      Properties props = new Properties();
      props.put("bootstrap.servers", kafka.bootstrapServers());
      try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> raw =
          new org.apache.kafka.clients.producer.KafkaProducer<>(props,
              new org.apache.kafka.common.serialization.ByteArraySerializer(),
              new org.apache.kafka.common.serialization.ByteArraySerializer())) {
        org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]> foreign =
            new org.apache.kafka.clients.producer.ProducerRecord<>(
                "realtime_" + run + "_foreign", new byte[0]);
        foreign.headers().add("ce_type", "x".repeat(300).getBytes()); // no valid event name
        raw.send(foreign).get(10, TimeUnit.SECONDS);
      }
      broker.publish(Message.builder().channel(channel).event("after").build())
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> received.contains("after"));
    }
    assertThat(received).containsExactly("after");
  }

  @Test
  void countRetentionIsRefusedBecauseKafkaHasNone() {
    assertThatThrownBy(() -> broker.admin().ensure(ChannelSpec.builder(run + ".counted")
        .maxMessages(10).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not by count");
  }

  private static Admin admin() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    return Admin.create(props);
  }

  private static ConsumerRecord<byte[], byte[]> readBack(String topic) throws IOException {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition part = new TopicPartition(topic, 0);
      consumer.assign(List.of(part));
      consumer.seekToBeginning(List.of(part));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          return record;
        }
      }
      throw new AssertionError("nothing to read back from " + topic);
    }
  }
}
