package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.realtime.Broker;
import dev.realtime.BrokerUnavailableException;
import dev.realtime.Brokers;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelInfo;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.channel.GroupInfo;
import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.metrics.MicrometerMetrics;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import dev.realtime.testkit.env.Environments;
import dev.realtime.testkit.env.ProxiedEnvironment;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What only Redis has: XAUTOCLAIM takeover, renewal, trimming, the registry, Redis's limits. */
class RedisAdapterTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static ProxiedEnvironment redis;
  private static RedisClient rawClient;
  private static StatefulRedisConnection<String, String> rawConnection;
  private static RedisCommands<String, String> raw;
  private final String run = "t" + UUID.randomUUID().toString().substring(0, 8);

  /** The shared Redis keeps nothing on disk but runs on: remove what each test wrote. */
  @org.junit.jupiter.api.AfterEach
  void deleteWhatTheTestWrote() {
    // The raw client goes through the fault proxy too: after a cut, Lettuce fails its commands
    // at once until it has reconnected.
    await().atMost(DEADLINE).ignoreExceptions().until(() -> "PONG".equals(raw.ping()));
    for (String key : raw.keys("realtime:" + run + "*")) {
      raw.del(key);
    }
    for (String field : raw.hkeys("realtime:~channels")) {
      if (field.startsWith(run)) {
        raw.hdel("realtime:~channels", field);
      }
    }
    if (raw.exists("realtime:" + run) > 0) {
      raw.del("realtime:" + run);
    }
  }

  @BeforeAll
  static void open() {
    redis = Environments.redis();
    rawClient = RedisClient.create(redis.config().get(RedisOptions.URI));
    rawConnection = rawClient.connect();
    raw = rawConnection.sync();
  }

  @AfterAll
  static void close() {
    rawConnection.close();
    rawClient.shutdown();
    redis.close();
  }

  private static Broker open(Map<String, String> settings) {
    RealtimeConfig.Builder config = redis.config().newBuilder();
    settings.forEach(config::set);
    return Brokers.open(config.build());
  }

  private static Message publish(Broker broker, Channel channel, String event) throws Exception {
    Message message = Message.builder().channel(channel).event(event).payload(event).build();
    broker.publish(message).toCompletableFuture().get(10, TimeUnit.SECONDS);
    return message;
  }

  @Test
  void aDeadConsumersPendingEntriesAreTakenOverWithXautoclaim() throws Exception {
    Channel channel = Channel.of(run + ".jobs");
    String key = "realtime:" + channel.name();
    String group = "workers-" + run;
    try (Broker broker = open(Map.of("realtime.redis.claim-idle-timeout", "500ms"))) {
      broker.admin().ensure(ChannelSpec.builder(channel).groups(group).build());
      List<String> sent = new java.util.ArrayList<>();
      for (int i = 0; i < 5; i++) {
        sent.add(publish(broker, channel, "job" + i).id());
      }
      // A member that read everything and died: its entries stay pending under its name.
      assertThat(raw.xreadgroup(Consumer.from(group, "dead-member"),
          XReadArgs.Builder.count(10), StreamOffset.lastConsumed(key))).hasSize(5);
      assertThat(raw.xpending(key, group).getCount()).isEqualTo(5);

      Map<String, Integer> attempts = new ConcurrentHashMap<>();
      try (Subscription survivor = broker.subscribe(SubscriptionSpec.builder().channel(channel)
          .group(group).build(), m -> attempts.put(m.id(), m.deliveryAttempt()))) {
        await().atMost(DEADLINE).until(() -> attempts.keySet().containsAll(sent));
        await().atMost(DEADLINE).until(() -> raw.xpending(key, group).getCount() == 0);
      }
      assertThat(attempts.values()).as("the dead member's delivery counted").containsOnly(2);
    }
  }

  @Test
  void publishesDuringACutWaitForTheConnectionAndAllConfirmOnce() throws Exception {
    Channel channel = Channel.of(run + ".cut");
    try (Broker client = open(Map.of("realtime.publish-timeout", "30s"))) {
      client.admin().ensure(ChannelSpec.builder(channel).build());
      publish(client, channel, "before");
      List<java.util.concurrent.CompletableFuture<?>> during = new java.util.ArrayList<>();
      List<String> ids = new java.util.ArrayList<>();
      redis.cutConnections();
      try {
        // Once the client knows: a publish written into the dropped socket before may have been
        // stored, and fails rather than being sent twice.
        await().atMost(DEADLINE).until(() -> !client.health().isUp());
        for (int i = 0; i < 50; i++) {
          Message message = Message.builder().channel(channel).event("during").payload("d")
              .build();
          ids.add(message.id());
          during.add(client.publish(message).toCompletableFuture());
        }
        // Lettuce's reconnect attempts meanwhile reach the proxy, which accepts and resets each
        // (as a load balancer in front of a Redis that is down would): the publishes wait
        // through all of them, none fails.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
            .until(() -> during.stream().noneMatch(
                java.util.concurrent.CompletableFuture::isCompletedExceptionally));
      } finally {
        redis.restoreConnections();
      }
      java.util.concurrent.CompletableFuture.allOf(during.toArray(
          java.util.concurrent.CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      await().atMost(DEADLINE).until(() -> client.health().isUp());
      List<String> stored = client.history(channel, HistoryQuery.earliest()).stream()
          .map(Message::id).toList();
      assertThat(stored).as("each once, in order").containsSubsequence(ids)
          .doesNotHaveDuplicates().hasSize(51);
    }
  }

  @Test
  void aPublishThatWaitsLongerThanThePublishTimeoutFailsSayingSo() throws Exception {
    Channel channel = Channel.of(run + ".late");
    try (Broker client = open(Map.of("realtime.publish-timeout", "2s"))) {
      client.admin().ensure(ChannelSpec.builder(channel).build());
      redis.cutConnections();
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
        redis.restoreConnections();
      }
      await().atMost(DEADLINE).until(() -> client.health().isUp());
      assertThat(client.history(channel, HistoryQuery.earliest())).as("never sent").isEmpty();
    }
  }

  @Test
  void aPublishWaitingForTheConnectionFailsWhenTheBrokerCloses() throws Exception {
    Channel channel = Channel.of(run + ".closing");
    Broker client = open(Map.of("realtime.publish-timeout", "60s",
        "realtime.close-timeout", "2s"));
    java.util.concurrent.CompletableFuture<?> waiting;
    try {
      client.admin().ensure(ChannelSpec.builder(channel).build());
      redis.cutConnections();
      await().atMost(DEADLINE).until(() -> !client.health().isUp());
      waiting = client.publish(Message.builder().channel(channel).event("e").id("parked-1")
          .build()).toCompletableFuture();
    } finally {
      client.close();
      redis.restoreConnections();
    }
    // Not after the 60 s publish timeout: close() tells it at once.
    assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS))
        .hasMessageContaining("parked-1").hasMessageContaining("the broker was closed")
        .hasMessageContaining("not sent");
  }

  @Test
  void aLiveMembersSlowEntryIsRenewedNotTakenOver() throws Exception {
    Channel channel = Channel.of(run + ".slow");
    String group = "slow-" + run;
    // Two seconds: a poll thread starved longer than the timeout (a loaded CI machine) would
    // lose the entry however well it renews. With one second, a full run lost it once
    // (2026-12-05: the entry handled twice).
    Map<String, String> fast = Map.of("realtime.redis.claim-idle-timeout", "2s");
    try (Broker first = open(fast); Broker second = open(fast)) {
      first.admin().ensure(ChannelSpec.builder(channel).groups(group).build());
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      List<String> handled = new CopyOnWriteArrayList<>();
      SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).group(group).build();
      try (Subscription slow = first.subscribe(spec, m -> {
        entered.countDown();
        release.await();
        handled.add(m.id());
      })) {
        Message message = publish(first, channel, "slow");
        assertThat(entered.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        try (Subscription other = second.subscribe(spec, m -> handled.add(m.id()))) {
          // Five claim timeouts pass while the first member works on the entry, and no other
          // member takes the entry it renews.
          await().during(Duration.ofSeconds(10)).atMost(DEADLINE).until(handled::isEmpty);
          release.countDown();
          await().atMost(DEADLINE).until(() -> handled.contains(message.id()));
        }
        assertThat(handled).containsExactly(message.id());
      }
    }
  }

  @Test
  void retentionByCountTrimsTheStreamForEveryPublisher() throws Exception {
    Channel channel = Channel.of(run + ".bounded");
    Map<String, String> exact = Map.of("realtime.redis.exact-trimming", "true");
    try (Broker admin = open(exact); Broker publisher = open(exact)) {
      admin.admin().ensure(ChannelSpec.builder(channel).maxMessages(10).build());
      for (int i = 0; i < 30; i++) {
        publish(publisher, channel, "m" + i);
      }
      assertThat(raw.xlen("realtime:" + channel.name())).isEqualTo(10);
      List<Message> kept = publisher.history(channel, HistoryQuery.earliest());
      assertThat(kept).extracting(Message::event)
          .containsExactlyElementsOf(java.util.stream.IntStream.range(20, 30)
              .mapToObj(i -> "m" + i).collect(Collectors.toList()));
      // A later ensure that names only groups keeps the count limit.
      admin.admin().ensure(ChannelSpec.builder(channel).groups("g-" + run).build());
      publish(publisher, channel, "m30");
      assertThat(raw.xlen("realtime:" + channel.name())).isEqualTo(10);
    }
  }

  @Test
  void whatRedisCannotDoIsRefusedByNameAndNothingIsCreated() {
    try (Broker broker = open(Map.of())) {
      Channel channel = Channel.of(run + ".refused");
      assertThatThrownBy(() -> broker.admin().ensure(ChannelSpec.builder(channel)
          .partitions(3).build())).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("partitions=3").hasMessageContaining("one stream");
      assertThatThrownBy(() -> broker.admin().ensure(ChannelSpec.builder(channel)
          .retentionBytes(1_000_000).build())).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("retentionBytes").hasMessageContaining("maxMessages");
      assertThatThrownBy(() -> broker.admin().ensure(ChannelSpec.builder(channel)
          .compacted(true).build())).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("compacted");
      assertThat(broker.admin().describe(channel)).isEmpty();
      assertThat(broker.admin().list()).doesNotContain(channel);
    }
  }

  @Test
  void describeListAndDeleteShowTheStreamAndItsGroups() throws Exception {
    Channel channel = Channel.of(run + ".described");
    String group = "readers-" + run;
    try (Broker broker = open(Map.of())) {
      broker.admin().ensure(ChannelSpec.builder(channel).retention(Duration.ofHours(1))
          .groups(group).build());
      List<String> positions = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Message message = Message.builder().channel(channel).event("e" + i).build();
        positions.add(broker.publish(message).toCompletableFuture().get(10, TimeUnit.SECONDS)
            .position().value());
      }
      ChannelInfo info = broker.admin().describe(channel).orElseThrow();
      assertThat(info.backendName()).isEqualTo("realtime:" + channel.name());
      assertThat(info.messageCount()).isEqualTo(3);
      assertThat(info.firstPosition().value()).isEqualTo(positions.get(0));
      assertThat(info.lastPosition().value()).isEqualTo(positions.get(2));
      assertThat(info.retention()).isEqualTo(Duration.ofHours(1));
      assertThat(info.groups()).extracting(GroupInfo::name, GroupInfo::pending, GroupInfo::lag)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(group, 0L, 3L));
      assertThat(broker.admin().list()).contains(channel);

      assertThat(broker.admin().delete(channel)).isTrue();
      assertThat(raw.exists("realtime:" + channel.name())).isZero();
      assertThat(broker.admin().describe(channel)).isEmpty();
      assertThat(broker.admin().list()).doesNotContain(channel);
      assertThat(broker.admin().delete(channel)).isFalse();
    }
  }

  @Test
  void entriesWrittenByOtherClientsAreDeliveredWithTheirPayload() throws Exception {
    Channel channel = Channel.of(run + ".foreign");
    String entryId = raw.xadd("realtime:" + channel.name(), Map.of("payload", "from redis-cli"));
    List<Message> received = new CopyOnWriteArrayList<>();
    try (Broker broker = open(Map.of());
        Subscription subscription = broker.subscribe(SubscriptionSpec.builder().channel(channel)
            .start(StartPosition.earliest()).build(), received::add)) {
      await().atMost(DEADLINE).until(() -> !received.isEmpty());
    }
    Message message = received.get(0);
    assertThat(message.event()).isEqualTo("redis.message");
    assertThat(message.payloadAsString()).isEqualTo("from redis-cli");
    assertThat(message.position().value()).isEqualTo(entryId);
  }

  @Test
  void aGroupsLagIsMeasuredFromXinfoAndRemovedOnClose() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Channel channel = Channel.of(run + ".lagging");
    String group = "lagging-" + run;
    RealtimeConfig config = redis.config();
    try (Broker metered = Brokers.open(config, new MicrometerMetrics(registry))) {
      metered.admin().ensure(ChannelSpec.builder(channel).groups(group).build());
      CountDownLatch gate = new CountDownLatch(1);
      metered.subscribe(SubscriptionSpec.builder().channel(channel).group(group).batchSize(1)
          .maxInFlight(1).build(), m -> gate.await());
      for (int i = 0; i < 20; i++) {
        publish(metered, channel, "e" + i);
      }
      try {
        // One entry is in the handler: the other nineteen are the group's lag.
        await().atMost(DEADLINE).until(() -> {
          Gauge gauge = registry.find("realtime.consumer.lag").tag("group", group)
              .tag("channel", channel.name()).gauge();
          return gauge != null && gauge.value() == 19;
        });
      } finally {
        gate.countDown();
      }
    }
    assertThat(registry.find("realtime.consumer.lag").tag("group", group).gauges())
        .as("removed when the subscription closed").isEmpty();
  }

  @Test
  void badSettingsAreRefusedClearlyAndPasswordsNeverShow() {
    assertThatThrownBy(() -> open(Map.of("realtime.redis.mode", "durable")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("realtime.redis.mode").hasMessageContaining("streams")
        .hasMessageContaining("pubsub");
    // One shape for every refused value: the key, the value, what is allowed, the fix.
    assertThatThrownBy(() -> open(Map.of("realtime.redis.claim-idle-timeout", "50ms")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Invalid value for realtime.redis.claim-idle-timeout=50ms (from code). Must"
            + " be a duration of at least 100ms, such as 30s. Set such a value, or unset"
            + " realtime.redis.claim-idle-timeout for the default 30s.");
    assertThatThrownBy(() -> open(Map.of("realtime.redis.pubsub-buffer", "0")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("Must be a whole number of at least 1");
    assertThatThrownBy(() -> open(Map.of("realtime.redis.username", "app")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("realtime.redis.password");
    int closedPort = freePort();
    assertThatThrownBy(() -> open(Map.of(
        "realtime.redis.uri", "redis://admin:s3cr3t-pw@127.0.0.1:" + closedPort,
        "realtime.redis.timeout", "2s")))
        .isInstanceOf(BrokerUnavailableException.class)
        .hasMessageContaining("127.0.0.1:" + closedPort)
        .hasMessageContaining("REDIS_URL")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t-pw"));
    assertThatThrownBy(() -> open(Map.of("realtime.redis.password", "wrong-pw-123")))
        .isInstanceOf(BrokerUnavailableException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-pw-123"));
  }

  private static int freePort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void pubSubModeRefusesWhatItCannotKeep() {
    try (Broker broker = open(Map.of("realtime.redis.mode", "pubsub"))) {
      Channel channel = Channel.of(run + ".ephemeral");
      assertThat(broker.capabilities().asSet()).doesNotContain(
          dev.realtime.Capability.PERSISTENCE, dev.realtime.Capability.REPLAY,
          dev.realtime.Capability.CONSUMER_GROUPS);
      assertThatThrownBy(() -> broker.admin().ensure(ChannelSpec.builder(channel)
          .retention(Duration.ofMinutes(5)).build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("pubsub").hasMessageContaining("realtime.redis.mode=streams");
      assertThat(broker.health().detail()).contains("pubsub mode");
    }
  }

  @Test
  void pubSubPatternsMatchNoSegmentForHashAndDeliverOverlapsOnce() throws Exception {
    Channel bare = Channel.of(run);
    Channel keyed = Channel.of(run + ".k");
    List<String> received = new CopyOnWriteArrayList<>();
    try (Broker broker = open(Map.of("realtime.redis.mode", "pubsub"));
        Subscription subscription = broker.subscribe(SubscriptionSpec.builder()
            .channels(run + ".#", "*.k").build(), m -> received.add(m.event()))) {
      // Pub/Sub keeps nothing: publish until the subscription is seen receiving.
      await().atMost(DEADLINE).until(() -> {
        publish(broker, bare, "bare");
        return received.contains("bare");
      });
      publish(broker, keyed, "keyed");
      await().atMost(DEADLINE).until(() -> received.contains("keyed"));
      publish(broker, bare, "last");
      await().atMost(DEADLINE).until(() -> received.contains("last"));
    }
    assertThat(received).as("matched by both patterns, delivered once").containsOnlyOnce("keyed");
  }

  @Test
  void aGroupGoesOnAfterItsChannelIsDeleted() throws Exception {
    Channel channel = Channel.of(run + ".recreated");
    String group = "phoenix-" + run;
    List<String> received = new CopyOnWriteArrayList<>();
    try (Broker broker = open(Map.of())) {
      broker.admin().ensure(ChannelSpec.builder(channel).groups(group).build());
      try (Subscription subscription = broker.subscribe(SubscriptionSpec.builder()
          .channel(channel).group(group).build(), m -> received.add(m.event()))) {
        publish(broker, channel, "before");
        await().atMost(DEADLINE).until(() -> received.contains("before"));
        assertThat(broker.admin().delete(channel)).isTrue();
        // The stream comes back with the next publish; the member creates its group again.
        await().atMost(DEADLINE).until(() -> {
          publish(broker, channel, "after");
          return received.contains("after");
        });
      }
    }
  }

  @Test
  void anEntryThatMakesNoMessageIsDeliveredAsForeignAndAcknowledged() throws Exception {
    Channel channel = Channel.of(run + ".odd");
    String key = "realtime:" + channel.name();
    String group = "odd-" + run;
    List<Message> received = new CopyOnWriteArrayList<>();
    try (Broker broker = open(Map.of())) {
      broker.admin().ensure(ChannelSpec.builder(channel).groups(group).build());
      // An empty header name and an overlong event: no valid Message has them.
      raw.xadd(key, Map.of("id", "odd-1", "event", "e".repeat(300), "h:", "x",
          "payload", "kept"));
      try (Subscription subscription = broker.subscribe(SubscriptionSpec.builder()
          .channel(channel).group(group).build(), received::add)) {
        await().atMost(DEADLINE).until(() -> !received.isEmpty());
        await().atMost(DEADLINE).until(() -> raw.xpending(key, group).getCount() == 0);
      }
    }
    assertThat(received.get(0).event()).isEqualTo("redis.message");
    assertThat(received.get(0).payloadAsString()).isEqualTo("kept");
  }

  /**
   * A graceful close hands back what no handler had at no attempt, and what a handler had (here
   * interrupted at the drain's end) at one: deliveryAttempt counts handler deliveries.
   */
  @Test
  void handingBackOnCloseCostsAnAttemptOnlyForWhatAHandlerHad() throws Exception {
    Channel channel = Channel.of(run + ".handed");
    String group = "handed-" + run;
    try (Broker broker = open(Map.of())) {
      broker.admin().ensure(ChannelSpec.builder(channel).groups(group).build());
      SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).group(group).build();
      CountDownLatch entered = new CountDownLatch(1);
      Subscription first = broker.subscribe(spec, m -> {
        entered.countDown();
        new CountDownLatch(1).await(); // Blocks until close interrupts it.
      });
      List<String> sent = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        sent.add(publish(broker, channel, "h" + i).id());
      }
      assertThat(entered.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
      first.close(Duration.ZERO); // One interrupted, two never started: all handed back.

      Map<String, Integer> attempts = new ConcurrentHashMap<>();
      try (Subscription second = broker.subscribe(spec,
          m -> attempts.put(m.id(), m.deliveryAttempt()))) {
        await().atMost(DEADLINE).until(() -> attempts.keySet().containsAll(sent));
      }
      assertThat(attempts).containsEntry(sent.get(0), 2) // The one a handler had.
          .containsEntry(sent.get(1), 1).containsEntry(sent.get(2), 1);
    }
  }

  /**
   * Issue 14, item 16: consuming a misspelt channel must not create it. A broadcast subscription
   * creates nothing; a group subscription creates the stream with its group (it must hold its
   * place), and then list and describe both show it; history of a missing channel is empty and
   * creates nothing.
   */
  @Test
  void aBroadcastSubscriptionCreatesNoChannelAndAGroupOneIsListed() throws Exception {
    Channel typo = Channel.of(run + ".tpyo");
    Channel grouped = Channel.of(run + ".grouped");
    try (Broker broker = open(Map.of())) {
      List<String> received = new CopyOnWriteArrayList<>();
      try (Subscription subscription = broker.subscribe(SubscriptionSpec.builder()
          .channel(typo).build(), m -> received.add(m.event()))) {
        assertThat(broker.admin().list()).doesNotContain(typo);
        assertThat(broker.admin().describe(typo)).isEmpty();
        assertThat(broker.history(typo, HistoryQuery.earliest())).isEmpty();
        assertThat(raw.exists("realtime:" + typo.name())).isZero();
        // It is read all the same: a publish makes the channel, and the subscriber gets it.
        publish(broker, typo, "first");
        await().atMost(DEADLINE).until(() -> received.contains("first"));
        assertThat(broker.admin().list()).contains(typo);
      }
      try (Subscription subscription = broker.subscribe(SubscriptionSpec.builder()
          .channel(grouped).group("g-" + run).build(), m -> { })) {
        assertThat(broker.admin().list()).contains(grouped);
        assertThat(broker.admin().describe(grouped)).isPresent();
      }
    }
  }

  /**
   * Issue 14, item 17: a pubsub-mode broker's channels are no streams; a streams-mode broker on
   * the same Redis does not list them, and a pubsub-mode one lists only what was ensured there.
   */
  @Test
  void pubSubChannelsStayOutOfTheStreamsRegistry() throws Exception {
    Channel published = Channel.of(run + ".said");
    Channel subscribed = Channel.of(run + ".heard");
    Channel ensured = Channel.of(run + ".declared");
    try (Broker pubSub = open(Map.of("realtime.redis.mode", "pubsub"));
        Broker streams = open(Map.of())) {
      try (Subscription subscription = pubSub.subscribe(SubscriptionSpec.builder()
          .channel(subscribed).build(), m -> { })) {
        publish(pubSub, published, "e");
        pubSub.admin().ensure(ChannelSpec.builder(ensured).build());

        assertThat(streams.admin().list()).doesNotContain(published, subscribed, ensured);
        assertThat(streams.admin().describe(ensured)).isEmpty();
        assertThat(pubSub.admin().list()).contains(ensured)
            .doesNotContain(published, subscribed);
        assertThat(pubSub.admin().describe(ensured)).isPresent();
        assertThat(pubSub.admin().describe(published)).isEmpty();
        // A stream of the same name belongs to streams mode: pubsub mode neither shows nor
        // deletes it.
        publish(streams, ensured, "stored");
        assertThat(pubSub.admin().describe(ensured).orElseThrow().messageCount()).isZero();
        assertThat(pubSub.admin().delete(ensured)).isTrue();
        assertThat(streams.admin().describe(ensured).orElseThrow().messageCount()).isEqualTo(1);
      } finally {
        raw.hdel("realtime:~pubsub-channels", ensured.name());
      }
    }
  }

  @Test
  void patternGlobsEscapeThePrefixAndWidenTheWildcards() {
    assertThat(PubSubSubscription.glob("app*[1]", dev.realtime.channel.ChannelPattern.of(
        "user.*.#"))).isEqualTo("app\\*\\[1\\]:user.**");
    // '#' may stand for no segment: its dots go with it.
    assertThat(PubSubSubscription.glob("rt", dev.realtime.channel.ChannelPattern.of("user.#")))
        .isEqualTo("rt:user*");
    assertThat(PubSubSubscription.glob("rt", dev.realtime.channel.ChannelPattern.of("a.#.b")))
        .isEqualTo("rt:a*b");
    assertThat(PubSubSubscription.glob("", dev.realtime.channel.ChannelPattern.of("a.*")))
        .isEqualTo("a.*");
  }

  @Test
  void streamIdsStepBackOneEntryAcrossMilliseconds() {
    assertThat(StreamIds.before("5-3")).isEqualTo("5-2");
    assertThat(StreamIds.before("5-0")).isEqualTo("4-18446744073709551615");
    assertThat(StreamIds.before("0-0")).isEqualTo("0-0");
    assertThat(StreamIds.isAfter("5-0", "4-18446744073709551615")).isTrue();
    assertThat(StreamIds.isAfter("5-10", "5-9")).isTrue();
    assertThatThrownBy(() -> StreamIds.of(dev.realtime.Position.of("0:42")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a Redis stream entry id")
        .hasMessageContaining("1700000000000-0");
  }

  @Test
  void theSharedConnectionAndSubscriptionsLeaveNothingBehindOnClose() throws Exception {
    Set<String> before = redisClientNames();
    Broker broker = open(Map.of());
    broker.subscribe(SubscriptionSpec.builder().channel(Channel.of(run + ".a")).build(), m -> { });
    broker.subscribe(SubscriptionSpec.builder().channel(Channel.of(run + ".b")).group("g" + run)
        .build(), m -> { });
    broker.close();
    await().atMost(DEADLINE).until(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().startsWith("realtime-redis-")));
    await().atMost(DEADLINE).until(() -> redisClientNames().equals(before));
  }

  private static Set<String> redisClientNames() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .filter(name -> name.startsWith("lettuce-")).collect(Collectors.toSet());
  }
}
