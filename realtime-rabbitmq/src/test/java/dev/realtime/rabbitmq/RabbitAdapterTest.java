package dev.realtime.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.realtime.Broker;
import dev.realtime.BrokerUnavailableException;
import dev.realtime.Brokers;
import dev.realtime.Capability;
import dev.realtime.Message;
import dev.realtime.UnsupportedCapabilityException;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelInfo;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.channel.GroupInfo;
import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import dev.realtime.testkit.env.Environments;
import dev.realtime.testkit.env.ProxiedEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What only RabbitMQ has: conflicting declarations, recovery of publishing and consuming, the
 * registry behind list and describe, and RabbitMQ's limits.
 */
class RabbitAdapterTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static ProxiedEnvironment rabbit;
  private static Broker broker;
  private final String run = "t" + UUID.randomUUID().toString().substring(0, 8);
  private final List<Channel> made = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void open() {
    rabbit = Environments.rabbitmq();
    broker = Brokers.open(rabbit.config());
  }

  @AfterAll
  static void close() {
    broker.close();
    rabbit.close();
  }

  @AfterEach
  void deleteChannels() {
    made.forEach(channel -> broker.admin().delete(channel));
  }

  private Channel channel(String name) {
    Channel channel = Channel.of(run + "." + name);
    made.add(channel);
    return channel;
  }

  private static Broker open(Map<String, String> settings) {
    RealtimeConfig.Builder config = rabbit.config().newBuilder();
    settings.forEach(config::set);
    return Brokers.open(config.build());
  }

  private static Message publish(Broker broker, Channel channel, String event) throws Exception {
    Message message = Message.builder().channel(channel).event(event).payload(event).build();
    broker.publish(message).toCompletableFuture().get(10, TimeUnit.SECONDS);
    return message;
  }

  @Test
  void aConflictingDeclarationFailsNamingTheArgument() {
    Channel channel = channel("declared");
    broker.admin().ensure(ChannelSpec.builder(channel).retention(Duration.ofHours(2)).build());
    assertThatThrownBy(() -> broker.admin().ensure(ChannelSpec.builder(channel)
        .retention(Duration.ofHours(5)).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x-max-age")
        .hasMessageContaining("realtime." + channel.name())
        .hasMessageContaining("delete it first");
    assertThat(broker.admin().describe(channel).orElseThrow().retention())
        .isEqualTo(Duration.ofHours(2));

    // check() says so before anything is tried, for tools that apply many specs at once.
    assertThatThrownBy(() -> broker.admin().check(ChannelSpec.builder(channel)
        .retention(Duration.ofHours(5)).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retention PT2H").hasMessageContaining("retention PT5H");
    broker.admin().check(ChannelSpec.builder(channel).retention(Duration.ofHours(2)).build());
    broker.admin().check(ChannelSpec.builder(channel("new")).retention(Duration.ofHours(5))
        .build());
  }

  @Test
  void whatRabbitCannotDoIsRefusedByNameAndNothingIsCreated() {
    Channel channel = channel("refused");
    assertThatThrownBy(() -> broker.admin().ensure(ChannelSpec.builder(channel).partitions(3)
        .build())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partitions=3");
    assertThatThrownBy(() -> broker.admin().ensure(ChannelSpec.builder(channel)
        .maxMessages(100).build())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxMessages").hasMessageContaining("retentionBytes");
    assertThatThrownBy(() -> broker.admin().ensure(ChannelSpec.builder(channel)
        .compacted(true).build())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("compacted");
    assertThat(broker.admin().describe(channel)).isEmpty();
    assertThatThrownBy(() -> broker.subscribe(SubscriptionSpec.builder()
        .channels(run + ".*").start(StartPosition.earliest()).build(), m -> { }))
        .isInstanceOf(UnsupportedCapabilityException.class)
        .hasMessageContaining("starts at latest")
        .extracting(e -> ((UnsupportedCapabilityException) e).capability())
        .isEqualTo(Capability.REPLAY);
  }

  @Test
  void describeListAndDeleteComeFromTheRegistryAndTheQueues() throws Exception {
    Channel channel = channel("described");
    String group = "readers-" + run;
    broker.admin().ensure(ChannelSpec.builder(channel).retention(Duration.ofHours(1))
        .groups(group).build());
    for (int i = 0; i < 3; i++) {
      publish(broker, channel, "e" + i);
    }
    ChannelInfo info = broker.admin().describe(channel).orElseThrow();
    assertThat(info.backendName()).isEqualTo("realtime." + channel.name());
    assertThat(info.isMessageCountKnown()).isTrue();
    assertThat(info.messageCount()).as("read from the stream").isEqualTo(3);
    assertThat(info.lastPosition().offset() - info.firstPosition().offset()).isEqualTo(2);
    Channel empty = channel("empty");
    broker.admin().ensure(ChannelSpec.builder(empty).build());
    ChannelInfo none = broker.admin().describe(empty).orElseThrow();
    assertThat(none.messageCount()).isZero();
    assertThat(none.firstPosition()).isNull();
    assertThat(info.retention()).isEqualTo(Duration.ofHours(1));
    assertThat(info.groups()).extracting(GroupInfo::name, GroupInfo::lag)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(group, 3L));
    try (Broker other = open(Map.of())) {
      assertThat(other.admin().list()).as("another client reads the registry").contains(channel);
    }
    assertThat(broker.admin().delete(channel)).isTrue();
    assertThat(broker.admin().describe(channel)).isEmpty();
    assertThat(broker.admin().list()).doesNotContain(channel);
    assertThat(broker.admin().delete(channel)).isFalse();
  }

  @Test
  void publishingAndConsumingResumeAfterTheConnectionDrops() throws Exception {
    Channel channel = channel("steady");
    String group = "g" + run;
    Set<String> broadcast = ConcurrentHashMap.newKeySet();
    Set<String> grouped = ConcurrentHashMap.newKeySet();
    List<String> confirmed = new CopyOnWriteArrayList<>();
    try (Broker client = open(Map.of())) {
      client.admin().ensure(ChannelSpec.builder(channel).groups(group).build());
      client.subscribe(SubscriptionSpec.builder().channel(channel).build(),
          m -> broadcast.add(m.id()));
      client.subscribe(SubscriptionSpec.builder().channel(channel).group(group).build(),
          m -> grouped.add(m.id()));
      for (int round = 0; round < 3; round++) {
        int before = confirmed.size();
        await().atMost(DEADLINE).until(() -> {
          Message message = Message.builder().channel(channel).event("e").build();
          try {
            client.publish(message).toCompletableFuture().get(5, TimeUnit.SECONDS);
            confirmed.add(message.id());
          } catch (Exception e) {
            // Not confirmed while the connection recovers: not expected to arrive.
          }
          return confirmed.size() >= before + 20;
        });
        if (round < 2) {
          rabbit.restart();
        }
      }
      await().atMost(DEADLINE).until(() -> broadcast.containsAll(confirmed)
          && grouped.containsAll(confirmed));
    }
  }

  @Test
  void aGroupsLagIsItsQueueDepthAndIsRemovedOnClose() throws Exception {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    Channel channel = channel("lagging");
    String group = "lagging-" + run;
    try (Broker metered = Brokers.open(rabbit.config(),
        new dev.realtime.metrics.MicrometerMetrics(registry))) {
      metered.admin().ensure(ChannelSpec.builder(channel).groups(group).build());
      java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
      metered.subscribe(SubscriptionSpec.builder().channel(channel).group(group).batchSize(1)
          .maxInFlight(1).build(), m -> gate.await());
      for (int i = 0; i < 20; i++) {
        publish(metered, channel, "e" + i);
      }
      try {
        // One message is in the handler (prefetch 1): the other nineteen wait in the queue.
        await().atMost(DEADLINE).until(() -> {
          io.micrometer.core.instrument.Gauge gauge = registry.find("realtime.consumer.lag")
              .tag("group", group).tag("channel", channel.name()).gauge();
          return gauge != null && gauge.value() == 19;
        });
      } finally {
        gate.countDown();
      }
    }
    assertThat(registry.find("realtime.consumer.lag").tag("group", group).gauges())
        .as("removed when the subscription closed").isEmpty();
  }

  /** A publisher that does not go through the fault proxy: it keeps working during a cut. */
  private static Broker direct() {
    String uri = System.getenv().getOrDefault("REALTIME_TEST_RABBITMQ_URI", "");
    return Brokers.open(rabbit.config().newBuilder().set("realtime.rabbitmq.uri",
        uri.isBlank() ? "amqp://guest:guest@127.0.0.1:5672/" : uri).build());
  }

  @Test
  void aBroadcastPatternKeepsWhatWasPublishedWhileItsConnectionWasCut() throws Exception {
    Channel channel = channel("cut.a");
    List<String> received = new CopyOnWriteArrayList<>();
    try (Broker subscriber = open(Map.of()); Broker publisher = direct()) {
      subscriber.subscribe(SubscriptionSpec.builder().channels(run + ".cut.*").build(),
          m -> received.add(m.event()));
      await().atMost(DEADLINE).until(() -> {
        publish(publisher, channel, "before");
        return received.contains("before");
      });
      rabbit.cutConnections();
      try {
        publish(publisher, channel, "during");
      } finally {
        rabbit.restoreConnections();
      }
      publish(publisher, channel, "after");
      await().atMost(DEADLINE).until(() -> received.containsAll(List.of("during", "after")));
    }
  }

  @Test
  void closingWhileOthersDrainGivesGroupMessagesBackWithoutSpendingAttempts() throws Exception {
    Channel slow = channel("slow");
    Channel queued = channel("queued");
    String group = "drain-" + run;
    broker.admin().ensure(ChannelSpec.builder(slow).groups(group).build());
    broker.admin().ensure(ChannelSpec.builder(queued).groups(group).build());
    java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(2);
    Broker closing = open(Map.of());
    // The first subscription's drain takes a second; the second waits closed-but-active
    // meanwhile, which is when released messages used to be redelivered in a loop.
    closing.subscribe(SubscriptionSpec.builder().channel(slow).group(group).build(), m -> {
      started.countDown();
      new java.util.concurrent.CountDownLatch(1).await(1, TimeUnit.SECONDS); // Slow work.
    });
    closing.subscribe(SubscriptionSpec.builder().channel(queued).group(group).concurrency(1)
        .build(), m -> {
          started.countDown();
          new java.util.concurrent.CountDownLatch(1).await(1, TimeUnit.SECONDS); // Slow work.
        });
    publish(broker, slow, "s");
    List<String> sent = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sent.add(publish(broker, queued, "q" + i).id());
    }
    assertThat(started.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    closing.close();

    Map<String, Integer> attempts = new ConcurrentHashMap<>();
    try (Subscription fresh = broker.subscribe(SubscriptionSpec.builder().channel(queued)
        .group(group).build(), m -> attempts.put(m.id(), m.deliveryAttempt()))) {
      await().atMost(DEADLINE).until(() -> attempts.keySet().containsAll(sent.subList(1, 10)));
    }
    assertThat(attempts.values()).as("given back once, by the channel's close").allMatch(
        attempt -> attempt <= 2);
  }

  @Test
  void aSubscriptionGoesOnWhenItsChannelIsDeletedAndMadeAgain() throws Exception {
    Channel channel = channel("phoenix");
    List<String> received = new CopyOnWriteArrayList<>();
    try (Subscription subscription = broker.subscribe(SubscriptionSpec.builder()
        .channel(channel).build(), m -> received.add(m.event()))) {
      await().atMost(DEADLINE).until(() -> {
        publish(broker, channel, "before");
        return received.contains("before");
      });
      broker.admin().delete(channel);
      broker.admin().ensure(ChannelSpec.builder(channel).build());
      // It resumes at its old offset in the new stream (docs/rabbitmq.md): publish until there.
      await().atMost(DEADLINE).until(() -> {
        publish(broker, channel, "after");
        return received.contains("after");
      });
    }
  }

  @Test
  void badSettingsAreRefusedClearlyAndPasswordsNeverShow() {
    assertThatThrownBy(() -> open(Map.of("realtime.rabbitmq.uri", "http://localhost:5672")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("realtime.rabbitmq.uri").hasMessageContaining("amqp://");
    assertThatThrownBy(() -> open(Map.of("realtime.rabbitmq.password", "wrong-pw-123")))
        .isInstanceOf(BrokerUnavailableException.class)
        .hasMessageContaining("refused the login")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-pw-123"));
    assertThatThrownBy(() -> open(Map.of("realtime.rabbitmq.uri",
        "amqp://admin:s3cr3t-pw@127.0.0.1:1/", "realtime.rabbitmq.timeout", "2s")))
        .isInstanceOf(BrokerUnavailableException.class)
        .hasMessageContaining("127.0.0.1:1").hasMessageContaining("RABBITMQ_URL")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t-pw"));
  }

  @Test
  void aMessageFromAnotherClientIsDeliveredWithItsBody() throws Exception {
    Channel channel = channel("foreign");
    List<Message> received = new CopyOnWriteArrayList<>();
    try (Subscription subscription = broker.subscribe(SubscriptionSpec.builder().channel(channel)
        .start(StartPosition.earliest()).build(), received::add)) {
      com.rabbitmq.client.ConnectionFactory factory =
          new com.rabbitmq.client.ConnectionFactory();
      factory.setUri(rabbit.config().get(RabbitOptions.URI).replaceAll("/$", ""));
      try (com.rabbitmq.client.Connection connection = factory.newConnection();
          com.rabbitmq.client.Channel amqp = connection.createChannel()) {
        amqp.basicPublish("realtime", channel.name(), null, "plain".getBytes());
      }
      await().atMost(DEADLINE).until(() -> !received.isEmpty());
    }
    assertThat(received.get(0).event()).isEqualTo("rabbitmq.message");
    assertThat(received.get(0).payloadAsString()).isEqualTo("plain");
    assertThat(received.get(0).position()).isNotNull();
  }

  @Test
  void applicationHeadersStartingWithXGoBothWaysAndOnlyTheAdaptersOwnNamesAreReserved()
      throws Exception {
    Channel channel = channel("headers");
    broker.admin().ensure(ChannelSpec.builder(channel).build());
    broker.publish(Message.builder().channel(channel).event("e").payload("p")
        .header("x-request-id", "r-1").header("x-trace", "t-1").header("plain", "v")
        .header("x-delivery-count", "41").build()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    com.rabbitmq.client.ConnectionFactory factory = new com.rabbitmq.client.ConnectionFactory();
    factory.setUri(rabbit.config().get(RabbitOptions.URI).replaceAll("/$", ""));
    try (com.rabbitmq.client.Connection connection = factory.newConnection();
        com.rabbitmq.client.Channel amqp = connection.createChannel()) {
      amqp.basicPublish("realtime", channel.name(), new com.rabbitmq.client.AMQP.BasicProperties
          .Builder().messageId("foreign-1").type("e")
          .headers(Map.of("x-from-elsewhere", "yes")).build(), "f".getBytes());
    }
    List<Message> history = broker.history(channel, dev.realtime.HistoryQuery.earliest());
    assertThat(history).hasSize(2);
    assertThat(history.get(0).headers()).containsEntry("x-request-id", "r-1")
        .containsEntry("x-trace", "t-1").containsEntry("plain", "v")
        .doesNotContainKeys("x-delivery-count", "x-stream-offset", "x-realtime-publish",
            "realtime-time", "realtime-key");
    assertThat(history.get(1).headers()).containsEntry("x-from-elsewhere", "yes");
    List<Message> received = new CopyOnWriteArrayList<>();
    try (Subscription subscription = broker.subscribe(SubscriptionSpec.builder().channel(channel)
        .start(StartPosition.earliest()).build(), received::add)) {
      await().atMost(DEADLINE).until(() -> received.size() == 2);
    }
    assertThat(received.get(0).headers()).isEqualTo(history.get(0).headers());
    assertThat(received.get(1).headers()).containsEntry("x-from-elsewhere", "yes");
  }

  @Test
  void publishesDuringACutWaitForTheConnectionAndAllConfirm() throws Exception {
    Channel channel = channel("cut");
    try (Broker client = open(Map.of("realtime.publish-timeout", "30s"))) {
      client.admin().ensure(ChannelSpec.builder(channel).build());
      publish(client, channel, "before");
      List<java.util.concurrent.CompletableFuture<?>> during = new java.util.ArrayList<>();
      List<String> ids = new java.util.ArrayList<>();
      rabbit.cutConnections();
      try {
        // Once the client knows (a publish written into the dropped socket before would fail:
        // RabbitMQ may have stored it, so it is not sent again).
        await().atMost(DEADLINE).until(() -> !client.health().isUp());
        for (int i = 0; i < 50; i++) {
          Message message = Message.builder().channel(channel).event("during").payload("d")
              .build();
          ids.add(message.id());
          during.add(client.publish(message).toCompletableFuture());
        }
        // The cut lasts three seconds: the publishes wait, none fails.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
            .until(() -> during.stream().noneMatch(
                java.util.concurrent.CompletableFuture::isCompletedExceptionally));
      } finally {
        rabbit.restoreConnections();
      }
      java.util.concurrent.CompletableFuture.allOf(during.toArray(
          java.util.concurrent.CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      List<String> stored = broker.history(channel, dev.realtime.HistoryQuery.earliest())
          .stream().map(Message::id).toList();
      assertThat(stored).as("each once, in order").containsSubsequence(ids)
          .doesNotHaveDuplicates().hasSize(51);
    }
  }

  @Test
  void aPublishThatWaitsLongerThanThePublishTimeoutFailsSayingSo() throws Exception {
    Channel channel = channel("timeout");
    try (Broker client = open(Map.of("realtime.publish-timeout", "2s"))) {
      client.admin().ensure(ChannelSpec.builder(channel).build());
      rabbit.cutConnections();
      try {
        await().atMost(DEADLINE).until(() -> !client.health().isUp());
        java.util.concurrent.CompletableFuture<?> waiting = client.publish(Message.builder()
            .channel(channel).event("e").id("late-1").build()).toCompletableFuture();
        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
            .hasCauseInstanceOf(BrokerUnavailableException.class)
            .hasMessageContaining("late-1")
            .hasMessageContaining("did not come back within PT2S (realtime.publish-timeout)")
            .hasMessageContaining("not sent");
      } finally {
        rabbit.restoreConnections();
      }
    }
  }

  @Test
  void anOutageIsWarnedOnceWithItsCauseAndAmqpClientsTracesStayAtDebug() throws Exception {
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream tee = new java.io.PrintStream(new java.io.OutputStream() {
      @Override
      public void write(int b) {
        original.write(b);
        synchronized (captured) {
          captured.write(b);
        }
      }
    }, true);
    java.util.function.Supplier<String> log = () -> {
      synchronized (captured) {
        return captured.toString(java.nio.charset.StandardCharsets.UTF_8);
      }
    };
    // A proxy of its own: only this broker's connections are cut, and its address is its own.
    try (ProxiedEnvironment own = Environments.rabbitmq();
        Broker client = Brokers.open(own.config())) {
      String warning = "cannot reach RabbitMQ at amqp://127.0.0.1:" + own.proxy().port() + "/";
      Channel channel = channel("outage-log");
      client.subscribe(SubscriptionSpec.builder().channel(channel).build(), m -> { });
      System.setErr(tee);
      try {
        own.cutConnections();
        try {
          await().atMost(Duration.ofSeconds(4)).until(() -> log.get().contains(warning));
          // Several more recovery attempts fail meanwhile (one each 500 ms).
          await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
        } finally {
          own.restoreConnections();
        }
        await().atMost(DEADLINE).until(() -> log.get().contains("RabbitMQ at amqp://127.0.0.1:"
            + own.proxy().port() + "/%2F answers again"));
      } finally {
        System.setErr(original);
      }
      String text = log.get();
      assertThat(text.split(java.util.regex.Pattern.quote(warning), -1)).as("one warning")
          .hasSize(2);
      assertThat(text).doesNotContain("Caught an exception during connection recovery")
          .doesNotContain("\tat com.rabbitmq");
    }
  }

  @Test
  void closeWithRabbitUnreachableEndsWithinTheCloseTimeout() throws Exception {
    Channel channel = channel("unreachable");
    String group = "gone-" + run;
    try (ProxiedEnvironment own = Environments.rabbitmq()) {
      Broker client = Brokers.open(own.config().newBuilder()
          .set("realtime.close-timeout", "3s").build());
      client.admin().ensure(ChannelSpec.builder(channel).groups(group).build());
      java.util.concurrent.CountDownLatch handling = new java.util.concurrent.CountDownLatch(1);
      client.subscribe(SubscriptionSpec.builder().channel(channel).group(group).build(), m -> {
        handling.countDown();
        new java.util.concurrent.CountDownLatch(1).await(); // Busy until interrupted.
      });
      client.subscribe(SubscriptionSpec.builder().channels(run + ".*").build(), m -> { });
      for (int i = 0; i < 20; i++) {
        publish(client, channel, "e" + i);
      }
      assertThat(handling.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
      own.cutConnections();
      await().atMost(DEADLINE).until(() -> !client.health().isUp());
      long start = System.nanoTime();
      client.close();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took).as("close-timeout 3s, plus slack").isLessThan(Duration.ofSeconds(5));
    }
  }
}
