package dev.realtime.testkit;

import static dev.realtime.testkit.CaseContext.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.realtime.testkit.Awaits.await;

import dev.realtime.Broker;
import dev.realtime.BrokerClosedException;
import dev.realtime.BrokerUnavailableException;
import dev.realtime.Brokers;
import dev.realtime.Capability;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.PayloadTooLargeException;
import dev.realtime.PublishReceipt;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.channel.InvalidChannelException;
import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** Cases about load, faults and bad input. */
final class ResilienceCases {
  private ResilienceCases() {}

  static List<ConformanceCase> all() {
    return List.of(
        ConformanceCase.of(16, "many publishers", ResilienceCases::manyPublishers),
        ConformanceCase.gated(18, "publish confirms", Set.of(Capability.PUBLISHER_CONFIRMS,
            Capability.REPLAY), ResilienceCases::publishConfirms),
        ConformanceCase.gated(20, "close under load", Set.of(Capability.PERSISTENCE,
            Capability.CONSUMER_GROUPS), ResilienceCases::closeUnderLoad),
        ConformanceCase.withHook(21, "broker restart", Set.of(Capability.PERSISTENCE,
            Capability.CONSUMER_GROUPS), ConformanceCase.Hook.RESTART,
            ResilienceCases::brokerRestart),
        ConformanceCase.gated(22, "rebalance", Set.of(Capability.CONSUMER_GROUPS),
            ResilienceCases::rebalance),
        ConformanceCase.withHook(23, "subscribe while the broker is down", Set.of(),
            ConformanceCase.Hook.CUT_CONNECTIONS, ResilienceCases::subscribeWhileDown),
        ConformanceCase.of(24, "bad input", ResilienceCases::badInput),
        ConformanceCase.of(26, "health", ResilienceCases::health),
        ConformanceCase.gated(27, "retention", Set.of(Capability.RETENTION, Capability.REPLAY),
            ResilienceCases::retention));
  }

  private static void manyPublishers(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("load");
    DeliveryLog log = ctx.log("many publishers");
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).concurrency(4).build(), log);
    ctx.awaitAttached(channel, log);
    int threads = 20;
    int each = 500;
    List<String> sent = new CopyOnWriteArrayList<>();
    List<Future<?>> publishers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      publishers.add(ctx.background(() -> {
        List<CompletableFuture<PublishReceipt>> pending = new ArrayList<>(each);
        for (int i = 0; i < each; i++) {
          Message message = ctx.message(channel, "load");
          pending.add(ctx.broker().publish(message).toCompletableFuture());
          sent.add(message.id());
        }
        CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]))
            .get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS);
        return null;
      }));
    }
    for (Future<?> publisher : publishers) {
      publisher.get(ctx.deadline().toMillis() * 2, TimeUnit.MILLISECONDS);
    }
    assertThat(sent).hasSize(threads * each);
    log.awaitAll(sent, ctx.deadline().multipliedBy(2));
  }

  private static void publishConfirms(CaseContext ctx) {
    Channel channel = ctx.channel("confirmed");
    Broker reader = ctx.otherClient();
    for (int i = 0; i < 20; i++) {
      Message message = ctx.message(channel, "c" + i);
      ctx.confirm(message);
      // The moment the publish completed, another client can read the message back.
      assertThat(ids(reader.history(channel, HistoryQuery.earliest().limit(100))))
          .as("history right after the confirm of message " + i).contains(message.id());
    }
  }

  private static void closeUnderLoad(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("stream");
    String group = ctx.group("workers");
    ctx.ensureGroups(channel, group);
    SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).group(group).build();
    DeliveryLog log = ctx.log("group across the close");
    Subscription first = ctx.subscribe(spec, log);
    int total = 10_000;
    Future<List<String>> publishing = ctx.background(() -> {
      List<String> sent = new ArrayList<>(total);
      List<CompletableFuture<PublishReceipt>> confirms = new ArrayList<>(total);
      for (int i = 0; i < total; i++) {
        Message message = ctx.message(channel, "s" + i);
        confirms.add(ctx.broker().publish(message).toCompletableFuture());
        sent.add(message.id());
      }
      CompletableFuture.allOf(confirms.toArray(new CompletableFuture<?>[0]))
          .get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS);
      return sent;
    });
    await().atMost(ctx.deadline()).until(() -> log.ids().size() >= 1000);
    first.close();
    List<String> sent = publishing.get(ctx.deadline().toMillis() * 2, TimeUnit.MILLISECONDS);

    ctx.subscribe(spec, log);
    log.awaitAll(sent, ctx.deadline().multipliedBy(2));
  }

  private static void brokerRestart(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("steady");
    String group = ctx.group("workers");
    ctx.ensureGroups(channel, group);
    DeliveryLog log = ctx.log("group across restarts");
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).group(group).build(), log);
    DeliveryLog broadcast = ctx.log("broadcast across restarts");
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).build(), broadcast);
    ctx.awaitAttached(channel, broadcast);
    List<String> confirmed = new CopyOnWriteArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    Future<Object> publishing = ctx.background(() -> {
      int i = 0;
      while (running.get()) {
        Message message = ctx.message(channel, "r" + i++);
        try {
          ctx.broker().publish(message).toCompletableFuture().get(10, TimeUnit.SECONDS);
          confirmed.add(message.id());
        } catch (BrokerClosedException e) {
          return null; // The case ended (it failed elsewhere): stop, do not spin.
        } catch (Exception e) {
          // Not confirmed while the broker was down: not expected to arrive.
        }
      }
      return null;
    });
    try {
      for (int restart = 0; restart < 2; restart++) {
        int before = confirmed.size();
        await().atMost(ctx.deadline()).until(() -> confirmed.size() >= before + 50);
        ctx.environment().restart();
      }
      int before = confirmed.size();
      await().atMost(ctx.deadline().multipliedBy(2))
          .until(() -> confirmed.size() >= before + 50);
    } finally {
      running.set(false);
    }
    publishing.get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS);

    log.awaitAll(confirmed, ctx.deadline().multipliedBy(2));
    // The broadcast subscriber resumed by itself: it receives what is published now.
    ctx.awaitAttached(channel, broadcast);
  }

  private static void rebalance(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("steady");
    String group = ctx.group("workers");
    ctx.ensureGroups(channel, group);
    DeliveryLog all = ctx.log("group across the rebalance");
    SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).group(group).build();
    List<Subscription> members = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      members.add(ctx.subscribe(spec, all));
    }
    List<String> sent = new CopyOnWriteArrayList<>();
    Future<Object> publishing = ctx.background(() -> {
      for (int i = 0; i < 3000; i++) {
        Message message = ctx.message(channel, "b" + i);
        ctx.confirm(message);
        sent.add(message.id());
      }
      return null;
    });
    await().atMost(ctx.deadline()).until(() -> sent.size() >= 1000);
    members.get(0).close();
    publishing.get(ctx.deadline().toMillis() * 2, TimeUnit.MILLISECONDS);

    all.awaitAll(sent, ctx.deadline().multipliedBy(2));
  }

  private static void subscribeWhileDown(CaseContext ctx) {
    Channel channel = ctx.channel("late");
    BrokerEnvironment environment = ctx.environment();
    environment.cutConnections();
    DeliveryLog log = ctx.log("subscribed while down");
    try {
      ctx.subscribe(SubscriptionSpec.builder().channel(channel).build(), log);
    } catch (BrokerUnavailableException e) {
      // Failing clearly is allowed; then subscribing once the broker is back must work.
      assertThat(e.getMessage()).isNotBlank();
      environment.restoreConnections();
      ctx.subscribe(SubscriptionSpec.builder().channel(channel).build(), log);
    } finally {
      environment.restoreConnections();
    }
    ctx.awaitAttached(channel, log);
    List<String> sent = ids(ctx.publish(channel, 20));
    log.awaitAll(sent, ctx.deadline());
  }

  private static void badInput(CaseContext ctx) {
    Broker broker = ctx.broker();
    assertThatThrownBy(() -> Channel.of("user..1"))
        .isInstanceOf(InvalidChannelException.class)
        .hasMessageContaining("user..1").hasMessageContaining("empty segment");
    assertThatThrownBy(() -> Message.builder().channel("user 1"))
        .isInstanceOf(InvalidChannelException.class).hasMessageContaining("not allowed");

    RealtimeConfig small = ctx.environment().config().newBuilder()
        .set("realtime.max-payload-bytes", "1KiB").build();
    Channel channel = ctx.channel("bad");
    try (Broker limited = Brokers.open(small)) {
      Message ok = ctx.message(channel, "ok");
      Message large = Message.builder().channel(channel).event("large")
          .payload(new byte[2048]).build();
      assertThatThrownBy(() -> limited.publishAll(List.of(ok, large)))
          .isInstanceOf(PayloadTooLargeException.class)
          .hasMessageContaining("2048 bytes").hasMessageContaining("realtime.max-payload-bytes");
    }
    if (broker.capabilities().has(Capability.REPLAY)) {
      assertThat(broker.history(channel, HistoryQuery.earliest())).as("nothing half-done")
          .isEmpty();
    }

    RealtimeConfig typo = ctx.environment().config().newBuilder()
        .set("realtime.max-payload-byte", "1KiB").build();
    assertThatThrownBy(() -> Brokers.open(typo))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("realtime.max-payload-byte")
        .hasMessageContaining("Did you mean realtime.max-payload-bytes?");

    ctx.environment().unreachableConfig().ifPresent(unreachable -> {
      long start = System.nanoTime();
      assertThatThrownBy(() -> {
        try (Broker broken = Brokers.open(unreachable)) {
          broken.publish(ctx.message(channel, "lost")).toCompletableFuture()
              .get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS);
        }
      }).satisfiesAnyOf(
          e -> assertThat(e).isInstanceOf(BrokerUnavailableException.class),
          e -> assertThat(e).hasCauseInstanceOf(BrokerUnavailableException.class));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("fails in bounded time")
          .isLessThan(ctx.deadline());
    });
  }

  private static void health(CaseContext ctx) {
    assertThat(ctx.broker().health().isUp()).as(ctx.broker().health().toString()).isTrue();
    BrokerEnvironment environment = ctx.environment();
    if (environment.canCutConnections()) {
      environment.cutConnections();
      try {
        await().atMost(ctx.deadline()).until(() -> !ctx.broker().health().isUp());
        assertThat(ctx.broker().health().detail()).as("the reason").isNotBlank();
      } finally {
        environment.restoreConnections();
      }
      await().atMost(ctx.deadline()).until(() -> ctx.broker().health().isUp());
    } else {
      ctx.note("DOWN during an outage not checked: no cut hook in "
          + environment.description());
    }
    ctx.broker().close();
    assertThat(ctx.broker().health().isUp()).isFalse();
    assertThat(ctx.broker().health().detail()).contains("closed");
  }

  private static void retention(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("short");
    ctx.broker().admin().ensure(ChannelSpec.builder(channel).retention(Duration.ofSeconds(2))
        .build());
    List<String> old = ids(ctx.publish(channel, 5));
    assertThat(ids(ctx.broker().history(channel, HistoryQuery.earliest()))).containsAll(old);

    // Brokers apply retention on writes or closed segments, not on a clock alone: keep writing.
    // Kafka deletes a segment only once it is rolled and its newest record is older than the
    // retention, at its next check: on a loaded machine that took more than 30 s.
    ctx.publishUntil(channel, ctx.deadline().multipliedBy(2), () -> ctx.broker()
        .history(channel, HistoryQuery.earliest()).stream().noneMatch(m -> old.contains(m.id())));
    Set<String> fresh = ConcurrentHashMap.newKeySet();
    fresh.addAll(ids(ctx.publish(channel, 2)));
    assertThat(ids(ctx.broker().history(channel,
        HistoryQuery.earliest().limit(HistoryQuery.MAX_LIMIT)))).containsAll(fresh);

    retentionByCount(ctx);
    retentionByBytes(ctx);
  }

  /**
   * Retention by count, where the broker keeps by count, keeps the newest {@code maxMessages}:
   * a channel keeping 5 gets 3,000 (in one {@code publishAll}), so that a log trims thousands of
   * times and whatever it does to reclaim the space of what it dropped runs too. What it keeps is
   * the newest 5, or more where the broker trims about that many (Redis's {@code MAXLEN ~}, by
   * default, a few hundred): an unbroken run up to the newest.
   * History from the earliest, a limit below that, from the time of the oldest kept, and a
   * subscription from the earliest all start at the oldest kept.
   */
  private static void retentionByCount(CaseContext ctx) {
    Channel channel = ctx.channel("counted");
    try {
      ctx.broker().admin().ensure(ChannelSpec.builder(channel).maxMessages(5).build());
    } catch (IllegalArgumentException noCount) {
      ctx.note("retention by count not checked: " + noCount.getMessage());
      return;
    }
    List<Message> messages = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      messages.add(ctx.message(channel, "e" + i));
    }
    List<String> sent = ids(messages);
    ctx.confirmAll(messages);
    List<Message> history = ctx.broker().history(channel,
        HistoryQuery.earliest().limit(HistoryQuery.MAX_LIMIT));
    List<String> kept = ids(history);
    assertThat(kept).as("history of a channel keeping 5 messages, after 3,000")
        .hasSizeGreaterThanOrEqualTo(5)
        .isEqualTo(sent.subList(sent.size() - kept.size(), sent.size()));
    assertThat(ids(ctx.broker().history(channel, HistoryQuery.earliest().limit(2))))
        .as("history limited to 2").isEqualTo(kept.subList(0, 2));
    assertThat(ids(ctx.broker().history(channel,
        HistoryQuery.from(StartPosition.at(history.get(0).timestamp())))))
        .as("history from the time of the oldest kept").isEqualTo(kept);
    DeliveryLog earliest = ctx.log("from the earliest kept");
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).start(StartPosition.earliest())
        .build(), earliest);
    earliest.awaitAll(kept, ctx.deadline());
    assertThat(ids(earliest.firstDeliveries())).as("a subscription from the earliest")
        .isEqualTo(kept);
  }

  /**
   * Retention by bytes, where the broker keeps by bytes, keeps the newest messages that fit:
   * 2,000 payload bytes published to a channel keeping 1,000 still have the newest ten, and
   * nothing older where the environment says its broker keeps exactly ({@link
   * BrokerEnvironment#keepsExactlyByBytes()}).
   */
  private static void retentionByBytes(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("sized");
    try {
      ctx.broker().admin().ensure(ChannelSpec.builder(channel).retentionBytes(1000).build());
    } catch (IllegalArgumentException noBytes) {
      ctx.note("retention by bytes not checked: " + noBytes.getMessage());
      return;
    }
    List<Message> messages = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      messages.add(Message.builder().channel(channel).event("e" + i).payload(new byte[100])
          .build());
    }
    ctx.confirmAll(messages);
    // The newest ten are exactly 1,000 payload bytes: they fit, so all stay. (A broker that
    // drops whole segments keeps more; none here drops fewer.)
    List<String> kept = ids(ctx.broker().history(channel,
        HistoryQuery.earliest().limit(HistoryQuery.MAX_LIMIT)));
    assertThat(kept).as("history of a channel keeping 1,000 payload bytes, after 2,000")
        .containsAll(ids(messages.subList(10, 20)));
    if (ctx.environment().keepsExactlyByBytes()) {
      assertThat(kept).as("history of a channel keeping 1,000 payload bytes, after 2,000, where "
          + "the broker keeps by bytes message by message")
          .isEqualTo(ids(messages.subList(10, 20)));
    } else {
      ctx.note("retention by bytes: " + kept.size() + " of 20 kept (the broker drops whole "
          + "segments)");
    }
  }
}
