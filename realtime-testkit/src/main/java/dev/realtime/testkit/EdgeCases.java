package dev.realtime.testkit;

import static dev.realtime.testkit.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Broker;
import dev.realtime.Capabilities;
import dev.realtime.Capability;
import dev.realtime.Message;
import dev.realtime.PublishReceipt;
import dev.realtime.channel.Channel;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cases about the edges of the promises (issue 14): what a delivery attempt counts, where a new
 * group starts, what a clean close leaves behind, and how long a close may take when the broker
 * is gone.
 */
final class EdgeCases {
  /** The close-timeout case 32 sets, and the slack it allows over it on a loaded machine. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);
  static final Duration CLOSE_SLACK = Duration.ofSeconds(3);

  private EdgeCases() {}

  static List<ConformanceCase> all() {
    return List.of(
        // Uses the cut hook where there is one (then it is kept out of the stress case).
        ConformanceCase.of(29, "attempts count handler deliveries",
            EdgeCases::attemptsCountHandlerDeliveries),
        ConformanceCase.gated(30, "a new group starts where it says",
            Set.of(Capability.CONSUMER_GROUPS), EdgeCases::newGroupStartsWhereItSays),
        ConformanceCase.gated(31, "nothing twice after a clean close",
            Set.of(Capability.CONSUMER_GROUPS), EdgeCases::nothingTwiceAfterACleanClose),
        ConformanceCase.withHook(32, "bounded close with the broker gone", Set.of(),
            ConformanceCase.Hook.CUT_CONNECTIONS, EdgeCases::boundedCloseWithTheBrokerGone));
  }

  /**
   * Case 29. {@code Message.deliveryAttempt()} counts the times a handler of the group was
   * given the message: members that close gracefully while holding fetched, unstarted messages
   * (a rolling restart) spend no attempt on them; a handler's delivery whose acknowledgement was
   * lost (the connection cut under it) counts one more.
   */
  private static void attemptsCountHandlerDeliveries(CaseContext ctx) throws Exception {
    Capabilities capabilities = ctx.broker().capabilities();
    if (!capabilities.has(Capability.CONSUMER_GROUPS)
        || !capabilities.has(Capability.PERSISTENCE)) {
      ctx.note("hand-backs not checked: no persistent groups (retries count: case 11)");
      return;
    }
    handBacksKeepTheAttempt(ctx);
    if (ctx.environment().canCutConnections()) {
      aLostAcknowledgementCountsOneMore(ctx);
    } else {
      ctx.note("lost acknowledgement not checked: no cut hook in "
          + ctx.environment().description());
    }
  }

  private static void handBacksKeepTheAttempt(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("rolling");
    String group = ctx.group("workers");
    ctx.ensureGroups(channel, group);
    List<String> sent = CaseContext.ids(ctx.publish(channel, 20));
    SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).group(group).build();
    Map<String, List<Integer>> attempts = new ConcurrentHashMap<>();
    Set<String> held = ConcurrentHashMap.newKeySet();
    // Three rolling restarts: each member holds its first message in its handler (one lane, so
    // the rest it fetched wait behind it, unstarted), and is closed gracefully meanwhile.
    for (int member = 0; member < 3; member++) {
      CountDownLatch holding = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Subscription subscription = ctx.subscribe(spec, m -> {
        attempts.computeIfAbsent(m.id(), id -> new CopyOnWriteArrayList<>())
            .add(m.deliveryAttempt());
        held.add(m.id());
        holding.countDown();
        release.await();
      });
      assertThat(holding.await(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS))
          .as("member %d got a message", member).isTrue();
      Future<Boolean> closing = ctx.background(() -> subscription.close(ctx.deadline()));
      await().atMost(ctx.deadline()).until(() -> !subscription.isActive());
      release.countDown();
      assertThat(closing.get(ctx.deadline().toMillis() * 2, TimeUnit.MILLISECONDS))
          .as("member %d drained", member).isTrue();
    }
    DeliveryLog last = ctx.log("member after three restarts");
    ctx.subscribe(spec, m -> {
      attempts.computeIfAbsent(m.id(), id -> new CopyOnWriteArrayList<>())
          .add(m.deliveryAttempt());
      last.record(m);
    });
    List<String> rest = new ArrayList<>(sent);
    rest.removeAll(held);
    last.awaitAll(rest, ctx.deadline());
    // A handler's first delivery of each message is attempt 1, whoever fetched it before.
    Map<String, List<Integer>> spent = new java.util.TreeMap<>();
    attempts.forEach((id, seen) -> {
      if (seen.get(0) != 1) {
        spent.put(id, seen);
      }
    });
    assertThat(spent).as("attempts seen by handlers, by id, where the first was not 1: three "
        + "graceful closes handed back messages no handler had, which must keep attempt 1")
        .isEmpty();
  }

  private static void aLostAcknowledgementCountsOneMore(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("lost-ack");
    String group = ctx.group("lost-ack"); // Not the first part's group, which has a member.
    ctx.ensureGroups(channel, group);
    Message message = ctx.message(channel, "lost-ack");
    ctx.confirm(message);
    SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).group(group)
        .drainTimeout(CLOSE_TIMEOUT).build();
    CountDownLatch handling = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    List<Integer> firstAttempts = new CopyOnWriteArrayList<>();
    // The member has a client of its own, which dies with the connection: a client that lives
    // on would send the acknowledgement once it reconnects, and nothing would be lost.
    Broker member = ctx.client(ctx.environment().config().newBuilder()
        .set("realtime.close-timeout", CLOSE_TIMEOUT.toMillis() + "ms").build());
    member.subscribe(spec, m -> {
      firstAttempts.add(m.deliveryAttempt());
      handling.countDown();
      finish.await();
    });
    assertThat(handling.await(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    BrokerEnvironment environment = ctx.environment();
    environment.cutConnections();
    try {
      finish.countDown(); // The handler returns; its acknowledgement cannot reach the broker.
      member.close(); // Gives up within its close-timeout: the member is gone, its ack lost.
    } finally {
      environment.restoreConnections();
    }
    List<Integer> secondAttempts = new CopyOnWriteArrayList<>();
    DeliveryLog second = ctx.log("member after the lost acknowledgement");
    ctx.track(takingOver(ctx).subscribe(spec, m -> {
      if (m.id().equals(message.id())) {
        secondAttempts.add(m.deliveryAttempt());
      }
      second.record(m);
    }));
    // Redis hands a dead member's entries over after realtime.redis.claim-idle-timeout.
    second.awaitAll(List.of(message.id()), ctx.deadline().multipliedBy(2));
    assertThat(firstAttempts).as("first delivery").containsExactly(1);
    assertThat(secondAttempts.get(0)).as("the delivery after a handler had it and its "
        + "acknowledgement was lost counts one more").isEqualTo(2);
  }

  /**
   * Case 30. A group that does not exist yet, on a channel that does not exist yet, starting at
   * {@code latest}: a message published once {@code subscribe} returned reaches it. Several
   * times, since a race loses only some of the rounds.
   */
  private static void newGroupStartsWhereItSays(CaseContext ctx) {
    for (int round = 0; round < 5; round++) {
      Channel channel = ctx.channel("new" + round);
      DeliveryLog log = ctx.log("new group, round " + round);
      ctx.subscribe(SubscriptionSpec.builder().channel(channel).group(ctx.group("new" + round))
          .start(StartPosition.latest()).build(), log);
      Message message = ctx.message(channel, "right-after-subscribe");
      ctx.confirm(message);
      try {
        log.awaitAll(List.of(message.id()), ctx.deadline());
      } catch (AssertionError e) {
        throw new AssertionError("round " + (round + 1) + ": a message published right after "
            + "subscribe(group, latest) returned never reached the new group on new channel "
            + channel.name(), e);
      }
    }
  }

  /**
   * Case 31. A backlog, two members closed gracefully one after the other while working through
   * it, then a third: every message handled exactly once, counted by id.
   */
  private static void nothingTwiceAfterACleanClose(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("backlog");
    String group = ctx.group("workers");
    ctx.ensureGroups(channel, group);
    List<String> sent = publishBacklog(ctx, channel, 4000);
    SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).group(group)
        .concurrency(4).build();
    DeliveryLog log = ctx.log("group across clean closes");
    for (int member = 0; member < 2; member++) {
      // Each member handles 1,000 messages, then its handlers wait until it is closing, so
      // that it closes with handlers running and fetched messages waiting behind them.
      AtomicInteger handled = new AtomicInteger();
      CountDownLatch closing = new CountDownLatch(1);
      Subscription subscription = ctx.subscribe(spec, m -> {
        log.record(m);
        if (handled.incrementAndGet() >= 1000) {
          closing.await();
        }
      });
      await().atMost(ctx.deadline()).until(() -> handled.get() >= 1000);
      Future<Boolean> closed = ctx.background(() -> subscription.close(ctx.deadline()));
      await().atMost(ctx.deadline()).until(() -> !subscription.isActive());
      closing.countDown();
      assertThat(closed.get(ctx.deadline().toMillis() * 2, TimeUnit.MILLISECONDS))
          .as("member %d drained", member).isTrue();
    }
    ctx.subscribe(spec, log);
    log.awaitAll(sent, ctx.deadline().multipliedBy(2));
    assertThat(log.duplicates()).as("messages handled more than once (id -> times) after "
        + "clean closes").isEmpty();
  }

  /**
   * Case 32. With the broker unreachable, closing a client (a group member with a handler in
   * the middle of a message, and a broadcast subscriber) returns within its {@code
   * realtime.close-timeout}; once the broker is back, what the member did not finish reaches
   * the group.
   */
  private static void boundedCloseWithTheBrokerGone(CaseContext ctx) throws Exception {
    RealtimeConfig config = ctx.environment().config().newBuilder()
        .set("realtime.close-timeout", CLOSE_TIMEOUT.toMillis() + "ms").build();
    Broker closing = ctx.client(config);
    boolean groups = closing.capabilities().has(Capability.CONSUMER_GROUPS)
        && closing.capabilities().has(Capability.PERSISTENCE);
    Channel channel = ctx.channel("gone");
    String group = ctx.group("workers");
    if (groups) {
      ctx.ensureGroups(channel, group);
    }
    DeliveryLog broadcast = ctx.log("broadcast before the outage");
    ctx.track(closing.subscribe(SubscriptionSpec.builder().channel(channel).build(), broadcast));
    ctx.awaitAttached(channel, broadcast);
    Message held = ctx.message(channel, "held");
    CountDownLatch holding = new CountDownLatch(1);
    if (groups) {
      ctx.track(closing.subscribe(SubscriptionSpec.builder().channel(channel).group(group)
          .build(), m -> {
            if (m.id().equals(held.id())) {
              holding.countDown();
              new CountDownLatch(1).await(); // Until close interrupts it.
            }
          }));
      ctx.confirm(held);
      assertThat(holding.await(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS))
          .as("the group member is handling a message").isTrue();
    }
    BrokerEnvironment environment = ctx.environment();
    environment.cutConnections();
    Duration took;
    try {
      long start = System.nanoTime();
      closing.close();
      took = Duration.ofNanos(System.nanoTime() - start);
    } finally {
      environment.restoreConnections();
    }
    assertThat(took).as("close() with the broker unreachable and realtime.close-timeout=%s",
        CLOSE_TIMEOUT).isLessThan(CLOSE_TIMEOUT.plus(CLOSE_SLACK));
    ctx.note("closed in " + took.toMillis() + " ms");
    if (groups) {
      DeliveryLog next = ctx.log("group member after the outage");
      ctx.track(takingOver(ctx).subscribe(SubscriptionSpec.builder().channel(channel)
          .group(group).build(), next));
      // Redis hands a gone member's entries over after realtime.redis.claim-idle-timeout.
      next.awaitAll(List.of(held.id()), ctx.deadline().multipliedBy(2));
    }
  }

  /**
   * The client for the member that takes over from one gone without a goodbye (cases 29 and
   * 32): one with the environment's settings for survivors of a member's death where it has
   * them, else the case's own broker. On Redis that is {@code
   * realtime.redis.claim-idle-timeout=1s}: the same XAUTOCLAIM hands the entries over after a
   * second instead of the default 30 s, which each of the two cases otherwise sat out.
   */
  private static Broker takingOver(CaseContext ctx) {
    java.util.Optional<MemberDeath> death = ctx.environment().memberDeath();
    if (death.isEmpty()) {
      return ctx.broker();
    }
    try (MemberDeath settings = death.get()) { // Only its settings: nobody dies here.
      return ctx.client(settings.survivorConfig());
    }
  }

  /** Publishes {@code count} messages in confirmed batches; returns their ids in order. */
  static List<String> publishBacklog(CaseContext ctx, Channel channel, int count)
      throws Exception {
    List<String> sent = new ArrayList<>(count);
    for (int from = 0; from < count; from += 500) {
      List<Message> batch = new ArrayList<>();
      for (int i = from; i < Math.min(count, from + 500); i++) {
        batch.add(ctx.message(channel, "b" + i));
      }
      List<PublishReceipt> receipts = ctx.confirmAll(batch);
      assertThat(receipts).hasSize(batch.size());
      batch.forEach(m -> sent.add(m.id()));
    }
    assertThat(new HashSet<>(sent)).hasSize(count);
    return sent;
  }
}
