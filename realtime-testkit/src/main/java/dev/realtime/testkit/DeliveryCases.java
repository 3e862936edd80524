package dev.realtime.testkit;

import static dev.realtime.testkit.CaseContext.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static dev.realtime.testkit.Awaits.await;

import dev.realtime.Capability;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.Position;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.SubscriptionSpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Cases about what reaches whom: round trip, isolation, fan-out, groups, starts, order. */
final class DeliveryCases {
  private DeliveryCases() {}

  static List<ConformanceCase> all() {
    return List.of(
        ConformanceCase.of(1, "round trip", DeliveryCases::roundTrip),
        ConformanceCase.of(2, "channel isolation", DeliveryCases::channelIsolation),
        ConformanceCase.of(3, "broadcast fan-out", DeliveryCases::broadcastFanOut),
        ConformanceCase.gated(4, "competing consumers", Set.of(Capability.CONSUMER_GROUPS),
            DeliveryCases::competingConsumers),
        ConformanceCase.gated(5, "groups are independent", Set.of(Capability.CONSUMER_GROUPS),
            DeliveryCases::groupsAreIndependent),
        ConformanceCase.gated(6, "publish before first consume",
            Set.of(Capability.CONSUMER_GROUPS, Capability.PERSISTENCE),
            DeliveryCases::publishBeforeFirstConsume),
        ConformanceCase.of(7, "late broadcast subscriber", DeliveryCases::lateSubscriber),
        ConformanceCase.gated(8, "replay from earliest / position / timestamp",
            Set.of(Capability.REPLAY), DeliveryCases::replay),
        ConformanceCase.gated(10, "order per key", Set.of(Capability.ORDERING_PER_KEY),
            DeliveryCases::orderPerKey),
        ConformanceCase.gated(25, "pattern subscription", Set.of(Capability.PATTERN_SUBSCRIBE),
            DeliveryCases::patternSubscription));
  }

  private static void roundTrip(CaseContext ctx) {
    Channel channel = ctx.channel("roundtrip");
    List<Message> received = new CopyOnWriteArrayList<>();
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).build(), received::add);
    byte[] binary = {0, 1, (byte) 0xff, (byte) 0xfe, (byte) 0xc3, 0x28, 0x7f, (byte) 0x80};
    Message sent = Message.builder().channel(channel).event("file.chunk").payload(binary)
        .contentType("application/x-chunk").key("user-42")
        .header("trace", "abc-123").header("unicode", "grüße → 😀 日本")
        .timestamp(Instant.now().truncatedTo(ChronoUnit.MILLIS)).build();
    ctx.confirm(sent);
    Message text = ctx.message(channel, "text").newBuilder()
        .payload("naïve café ✓".getBytes(StandardCharsets.UTF_8)).build();
    ctx.confirm(text);

    await().atMost(ctx.deadline()).until(() -> received.size() >= 2);
    Message got = received.stream().filter(m -> m.id().equals(sent.id())).findFirst()
        .orElseThrow(() -> new AssertionError("message " + sent.id() + " not received"));
    assertThat(got.channel()).isEqualTo(channel);
    assertThat(got.event()).isEqualTo("file.chunk");
    assertThat(got.payload()).isEqualTo(binary);
    assertThat(got.contentType()).isEqualTo("application/x-chunk");
    assertThat(got.key()).isEqualTo("user-42");
    assertThat(got.headers()).containsAllEntriesOf(sent.headers());
    assertThat(got.timestamp()).isEqualTo(sent.timestamp());
    assertThat(got.deliveryAttempt()).isEqualTo(1);
    assertThat(got.position()).isNotNull();
    Message gotText = received.stream().filter(m -> m.id().equals(text.id())).findFirst()
        .orElseThrow();
    assertThat(gotText.payloadAsString()).isEqualTo("naïve café ✓");
  }

  private static void channelIsolation(CaseContext ctx) throws Exception {
    int channels = 20;
    int perChannel = 25;
    List<Channel> names = new ArrayList<>();
    List<DeliveryLog> logs = new ArrayList<>();
    for (int i = 0; i < channels; i++) {
      Channel channel = ctx.channel("iso" + i);
      DeliveryLog log = new DeliveryLog();
      names.add(channel);
      logs.add(log);
      ctx.subscribe(SubscriptionSpec.builder().channel(channel).build(), log);
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<Message>>> sent = new ArrayList<>();
      for (Channel channel : names) {
        sent.add(pool.submit(() -> ctx.publish(channel, perChannel)));
      }
      for (int i = 0; i < channels; i++) {
        List<String> expected = ids(sent.get(i).get());
        logs.get(i).awaitAll(expected, ctx.deadline());
        logs.get(i).assertExactly(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void broadcastFanOut(CaseContext ctx) {
    Channel channel = ctx.channel("fanout");
    List<DeliveryLog> subscribers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      DeliveryLog log = new DeliveryLog();
      subscribers.add(log);
      ctx.subscribe(SubscriptionSpec.builder().channel(channel).build(), log);
    }
    List<String> sent = ids(ctx.publish(channel, 100));

    for (DeliveryLog log : subscribers) {
      log.awaitAll(sent, ctx.deadline());
      log.assertExactly(sent);
      if (!log.duplicates().isEmpty()) {
        ctx.note("broadcast duplicates: " + log.duplicates().size());
      }
    }
  }

  private static void competingConsumers(CaseContext ctx) {
    Channel channel = ctx.channel("jobs");
    List<DeliveryLog> members = new ArrayList<>();
    DeliveryLog all = new DeliveryLog();
    for (int i = 0; i < 3; i++) {
      DeliveryLog member = new DeliveryLog();
      members.add(member);
      ctx.subscribe(SubscriptionSpec.builder().channel(channel).group("workers").build(), m -> {
        member.record(m);
        all.record(m);
      });
    }
    List<String> sent = ids(ctx.publish(channel, 300));

    all.awaitAll(sent, ctx.deadline());
    all.assertExactly(sent);
    for (String id : sent) {
      long holders = members.stream().filter(m -> m.count(id) > 0).count();
      assertThat(holders).as("members that received " + id).isEqualTo(1);
    }
    assertThat(all.duplicates()).as("redeliveries without any failure").isEmpty();
  }

  private static void groupsAreIndependent(CaseContext ctx) {
    Channel channel = ctx.channel("orders");
    DeliveryLog billing = new DeliveryLog();
    DeliveryLog audit = new DeliveryLog();
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).group("billing").build(), billing);
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).group("audit").build(), audit);
    List<String> sent = ids(ctx.publish(channel, 100));

    billing.awaitAll(sent, ctx.deadline());
    audit.awaitAll(sent, ctx.deadline());
    billing.assertExactly(sent);
    audit.assertExactly(sent);
  }

  private static void publishBeforeFirstConsume(CaseContext ctx) {
    Channel channel = ctx.channel("orders");
    ctx.broker().admin().ensure(ChannelSpec.builder(channel).groups("billing").build());
    List<String> sent = ids(ctx.publish(channel, 50));

    DeliveryLog billing = new DeliveryLog();
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).group("billing").build(), billing);
    billing.awaitAll(sent, ctx.deadline());
    billing.assertExactly(sent);
  }

  private static void lateSubscriber(CaseContext ctx) {
    Channel channel = ctx.channel("news");
    List<String> before = ids(ctx.publish(channel, 10));
    DeliveryLog late = new DeliveryLog();
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).build(), late);
    // A subscription may take a moment to attach at the broker's end; a marker published until
    // it arrives tells when it has, without sleeping.
    awaitAttached(ctx, channel, late);
    List<String> after = ids(ctx.publish(channel, 10));

    late.awaitAll(after, ctx.deadline());
    assertThat(late.ids()).doesNotContainAnyElementsOf(before).containsAll(after);
  }

  /** Publishes markers until {@code log} sees one; the markers are then part of what it saw. */
  static void awaitAttached(CaseContext ctx, Channel channel, DeliveryLog log) {
    Set<String> markers = ConcurrentHashMap.newKeySet();
    publishUntil(ctx, channel, markers, () -> log.ids().stream().anyMatch(markers::contains));
  }

  /**
   * Publishes a marker message, again and again, until {@code condition} holds: how a case
   * knows that a subscription is attached at the broker's end without sleeping.
   */
  static void publishUntil(CaseContext ctx, Channel channel, Set<String> markers,
      java.util.function.BooleanSupplier condition) {
    await().atMost(ctx.deadline()).until(() -> {
      if (condition.getAsBoolean()) {
        return true;
      }
      markers.add(ctx.confirm(ctx.message(channel, "marker")).messageId());
      return condition.getAsBoolean();
    });
  }

  private static void replay(CaseContext ctx) {
    Channel channel = ctx.channel("log");
    List<Message> first = ctx.publish(channel, 10);
    Instant boundary = Instant.now();
    // Broker timestamps have millisecond precision: step past the boundary's millisecond.
    await().atMost(ctx.deadline()).until(
        () -> Instant.now().toEpochMilli() > boundary.toEpochMilli() + 1);
    Instant between = Instant.ofEpochMilli(boundary.toEpochMilli() + 1);
    List<Message> second = ctx.publish(channel, 10);
    List<String> all = new ArrayList<>(ids(first));
    all.addAll(ids(second));

    List<Message> history = ctx.broker().history(channel, HistoryQuery.earliest().limit(100));
    assertThat(ids(history)).as("history from earliest").isEqualTo(all);

    Position fifth = history.get(4).position();
    List<Message> fromFifth = ctx.broker().history(channel,
        HistoryQuery.from(StartPosition.at(fifth)).limit(100));
    assertThat(ids(fromFifth)).as("history from position").isEqualTo(all.subList(4, 20));

    List<Message> fromTime = ctx.broker().history(channel,
        HistoryQuery.from(StartPosition.at(between)).limit(100));
    assertThat(ids(fromTime)).as("history from timestamp").isEqualTo(ids(second));

    DeliveryLog earliest = new DeliveryLog();
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).start(StartPosition.earliest())
        .build(), earliest);
    DeliveryLog atPosition = new DeliveryLog();
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).start(StartPosition.at(fifth))
        .build(), atPosition);
    DeliveryLog atTime = new DeliveryLog();
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).start(StartPosition.at(between))
        .build(), atTime);

    earliest.awaitAll(all, ctx.deadline());
    atPosition.awaitAll(all.subList(4, 20), ctx.deadline());
    atTime.awaitAll(ids(second), ctx.deadline());
    assertThat(ids(earliest.firstDeliveries())).isEqualTo(all);
    assertThat(ids(atPosition.firstDeliveries())).isEqualTo(all.subList(4, 20));
    assertThat(ids(atTime.firstDeliveries())).isEqualTo(ids(second));
  }

  private static void orderPerKey(CaseContext ctx) {
    Channel channel = ctx.channel("events");
    DeliveryLog log = new DeliveryLog();
    for (int i = 0; i < 3; i++) {
      ctx.subscribe(SubscriptionSpec.builder().channel(channel).group("ordered").concurrency(4)
          .build(), log);
    }
    List<Message> sent = new ArrayList<>(1000);
    for (int i = 0; i < 1000; i++) {
      Message message = ctx.message(channel, "n" + i).newBuilder().key("key-" + (i % 16))
          .build();
      ctx.broker().publish(message);
      sent.add(message);
    }
    log.awaitAll(ids(sent), ctx.deadline());
    log.assertOrderPerKey(sent);
  }

  private static void patternSubscription(CaseContext ctx) {
    Channel user1 = ctx.channel("user.1");
    Channel user2 = ctx.channel("user.2");
    Channel nested = ctx.channel("user.1.x");
    Channel other = ctx.channel("news");
    String prefix = user1.name().substring(0, user1.name().length() - 2);
    Map<String, Set<String>> perChannel = new ConcurrentHashMap<>();
    ctx.subscribe(SubscriptionSpec.builder().channels(prefix + ".*").build(),
        m -> perChannel.computeIfAbsent(m.channel().name(), c -> ConcurrentHashMap.newKeySet())
            .add(m.id()));
    DeliveryLog probe = new DeliveryLog();
    ctx.subscribe(SubscriptionSpec.builder().channels(prefix + ".*").build(), probe);
    awaitAttached(ctx, user1, probe);

    Set<String> expected = new HashSet<>();
    expected.addAll(ids(ctx.publish(user1, 5)));
    expected.addAll(ids(ctx.publish(user2, 5)));
    ctx.publish(nested, 5);
    ctx.publish(other, 5);

    await().atMost(ctx.deadline()).until(() -> {
      Set<String> seen = new HashSet<>();
      perChannel.values().forEach(seen::addAll);
      return seen.containsAll(expected);
    });
    assertThat(perChannel.keySet()).containsOnly(user1.name(), user2.name());
  }
}
