package dev.realtime.testkit;

import static dev.realtime.testkit.Awaits.await;
import static dev.realtime.testkit.CaseContext.ids;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.core.ConditionTimeoutException;

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
            DeliveryCases::patternSubscription),
        ConformanceCase.of(36, "naming is injective on the wire",
            DeliveryCases::namingIsInjective));
  }

  private static void roundTrip(CaseContext ctx) {
    Channel channel = ctx.channel("roundtrip");
    List<Message> received = new CopyOnWriteArrayList<>();
    DeliveryLog attached = ctx.log("round trip");
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).build(), m -> {
      received.add(m);
      attached.record(m);
    });
    ctx.awaitAttached(channel, attached);
    byte[] binary = {0, 1, (byte) 0xff, (byte) 0xfe, (byte) 0xc3, 0x28, 0x7f, (byte) 0x80};
    Message sent = Message.builder().channel(channel).event("file.chunk").payload(binary)
        .contentType("application/x-chunk").key("user-42")
        .header("trace", "abc-123").header("unicode", "grüße → 😀 日本")
        .timestamp(Instant.now().truncatedTo(ChronoUnit.MILLIS)).build();
    ctx.confirm(sent);
    Message text = ctx.message(channel, "text").newBuilder()
        .payload("naïve café ✓".getBytes(StandardCharsets.UTF_8)).build();
    ctx.confirm(text);

    attached.awaitAll(List.of(sent.id(), text.id()), ctx.deadline());
    Message got = find(received, sent.id());
    assertThat(got.channel()).isEqualTo(channel);
    assertThat(got.event()).isEqualTo("file.chunk");
    assertThat(got.payload()).isEqualTo(binary);
    assertThat(got.contentType()).isEqualTo("application/x-chunk");
    assertThat(got.key()).isEqualTo("user-42");
    assertThat(got.headers()).containsAllEntriesOf(sent.headers());
    assertThat(got.timestamp()).isEqualTo(sent.timestamp());
    assertThat(got.deliveryAttempt()).isEqualTo(1);
    if (ctx.broker().capabilities().has(Capability.REPLAY)) {
      // A position is where to replay from; Pub/Sub keeps nothing to replay, so it has none.
      assertThat(got.position()).isNotNull();
    }
    assertThat(find(received, text.id()).payloadAsString()).isEqualTo("naïve café ✓");
  }

  private static Message find(List<Message> received, String id) {
    return received.stream().filter(m -> m.id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("message " + id + " not received"));
  }

  private static void channelIsolation(CaseContext ctx) throws Exception {
    int channels = 20;
    int perChannel = 25;
    List<Channel> names = new ArrayList<>();
    List<DeliveryLog> logs = new ArrayList<>();
    for (int i = 0; i < channels; i++) {
      Channel channel = ctx.channel("iso" + i);
      DeliveryLog log = ctx.log("channel " + i);
      names.add(channel);
      logs.add(log);
      ctx.subscribe(SubscriptionSpec.builder().channel(channel).build(), log);
    }
    Set<String> markers = ConcurrentHashMap.newKeySet();
    for (int i = 0; i < channels; i++) {
      DeliveryLog log = logs.get(i);
      markers.addAll(ctx.publishUntil(names.get(i), () -> !log.ids().isEmpty()));
    }
    List<Future<List<Message>>> sent = new ArrayList<>();
    for (Channel channel : names) {
      sent.add(ctx.background(() -> ctx.publish(channel, perChannel)));
    }
    for (int i = 0; i < channels; i++) {
      List<String> expected = ids(sent.get(i).get());
      logs.get(i).awaitAll(expected, ctx.deadline());
      Set<String> got = new HashSet<>(logs.get(i).ids());
      got.removeAll(markers);
      assertThat(got).as("channel " + i + " received exactly its own")
          .containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  private static void broadcastFanOut(CaseContext ctx) {
    Channel channel = ctx.channel("fanout");
    List<DeliveryLog> subscribers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      DeliveryLog log = ctx.onceOnlyLog("subscriber " + i);
      subscribers.add(log);
      // One subscriber on another client: every server, not every subscription of one client.
      dev.realtime.Broker client = i == 2 ? ctx.otherClient() : ctx.broker();
      ctx.track(client.subscribe(SubscriptionSpec.builder().channel(channel).build(), log));
    }
    for (DeliveryLog log : subscribers) {
      ctx.awaitAttached(channel, log);
    }
    List<String> sent = ids(ctx.publish(channel, 100));

    for (DeliveryLog log : subscribers) {
      log.awaitAll(sent, ctx.deadline());
    }
  }

  /**
   * Three members, one on another client, all attached before the work is published (each has
   * received a marker), each with one message in flight at most: each message goes to one
   * member. A group that gives every member every message fails here. The one allowance: a
   * rebalance still settling after the markers (Kafka's incremental assignment) may move a
   * partition while its member handles a message, which then reaches the next owner too
   * (at-least-once); with one message in flight, that is one per member and move, so a few
   * such messages pass, with a note, and more fail.
   */
  private static void competingConsumers(CaseContext ctx) {
    Channel channel = ctx.channel("jobs");
    String group = ctx.group("workers");
    ensureSpread(ctx, channel, group);
    List<DeliveryLog> members = new ArrayList<>();
    DeliveryLog all = ctx.log("group"); // A moved partition may deliver one twice: see above.
    for (int i = 0; i < 3; i++) {
      DeliveryLog member = new DeliveryLog();
      members.add(member);
      dev.realtime.Broker client = i == 2 ? ctx.otherClient() : ctx.broker();
      ctx.track(client.subscribe(SubscriptionSpec.builder().channel(channel).group(group)
          .batchSize(1).maxInFlight(1).build(), m -> {
            member.record(m);
            all.record(m);
          }));
    }
    awaitEveryMember(ctx, channel, members);
    List<String> sent = ids(ctx.publish(channel, 300, i -> "k" + i));

    all.awaitAll(sent, ctx.deadline());
    Map<String, Long> shared = new java.util.TreeMap<>();
    for (String id : all.ids()) {
      long holders = members.stream().filter(m -> m.count(id) > 0).count();
      if (holders != 1) {
        shared.put(id, holders);
      }
    }
    if (!shared.isEmpty()) {
      ctx.note(shared.size() + " message(s) reached two members (a partition moved while its "
          + "member handled one)");
    }
    assertThat(shared).as("messages held by more than one member of the group (id -> members); "
        + "a partition moved after attach explains at most two per member")
        .hasSizeLessThanOrEqualTo(2 * members.size());
  }

  /**
   * Creates {@code group} on {@code channel} with partitions enough for a few members, where a
   * broker has them (Kafka gives a member whole partitions, and a member without one would never
   * get a marker).
   */
  private static void ensureSpread(CaseContext ctx, Channel channel, String group) {
    try {
      ctx.broker().admin().ensure(ChannelSpec.builder(channel).partitions(6).groups(group)
          .build());
    } catch (IllegalArgumentException noPartitions) {
      ctx.ensureGroups(channel, group); // A channel is one stream or queue, shared by all.
    }
  }

  /**
   * Publishes markers under many keys, so that they reach every partition, until every member
   * has one: the group is settled, and no rebalance moves messages while the work flows.
   */
  private static void awaitEveryMember(CaseContext ctx, Channel channel,
      List<DeliveryLog> members) {
    java.util.concurrent.atomic.AtomicInteger marker =
        new java.util.concurrent.atomic.AtomicInteger();
    await().atMost(ctx.deadline()).until(() -> {
      if (members.stream().allMatch(m -> !m.ids().isEmpty())) {
        return true;
      }
      ctx.confirm(ctx.message(channel, "marker").newBuilder()
          .key("marker-" + marker.incrementAndGet()).build());
      return members.stream().allMatch(m -> !m.ids().isEmpty());
    });
  }

  private static void groupsAreIndependent(CaseContext ctx) {
    Channel channel = ctx.channel("orders");
    String billingGroup = ctx.group("billing");
    String auditGroup = ctx.group("audit");
    ctx.ensureGroups(channel, billingGroup, auditGroup);
    DeliveryLog billing = ctx.onceOnlyLog("billing");
    DeliveryLog audit = ctx.onceOnlyLog("audit");
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).group(billingGroup).build(),
        billing);
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).group(auditGroup).build(), audit);
    List<String> sent = ids(ctx.publish(channel, 100));

    billing.awaitAll(sent, ctx.deadline());
    audit.awaitAll(sent, ctx.deadline());
    billing.assertExactly(sent);
    audit.assertExactly(sent);
  }

  private static void publishBeforeFirstConsume(CaseContext ctx) {
    Channel channel = ctx.channel("orders");
    String group = ctx.group("billing");
    ctx.ensureGroups(channel, group);
    List<String> sent = ids(ctx.publish(channel, 50));

    DeliveryLog billing = ctx.onceOnlyLog("billing");
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).group(group).build(), billing);
    billing.awaitAll(sent, ctx.deadline());
    billing.assertExactly(sent);
  }

  /**
   * Starts at latest: nothing from before, and everything published once {@code subscribe()}
   * returned, the very first message included (no markers to wait for attachment: the return
   * is the promise).
   */
  private static void lateSubscriber(CaseContext ctx) {
    Channel channel = ctx.channel("news");
    List<String> before = ids(ctx.publish(channel, 10));
    DeliveryLog late = ctx.onceOnlyLog("late subscriber");
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).build(), late);
    List<String> after = ids(ctx.publish(channel, 10));

    try {
      late.awaitAll(after, ctx.deadline());
    } catch (AssertionError e) {
      throw new AssertionError("a subscription at latest missed messages published after "
          + "subscribe() returned (the first was " + after.get(0) + ", received " + late.ids()
          + ")", e);
    }
    assertThat(late.ids()).doesNotContainAnyElementsOf(before).containsAll(after);
  }

  private static void replay(CaseContext ctx) {
    Channel channel = ctx.channel("log");
    // One partition and one key: the case asserts one total order.
    ctx.broker().admin().ensure(ChannelSpec.builder(channel).partitions(1).build());
    List<Message> first = ctx.publish(channel, 10, i -> "replay");
    Instant boundary = Instant.now();
    // Broker timestamps have millisecond precision: step past the boundary's millisecond.
    await().atMost(ctx.deadline()).until(
        () -> Instant.now().toEpochMilli() > boundary.toEpochMilli() + 1);
    Instant between = Instant.ofEpochMilli(boundary.toEpochMilli() + 1);
    List<Message> second = ctx.publish(channel, 10, i -> "replay");
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

    // "At or after" includes the boundary: from a stored message's exact time, that message
    // comes back, and everything after it.
    // Four messages, the first and last of each batch: a history read is a consumer on Kafka.
    for (int i : new int[] {0, 9, 10, 19}) {
      Message stored = history.get(i);
      List<Message> fromExact = ctx.broker().history(channel,
          HistoryQuery.from(StartPosition.at(stored.timestamp())).limit(100));
      assertThat(ids(fromExact)).as("history from the exact time %s of message %d, %s",
          stored.timestamp(), i, stored.id()).containsAll(all.subList(i, all.size()));
    }

    DeliveryLog earliest = ctx.log("from earliest");
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).start(StartPosition.earliest())
        .build(), earliest);
    DeliveryLog atPosition = ctx.log("from position");
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).start(StartPosition.at(fifth))
        .build(), atPosition);
    DeliveryLog atTime = ctx.log("from timestamp");
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).start(StartPosition.at(between))
        .build(), atTime);
    Message sixth = history.get(5);
    DeliveryLog atExactTime = ctx.log("from a message's exact time");
    ctx.subscribe(SubscriptionSpec.builder().channel(channel)
        .start(StartPosition.at(sixth.timestamp())).build(), atExactTime);

    earliest.awaitAll(all, ctx.deadline());
    atPosition.awaitAll(all.subList(4, 20), ctx.deadline());
    atTime.awaitAll(ids(second), ctx.deadline());
    atExactTime.awaitAll(all.subList(5, 20), ctx.deadline());
    assertThat(ids(earliest.firstDeliveries())).isEqualTo(all);
    assertThat(ids(atPosition.firstDeliveries())).isEqualTo(all.subList(4, 20));
    assertThat(ids(atTime.firstDeliveries())).isEqualTo(ids(second));
  }

  /**
   * Three group members share the work; without groups (Redis Pub/Sub), three broadcast
   * subscribers each check the order of everything.
   */
  private static void orderPerKey(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("events");
    List<DeliveryLog> logs = new ArrayList<>();
    if (ctx.broker().capabilities().has(Capability.CONSUMER_GROUPS)) {
      String group = ctx.group("ordered");
      ctx.ensureGroups(channel, group);
      DeliveryLog log = ctx.log("ordered group");
      for (int i = 0; i < 3; i++) {
        ctx.subscribe(SubscriptionSpec.builder().channel(channel).group(group).concurrency(4)
            .build(), log);
      }
      logs.add(log);
    } else {
      for (int i = 0; i < 3; i++) {
        DeliveryLog log = ctx.log("ordered subscriber " + i);
        ctx.subscribe(SubscriptionSpec.builder().channel(channel).concurrency(4).build(), log);
        ctx.awaitAttached(channel, log);
        logs.add(log);
      }
    }
    List<Message> sent = new ArrayList<>(1000);
    List<java.util.concurrent.CompletableFuture<?>> confirms = new ArrayList<>(1000);
    for (int i = 0; i < 1000; i++) {
      Message message = ctx.message(channel, "n" + i).newBuilder().key("key-" + (i % 16))
          .build();
      confirms.add(ctx.broker().publish(message).toCompletableFuture());
      sent.add(message);
    }
    java.util.concurrent.CompletableFuture.allOf(
        confirms.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
        .get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS);
    for (DeliveryLog log : logs) {
      log.awaitAll(ids(sent), ctx.deadline());
      log.assertOrderPerKey(sent);
    }
    if (ctx.broker().capabilities().has(Capability.CONSUMER_GROUPS)) {
      keyOutlivesItsHolder(ctx);
    }
  }

  /**
   * Order per key across members: two members that take one message at a time share a key's
   * four messages. The first holds the key's first in its handler while the second and third
   * are published, then the key's second (the key stays with it while it holds the third),
   * while the fourth is published; it is closed meanwhile. The third and fourth go on to the
   * other member, in order, once the second was handled: no two members handle the key at once,
   * and the key does not stay with a member that is gone. Fetches wait long, so that the
   * hand-over must wake the member that takes it, not leave the messages to its next poll.
   */
  private static void keyOutlivesItsHolder(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("handover");
    String group = ctx.group("holders");
    ensureSpread(ctx, channel, group);
    List<Message> keyed = new ArrayList<>();
    for (String event : List.of("first", "second", "third", "fourth")) {
      keyed.add(ctx.message(channel, event).newBuilder().key("held").build());
    }
    List<String> held = ids(keyed.subList(0, 2));
    List<java.util.concurrent.CountDownLatch> entered = List.of(
        new java.util.concurrent.CountDownLatch(1), new java.util.concurrent.CountDownLatch(1));
    List<java.util.concurrent.CountDownLatch> release = List.of(
        new java.util.concurrent.CountDownLatch(1), new java.util.concurrent.CountDownLatch(1));
    java.util.concurrent.atomic.AtomicInteger handlingKey =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean overlapped =
        new java.util.concurrent.atomic.AtomicBoolean();
    DeliveryLog all = ctx.log("the key across the hand-over");
    SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).group(group)
        .batchSize(1).maxInFlight(1).pollTimeout(ctx.deadline().multipliedBy(2)).build();
    List<DeliveryLog> members = new ArrayList<>();
    List<dev.realtime.subscription.Subscription> subscriptions = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      DeliveryLog member = ctx.log("member " + i + " of the hand-over");
      members.add(member);
      subscriptions.add(ctx.subscribe(spec, m -> {
        member.record(m);
        if (!"held".equals(m.key())) {
          return;
        }
        all.record(m);
        if (handlingKey.incrementAndGet() > 1) {
          overlapped.set(true);
        }
        try {
          int index = held.indexOf(m.id());
          if (index >= 0) {
            entered.get(index).countDown();
            release.get(index).await();
          }
        } finally {
          handlingKey.decrementAndGet();
        }
      }));
    }
    awaitEveryMember(ctx, channel, members);
    ctx.confirm(keyed.get(0));
    awaitEntered(ctx, entered.get(0), "first");
    ctx.confirm(keyed.get(1));
    ctx.confirm(keyed.get(2));
    release.get(0).countDown();
    awaitEntered(ctx, entered.get(1), "second");
    ctx.confirm(keyed.get(3));
    int holder = members.get(0).count(held.get(1)) > 0 ? 0 : 1;
    dev.realtime.subscription.Subscription leaving = subscriptions.get(holder);
    Future<Boolean> closed = ctx.background(() -> leaving.close(ctx.deadline()));
    await().atMost(ctx.deadline()).until(() -> !leaving.isActive());
    release.get(1).countDown();
    assertThat(closed.get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS))
        .as("the member holding the key drained").isTrue();

    DeliveryLog other = members.get(1 - holder);
    try {
      other.awaitAll(ids(keyed.subList(2, 4)), ctx.deadline());
    } catch (AssertionError e) {
      throw new AssertionError("the key's third and fourth never reached the member that "
          + "stayed, after the member holding the key left", e);
    }
    assertThat(overlapped).as("two members handled the key at once").isFalse();
    all.assertOrderPerKey(keyed);
    assertThat(other.count(held.get(1))).as("the second, handled by the member that left, "
        + "delivered again").isZero();
  }

  private static void awaitEntered(CaseContext ctx, java.util.concurrent.CountDownLatch entered,
      String which) throws InterruptedException {
    assertThat(entered.await(ctx.deadline().toMillis(),
        TimeUnit.MILLISECONDS))
        .as("a member is handling the key's %s", which).isTrue();
  }

  /** Case 25's pattern subscriptions started while channels are being created. */
  private static final int STARTED_AMONG_NEW_CHANNELS = 3;
  /** At most this many channels are created while they start. */
  private static final int CREATED_WHILE_STARTING = 2_000;

  private static void patternSubscription(CaseContext ctx) throws Exception {
    Channel user1 = ctx.channel("user.1");
    Channel user2 = ctx.channel("user.2");
    Channel nested = ctx.channel("user.1.x");
    Channel other = ctx.channel("news");
    String prefix = user1.name().substring(0, user1.name().length() - 2);
    // A channel that exists before the subscription: it matches too, from the subscription's
    // start (latest), so what it held before is not delivered.
    Channel existing = ctx.channel("user.3");
    String before = ctx.confirm(ctx.message(existing, "before")).messageId();
    Map<String, Set<String>> perChannel = new ConcurrentHashMap<>();
    DeliveryLog matched = ctx.log("pattern");
    ctx.subscribe(SubscriptionSpec.builder().channels(prefix + ".*").build(), m -> {
      perChannel.computeIfAbsent(m.channel().name(), c -> ConcurrentHashMap.newKeySet())
          .add(m.id());
      matched.record(m);
    });
    ctx.awaitAttached(user1, matched);
    // What must not match goes first, and is seen arriving through exact subscriptions, so a
    // wrong match would have arrived before the matching messages are checked.
    DeliveryLog exact = ctx.log("exact");
    ctx.subscribe(SubscriptionSpec.builder().channel(nested).channel(other).build(), exact);
    ctx.awaitAttached(nested, exact);
    ctx.awaitAttached(other, exact);
    List<String> excluded = new ArrayList<>(ids(ctx.publish(nested, 5)));
    excluded.addAll(ids(ctx.publish(other, 5)));
    exact.awaitAll(excluded, ctx.deadline());

    Set<String> expected = new HashSet<>();
    expected.addAll(ids(ctx.publish(user1, 5)));
    expected.addAll(ids(ctx.publish(user2, 5)));
    expected.addAll(ids(ctx.publish(existing, 5)));
    matched.awaitAll(expected, ctx.deadline());
    assertThat(perChannel.keySet()).containsOnly(user1.name(), user2.name(), existing.name());
    assertThat(matched.ids()).doesNotContainAnyElementsOf(excluded);
    assertThat(matched.ids()).as("a message on a matching channel published before a pattern "
        + "subscription from the latest position").doesNotContain(before);
    channelsCreatedWhileItStarts(ctx);
  }

  /**
   * A pattern subscription covers the channels created while it starts, as it covers those
   * that existed before and those created after. It finds the ones that exist as it starts and
   * is told of the ones created once it runs; a channel created between the two must not fall
   * through. Channels are created one after another from just before the first of {@value
   * #STARTED_AMONG_NEW_CHANNELS} subscribe calls until the last returns (at most {@value
   * #CREATED_WHILE_STARTING}), and each subscription must then cover each of them. (Several
   * subscriptions, because the moment between the two is short: one subscribe may miss it.)
   */
  private static void channelsCreatedWhileItStarts(CaseContext ctx) throws Exception {
    Channel first = ctx.channel("made.0");
    String prefix = first.name().substring(0, first.name().length() - 2);
    List<Channel> created = new CopyOnWriteArrayList<>();
    AtomicBoolean subscribed = new AtomicBoolean();
    Future<Object> creating = ctx.background(() -> {
      for (int i = 0; i < CREATED_WHILE_STARTING && !subscribed.get(); i++) {
        Channel channel = i == 0 ? first : ctx.channelNamed(prefix + "." + i);
        ctx.confirm(ctx.message(channel, "creates it"));
        created.add(channel);
      }
      return null;
    });
    SubscriptionSpec spec = SubscriptionSpec.builder().channels(prefix + ".*").build();
    List<DeliveryLog> logs = new ArrayList<>();
    // Subscribes once the creating is under way, so that it goes on all through the subscribes.
    await().atMost(ctx.deadline()).until(() -> created.size() >= 2 || creating.isDone());
    try {
      for (int i = 0; i < STARTED_AMONG_NEW_CHANNELS; i++) {
        DeliveryLog log = ctx.log("pattern subscription " + i + ", started among new channels");
        ctx.subscribe(spec, log);
        logs.add(log);
      }
    } finally {
      subscribed.set(true);
    }
    creating.get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS);
    ctx.note(created.size() + (created.size() == 1 ? " channel" : " channels")
        + " created while the pattern subscriptions started");
    // A marker to every channel not yet seen by every subscription, round after round: all of
    // them at once, rather than waiting for each in turn.
    Map<Channel, Set<String>> markers = new ConcurrentHashMap<>();
    Set<Channel> uncovered = ConcurrentHashMap.newKeySet();
    uncovered.addAll(created);
    try {
      await().atMost(ctx.deadline()).until(() -> {
        uncovered.removeIf(channel -> logs.stream().allMatch(log -> markers
            .getOrDefault(channel, Set.of()).stream().anyMatch(log.ids()::contains)));
        for (Channel channel : uncovered) {
          markers.computeIfAbsent(channel, c -> ConcurrentHashMap.newKeySet())
              .add(ctx.confirm(ctx.message(channel, "marker")).messageId());
        }
        return uncovered.isEmpty();
      });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(uncovered.size() + " of the " + created.size() + " channels "
          + "created while the pattern subscriptions started are not covered by each of them: "
          + uncovered, e);
    }
  }

  /**
   * Case 36. Channels that a careless escape would map to one backend name ('.' and '_' both
   * written '_', '_' written '-', names folded to lower case), and two groups whose queue names
   * a careless join would make one ({@code <group>.<channel>}: group {@code g.x} on channel
   * {@code c}, group {@code g} on channel {@code x.c}): each subscriber receives exactly its own
   * channel's messages, and history holds exactly them.
   */
  private static void namingIsInjective(CaseContext ctx) {
    List<Channel> channels = List.of(
        ctx.channel("user_1"), ctx.channel("user.1"),
        ctx.channel("a_b.c"), ctx.channel("a.b_c"),
        ctx.channel("x-1"), ctx.channel("x_1"),
        ctx.channel("Up"), ctx.channel("up"));
    Map<Channel, DeliveryLog> logs = new java.util.LinkedHashMap<>();
    for (Channel channel : channels) {
      DeliveryLog log = ctx.log(channel.name());
      ctx.subscribe(SubscriptionSpec.builder().channel(channel).build(), log);
      logs.put(channel, log);
    }
    List<Subscriber> subscribers = new ArrayList<>();
    logs.forEach((channel, log) -> subscribers.add(new Subscriber(channel.name(), channel, log)));
    if (ctx.broker().capabilities().has(Capability.CONSUMER_GROUPS)) {
      String base = ctx.group("n");
      Channel plain = ctx.channel("g");
      Channel longer = ctx.channelNamed("x." + plain.name());
      for (Object[] pair : new Object[][] {{plain, base + ".x"}, {longer, base}}) {
        Channel channel = (Channel) pair[0];
        String group = (String) pair[1];
        ctx.ensureGroups(channel, group);
        DeliveryLog log = ctx.log("group " + group + " on " + channel.name());
        ctx.subscribe(SubscriptionSpec.builder().channel(channel).group(group).build(), log);
        subscribers.add(new Subscriber("group " + group + " on " + channel.name(), channel,
            log));
      }
    }
    // Markers to every subscriber that has none yet, round after round, until each has one:
    // all attached, waiting for them together rather than one after another.
    Map<Subscriber, Set<String>> own = new java.util.LinkedHashMap<>();
    subscribers.forEach(subscriber -> own.put(subscriber, ConcurrentHashMap.newKeySet()));
    await().atMost(ctx.deadline()).until(() -> {
      boolean attached = true;
      for (Subscriber subscriber : subscribers) {
        if (subscriber.log.ids().isEmpty()) {
          attached = false;
          own.get(subscriber).add(ctx.confirm(ctx.message(subscriber.channel, "marker"))
              .messageId());
        }
      }
      return attached;
    });
    Map<Channel, Set<String>> sentTo = new java.util.LinkedHashMap<>();
    for (Subscriber subscriber : subscribers) {
      List<String> sent = ids(ctx.publish(subscriber.channel, 5));
      sentTo.computeIfAbsent(subscriber.channel, c -> new HashSet<>()).addAll(sent);
    }
    Set<String> everything = new HashSet<>();
    for (Subscriber subscriber : subscribers) {
      Set<String> expected = own.get(subscriber);
      expected.addAll(sentTo.get(subscriber.channel));
      // Markers published for another subscriber of the same channel are its own too.
      for (Subscriber other : subscribers) {
        if (other.channel.equals(subscriber.channel)) {
          expected.addAll(own.get(other));
        }
      }
      everything.addAll(sentTo.get(subscriber.channel));
    }
    // Once every message reached some subscriber, a cross-delivery would show: check that
    // first, since a message that went to the wrong subscriber is also missing from the right.
    await().atMost(ctx.deadline()).until(() -> subscribers.stream()
        .flatMap(s -> s.log.ids().stream()).collect(java.util.stream.Collectors.toSet())
        .containsAll(everything));
    for (Subscriber subscriber : subscribers) {
      Set<String> foreign = new HashSet<>(subscriber.log.ids());
      foreign.removeAll(own.get(subscriber));
      assertThat(foreign).as("messages of other channels (or another group's) that reached %s",
          subscriber.name).isEmpty();
    }
    for (Subscriber subscriber : subscribers) {
      subscriber.log.awaitAll(sentTo.get(subscriber.channel), ctx.deadline());
    }
    if (ctx.broker().capabilities().has(Capability.REPLAY)) {
      for (Subscriber subscriber : subscribers) {
        List<String> stored = ids(ctx.broker().history(subscriber.channel,
            HistoryQuery.earliest().limit(HistoryQuery.MAX_LIMIT)));
        assertThat(own.get(subscriber)).as("history of %s holds only its own messages",
            subscriber.channel).containsAll(stored);
      }
    }
  }

  /** A subscription of case 36 and what it received. */
  private static final class Subscriber {
    final String name;
    final Channel channel;
    final DeliveryLog log;

    Subscriber(String name, Channel channel, DeliveryLog log) {
      this.name = name;
      this.channel = channel;
      this.log = log;
    }
  }
}
