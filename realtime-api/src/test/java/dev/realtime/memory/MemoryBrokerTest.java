package dev.realtime.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.realtime.Broker;
import dev.realtime.BrokerClosedException;
import dev.realtime.Brokers;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.Position;
import dev.realtime.PublishReceipt;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelInfo;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.subscription.BatchFailedException;
import dev.realtime.subscription.DeadLetterHeaders;
import dev.realtime.subscription.NonRetryableException;
import dev.realtime.subscription.RetryPolicy;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The in-memory broker's semantics, as an application relies on them. Every case counts
 * deliveries by message id; waits are conditions with deadlines.
 */
class MemoryBrokerTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  private static final RetryPolicy FAST_RETRY = RetryPolicy.builder()
      .backoff(Duration.ofMillis(1), Duration.ofMillis(5), 2.0).build();

  private Broker broker;
  private final List<Subscription> subscriptions = new ArrayList<>();

  @BeforeEach
  void open() {
    broker = Brokers.open(RealtimeConfig.of(Map.of("realtime.broker", "memory")));
  }

  @AfterEach
  void close() {
    subscriptions.forEach(Subscription::close);
    broker.close();
  }

  @Test
  void everyBroadcastSubscriberReceivesEveryMessage() {
    List<Map<String, Integer>> seen = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Map<String, Integer> counts = new ConcurrentHashMap<>();
      seen.add(counts);
      subscribe(SubscriptionSpec.of("news"), m -> counts.merge(m.id(), 1, Integer::sum));
    }
    Set<String> ids = publish("news", 50);

    for (Map<String, Integer> counts : seen) {
      await().atMost(DEADLINE).until(() -> counts.keySet().containsAll(ids));
      assertThat(counts.keySet()).isEqualTo(ids);
      assertThat(counts.values()).allMatch(n -> n == 1);
    }
  }

  @Test
  void groupMembersShareTheWorkAndEachMessageGoesToOneMember() {
    Map<String, Integer> counts = new ConcurrentHashMap<>();
    List<Set<String>> perMember = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Set<String> mine = ConcurrentHashMap.newKeySet();
      perMember.add(mine);
      subscribe(SubscriptionSpec.builder().channels("jobs").group("workers").build(), m -> {
        mine.add(m.id());
        counts.merge(m.id(), 1, Integer::sum);
      });
    }
    Set<String> ids = publish("jobs", 300);

    await().atMost(DEADLINE).until(() -> counts.keySet().containsAll(ids));
    assertThat(counts.values()).allMatch(n -> n == 1);
    assertThat(perMember.stream().mapToInt(Set::size).sum()).isEqualTo(300);
  }

  @Test
  void eachGroupReceivesEveryMessage() {
    Set<String> billing = ConcurrentHashMap.newKeySet();
    Set<String> audit = ConcurrentHashMap.newKeySet();
    subscribe(SubscriptionSpec.builder().channels("orders").group("billing").build(),
        m -> billing.add(m.id()));
    subscribe(SubscriptionSpec.builder().channels("orders").group("audit").build(),
        m -> audit.add(m.id()));
    Set<String> ids = publish("orders", 40);

    await().atMost(DEADLINE).until(() -> billing.equals(ids) && audit.equals(ids));
  }

  @Test
  void aGroupCreatedBeforeItsFirstConsumerKeepsWhatWasPublishedMeanwhile() {
    broker.admin().ensure(ChannelSpec.builder("orders").groups("billing").build());
    Set<String> ids = publish("orders", 20);

    Set<String> received = ConcurrentHashMap.newKeySet();
    subscribe(SubscriptionSpec.builder().channels("orders").group("billing").build(),
        m -> received.add(m.id()));

    await().atMost(DEADLINE).until(() -> received.equals(ids));
  }

  @Test
  void aLateBroadcastSubscriberStartsAtTheLatestMessage() {
    Set<String> before = publish("news", 5);
    Set<String> received = ConcurrentHashMap.newKeySet();
    subscribe(SubscriptionSpec.of("news"), m -> received.add(m.id()));
    Set<String> after = publish("news", 5);

    await().atMost(DEADLINE).until(() -> received.containsAll(after));
    assertThat(received).doesNotContainAnyElementsOf(before).isEqualTo(after);
  }

  @Test
  void aGroupResumesAfterItsMemberRestartsWithoutRedeliveringAcknowledgedMessages() {
    SubscriptionSpec spec = SubscriptionSpec.builder().channels("jobs").group("workers")
        .retryPolicy(RetryPolicy.none()).build();
    List<String> ids = List.copyOf(publishInOrder("jobs", 5));
    broker.admin().ensure(ChannelSpec.builder("jobs").build());
    // First member handles A, B, D and blocks on C and E until it is closed.
    Set<String> acked = ConcurrentHashMap.newKeySet();
    CountDownLatch release = new CountDownLatch(1);
    Subscription first = broker.subscribe(spec.newBuilder().start(StartPosition.earliest())
        .concurrency(2).drainTimeout(Duration.ofMillis(100)).build(), m -> {
          int index = ids.indexOf(m.id());
          if (index == 2 || index == 4) {
            release.await();
          }
          acked.add(m.id());
        });
    await().atMost(DEADLINE).until(() -> acked.containsAll(Set.of(ids.get(0), ids.get(1),
        ids.get(3))));
    assertThat(first.close(Duration.ofMillis(100))).isFalse();
    release.countDown();

    Set<String> second = ConcurrentHashMap.newKeySet();
    subscribe(spec, m -> second.add(m.id()));
    await().atMost(DEADLINE).until(() -> second.containsAll(Set.of(ids.get(2), ids.get(4))));
    assertThat(second).doesNotContain(ids.get(0), ids.get(1), ids.get(3));
  }

  @Test
  void historyAndSubscriptionsReplayFromEarliestPositionAndTimestamp() {
    List<PublishReceipt> receipts = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      receipts.add(publishOne("log", "e" + i, null));
    }
    Channel log = Channel.of("log");

    assertThat(broker.history(log, HistoryQuery.earliest()))
        .extracting(Message::id)
        .containsExactlyElementsOf(receipts.stream().map(PublishReceipt::messageId).toList());

    Position fifth = receipts.get(4).position();
    List<Message> fromFifth = broker.history(log, HistoryQuery.from(StartPosition.at(fifth)));
    assertThat(fromFifth).hasSize(6);
    assertThat(fromFifth.get(0).position()).isEqualTo(fifth);
    assertThat(broker.history(log, HistoryQuery.earliest().limit(3))).hasSize(3);

    List<String> replayed = new CopyOnWriteArrayList<>();
    subscribe(SubscriptionSpec.builder().channels("log").start(StartPosition.at(fifth)).build(),
        m -> replayed.add(m.id()));
    await().atMost(DEADLINE).until(() -> replayed.size() == 6);
    assertThat(replayed).isEqualTo(fromFifth.stream().map(Message::id).toList());

    Instant future = Instant.now().plusSeconds(60);
    assertThat(broker.history(log, HistoryQuery.from(StartPosition.at(future)))).isEmpty();
    Instant past = Instant.now().minusSeconds(60);
    assertThat(broker.history(log, HistoryQuery.from(StartPosition.at(past)))).hasSize(10);
  }

  @Test
  void aFailingHandlerIsRetriedWithGrowingAttemptNumbersUntilItSucceeds() {
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    subscribe(SubscriptionSpec.builder().channels("jobs").retryPolicy(FAST_RETRY).build(), m -> {
      attempts.add(m.deliveryAttempt());
      if (m.deliveryAttempt() < 3) {
        throw new IllegalStateException("not yet");
      }
    });
    publish("jobs", 1);

    await().atMost(DEADLINE).until(() -> attempts.size() == 3);
    assertThat(attempts).containsExactly(1, 2, 3);
  }

  @Test
  void aMessageThatAlwaysFailsIsDeadLetteredWithTheReasonAndTheNextMessageFollows() {
    List<Message> deadLetters = new CopyOnWriteArrayList<>();
    subscribe(SubscriptionSpec.of("jobs.dlq"), deadLetters::add);
    List<String> handled = new CopyOnWriteArrayList<>();
    subscribe(SubscriptionSpec.builder().channels("jobs").group("workers")
        .retryPolicy(FAST_RETRY).deadLetterChannel("jobs.dlq").build(), m -> {
          if (m.event().equals("poison")) {
            throw new IllegalStateException("cannot handle " + m.event());
          }
          handled.add(m.event());
        });
    PublishReceipt poison = publishOne("jobs", "poison", null);
    publishOne("jobs", "fine", null);

    await().atMost(DEADLINE).until(() -> deadLetters.size() == 1 && handled.contains("fine"));
    Message dead = deadLetters.get(0);
    assertThat(dead.id()).isEqualTo(poison.messageId());
    assertThat(dead.event()).isEqualTo("poison");
    assertThat(dead.headers())
        .containsEntry(DeadLetterHeaders.REASON, "cannot handle poison")
        .containsEntry(DeadLetterHeaders.EXCEPTION, IllegalStateException.class.getName())
        .containsEntry(DeadLetterHeaders.ORIGINAL_CHANNEL, "jobs")
        .containsEntry(DeadLetterHeaders.ORIGINAL_POSITION, poison.position().value())
        .containsEntry(DeadLetterHeaders.ATTEMPTS, "3")
        .containsEntry(DeadLetterHeaders.GROUP, "workers");
  }

  @Test
  void aNonRetryableFailureGoesStraightToTheDeadLetterAfterOneAttempt() {
    List<Message> deadLetters = new CopyOnWriteArrayList<>();
    subscribe(SubscriptionSpec.of("jobs.dlq"), deadLetters::add);
    AtomicInteger calls = new AtomicInteger();
    subscribe(SubscriptionSpec.builder().channels("jobs").retryPolicy(FAST_RETRY)
        .deadLetterChannel("jobs.dlq").build(), m -> {
          calls.incrementAndGet();
          throw new NonRetryableException("malformed");
        });
    publish("jobs", 1);

    await().atMost(DEADLINE).until(() -> deadLetters.size() == 1);
    assertThat(calls).hasValue(1);
    assertThat(deadLetters.get(0).header(DeadLetterHeaders.ATTEMPTS)).isEqualTo("1");
  }

  @Test
  void closeWaitsForTheRunningHandlerAndDeliversNothingAfterwards() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    AtomicInteger finished = new AtomicInteger();
    AtomicInteger calls = new AtomicInteger();
    Subscription subscription = broker.subscribe(SubscriptionSpec.of("jobs"), m -> {
      calls.incrementAndGet();
      entered.countDown();
      finish.await();
      finished.incrementAndGet();
    });
    publish("jobs", 5);
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    Thread closer = new Thread(subscription::close);
    closer.start();
    await().atMost(DEADLINE).until(() -> !subscription.isActive());
    assertThat(closer.isAlive()).isTrue(); // still waiting for the running handler
    finish.countDown();
    closer.join(10_000);

    assertThat(closer.isAlive()).isFalse();
    assertThat(finished).hasValue(1);
    publish("jobs", 3);
    assertThat(calls).hasValue(1);
  }

  @Test
  void closingFromAnInterruptedThreadStillDrainsAndFreesTheMembersKeys() throws Exception {
    SubscriptionSpec spec = SubscriptionSpec.builder().channels("jobs").group("workers")
        .start(StartPosition.earliest()).build();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Set<String> firstHandled = ConcurrentHashMap.newKeySet();
    Subscription first = broker.subscribe(spec, m -> {
      entered.countDown();
      finish.await(); // holds key k while the close begins
      firstHandled.add(m.id());
    });
    String k1 = publishOne("jobs", "k1", "k").messageId();
    String k2 = publishOne("jobs", "k2", "k").messageId();
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    Thread releaser = new Thread(() -> {
      await().atMost(DEADLINE).until(() -> !first.isActive());
      finish.countDown();
    });
    releaser.start();

    Thread.currentThread().interrupt();
    try {
      assertThat(first.close(DEADLINE)).as("drained despite the interrupt").isTrue();
      assertThat(Thread.currentThread().isInterrupted()).as("interrupt kept").isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(firstHandled).containsExactly(k1);
    Set<String> second = ConcurrentHashMap.newKeySet();
    subscribe(spec, m -> second.add(m.id()));
    String k3 = publishOne("jobs", "k3", "k").messageId();

    await().atMost(DEADLINE).until(() -> second.containsAll(Set.of(k2, k3)));
    assertThat(second).doesNotContain(k1);
  }

  @Test
  void aHandlerClosingItsOwnGroupSubscriptionKeepsItsMessage() {
    SubscriptionSpec spec = SubscriptionSpec.builder().channels("jobs").group("workers")
        .start(StartPosition.earliest()).build();
    Subscription[] self = new Subscription[1];
    CountDownLatch closedInHandler = new CountDownLatch(1);
    self[0] = broker.subscribe(spec, m -> {
      self[0].close();
      closedInHandler.countDown();
    });
    String first = publishOne("jobs", "first", null).messageId();
    await().atMost(DEADLINE).until(() -> closedInHandler.getCount() == 0);

    Set<String> others = ConcurrentHashMap.newKeySet();
    subscribe(spec, m -> others.add(m.id()));
    String next = publishOne("jobs", "next", null).messageId();

    await().atMost(DEADLINE).until(() -> others.contains(next));
    assertThat(others).doesNotContain(first);
  }

  @Test
  void aPositionFromAnotherBrokerIsRefusedBeforeAnythingStarts() {
    SubscriptionSpec spec = SubscriptionSpec.builder().channels("jobs")
        .start(StartPosition.at(Position.of("1700000000000-0"))).build();

    assertThatThrownBy(() -> broker.subscribe(spec, m -> { }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not an offset of the memory broker");
    assertThat(broker.health().detail()).contains("0 subscription(s)");
  }

  @Test
  void closingTwiceAndFromManyThreadsAtOnceIsSafe() throws Exception {
    Subscription subscription = broker.subscribe(SubscriptionSpec.of("jobs"), m -> { });
    List<Thread> closers = IntStream.range(0, 8)
        .mapToObj(i -> new Thread(subscription::close)).toList();
    closers.forEach(Thread::start);
    for (Thread closer : closers) {
      closer.join(10_000);
      assertThat(closer.isAlive()).isFalse();
    }
    subscription.close();
    assertThat(subscription.isActive()).isFalse();
  }

  @Test
  void aClosedBrokerRefusesPublishAndSubscribeClearly() {
    broker.close();
    broker.close();
    Message message = Message.builder().channel("jobs").event("e").build();

    assertThatThrownBy(() -> broker.publish(message))
        .isInstanceOf(BrokerClosedException.class)
        .hasMessageContaining("cannot publish: broker \"memory\" is closed");
    assertThatThrownBy(() -> broker.subscribe(SubscriptionSpec.of("jobs"), m -> { }))
        .isInstanceOf(BrokerClosedException.class);
    assertThat(broker.health().isUp()).isFalse();
  }

  @Test
  void brokerCloseDrainsItsSubscriptions() {
    AtomicInteger handled = new AtomicInteger();
    Subscription subscription = broker.subscribe(SubscriptionSpec.of("jobs"),
        m -> handled.incrementAndGet());
    publish("jobs", 10);
    await().atMost(DEADLINE).until(() -> handled.get() == 10);

    broker.close();
    assertThat(subscription.isActive()).isFalse();
  }

  @Test
  void aPatternSubscriptionReceivesMatchingChannelsIncludingNewOnes() {
    Set<String> channels = ConcurrentHashMap.newKeySet();
    publish("user.1", 1); // exists before subscribing; latest start skips its past
    subscribe(SubscriptionSpec.of("user.*"), m -> channels.add(m.channel().name()));
    publish("user.1", 1);
    publish("user.2", 1); // created after subscribing
    publish("user.1.x", 1);
    publish("public.news", 1);

    await().atMost(DEADLINE).until(() -> channels.containsAll(Set.of("user.1", "user.2")));
    publishOne("user.3", "last", null);
    await().atMost(DEADLINE).until(() -> channels.contains("user.3"));
    assertThat(channels).containsExactlyInAnyOrder("user.1", "user.2", "user.3");
  }

  @Test
  void orderPerKeyHoldsAcrossCompetingMembersWithConcurrentHandlers() {
    Map<String, List<Integer>> perKey = new ConcurrentHashMap<>();
    for (int i = 0; i < 3; i++) {
      subscribe(SubscriptionSpec.builder().channels("events").group("g").concurrency(4).build(),
          m -> perKey.computeIfAbsent(m.key(), k -> Collections.synchronizedList(
              new ArrayList<>())).add(Integer.parseInt(m.event().substring(1))));
    }
    for (int i = 0; i < 1000; i++) {
      broker.publish(Message.builder().channel("events").event("n" + i).key("k" + (i % 16))
          .build());
    }

    await().atMost(DEADLINE).until(
        () -> perKey.values().stream().mapToInt(List::size).sum() >= 1000);
    perKey.forEach((key, sequence) -> assertThat(sequence).as(key).isSorted());
  }

  @Test
  void noMoreThanMaxInFlightMessagesAreUnacknowledgedAtOnce() {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    CountDownLatch gate = new CountDownLatch(1);
    subscribe(SubscriptionSpec.builder().channels("jobs").concurrency(8).batchSize(2)
        .maxInFlight(3).build(), m -> {
          maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
          gate.await();
          running.decrementAndGet();
          done.incrementAndGet();
        });
    publish("jobs", 30);

    await().atMost(DEADLINE).until(() -> running.get() == 3);
    ChannelInfo info = broker.admin().describe(Channel.of("jobs")).orElseThrow();
    assertThat(info.messageCount()).isEqualTo(30);
    gate.countDown();
    await().atMost(DEADLINE).until(() -> done.get() == 30);
    assertThat(maxRunning.get()).isLessThanOrEqualTo(3);
  }

  @Test
  void aBatchHandlerGetsBoundedBatchesAndRetriesOnlyTheFailedMessages() {
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    Map<String, Integer> calls = new ConcurrentHashMap<>();
    Set<String> failOnce = ConcurrentHashMap.newKeySet();
    broker.subscribeBatches(SubscriptionSpec.builder().channels("bulk").batchSize(10)
        .retryPolicy(FAST_RETRY).build(), (List<Message> batch) -> {
          sizes.add(batch.size());
          List<Message> failed = new ArrayList<>();
          for (Message m : batch) {
            calls.merge(m.id(), 1, Integer::sum);
            if (m.event().endsWith("7") && failOnce.add(m.id())) {
              failed.add(m);
            }
          }
          if (!failed.isEmpty()) {
            throw new BatchFailedException(failed, new IllegalStateException("7s fail once"));
          }
        });
    List<Message> messages = IntStream.range(0, 100)
        .mapToObj(i -> Message.builder().channel("bulk").event("e" + i).build()).toList();
    broker.publishAll(messages).toCompletableFuture().join();

    await().atMost(DEADLINE).until(() -> calls.size() == 100
        && calls.values().stream().mapToInt(Integer::intValue).sum() == 110);
    assertThat(sizes).allMatch(size -> size <= 10);
    assertThat(calls.entrySet().stream().filter(e -> e.getValue() == 2).count()).isEqualTo(10);
  }

  @Test
  void retentionDropsMessagesBeyondTheChannelsLimits() {
    broker.admin().ensure(ChannelSpec.builder("ticks").maxMessages(5).build());
    List<String> ids = publishInOrder("ticks", 12);

    assertThat(broker.history(Channel.of("ticks"), HistoryQuery.earliest()))
        .extracting(Message::id).containsExactlyElementsOf(ids.subList(7, 12));

    broker.admin().ensure(ChannelSpec.builder("short").retention(Duration.ofMillis(50)).build());
    publish("short", 3);
    await().atMost(DEADLINE).until(
        () -> broker.history(Channel.of("short"), HistoryQuery.earliest()).isEmpty());
  }

  @Test
  void retentionByBytesKeepsTheNewestMessagesWhosePayloadsFitTheLimit() {
    broker.admin().ensure(ChannelSpec.builder("sized").retentionBytes(1_000).build());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Message message = Message.builder().channel(Channel.of("sized")).event("e" + i)
          .payload(new byte[100]).build();
      broker.publish(message).toCompletableFuture().join();
      ids.add(message.id());
    }

    // 1,000 bytes is exactly ten payloads: those ten are kept, and nothing older.
    assertThat(broker.history(Channel.of("sized"), HistoryQuery.earliest()))
        .extracting(Message::id).containsExactlyElementsOf(ids.subList(10, 20));
  }

  @Test
  void adminDescribesListsAndDeletesChannels() {
    broker.admin().ensure(ChannelSpec.builder("orders").groups("billing").build());
    publish("orders", 3);

    ChannelInfo info = broker.admin().describe(Channel.of("orders")).orElseThrow();
    assertThat(info.messageCount()).isEqualTo(3);
    assertThat(info.firstPosition()).isEqualTo(Position.ofOffset(0));
    assertThat(info.lastPosition()).isEqualTo(Position.ofOffset(2));
    assertThat(info.groups()).singleElement().satisfies(group -> {
      assertThat(group.name()).isEqualTo("billing");
      assertThat(group.lag()).isEqualTo(3);
    });
    assertThat(broker.admin().list()).contains(Channel.of("orders"));

    assertThat(broker.admin().delete(Channel.of("orders"))).isTrue();
    assertThat(broker.admin().delete(Channel.of("orders"))).isFalse();
    assertThat(broker.admin().describe(Channel.of("orders"))).isEmpty();
    assertThatThrownBy(() -> broker.admin().ensure(
        ChannelSpec.builder("orders").compacted(true).build()))
        .hasMessageContaining("does not compact");
  }

  private Set<String> publish(String channel, int count) {
    return Set.copyOf(publishInOrder(channel, count));
  }

  private List<String> publishInOrder(String channel, int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> publishOne(channel, "e" + i, null).messageId())
        .collect(Collectors.toList());
  }

  private PublishReceipt publishOne(String channel, String event, String key) {
    return broker.publish(Message.builder().channel(channel).event(event).key(key)
        .payload("{}").build()).toCompletableFuture().join();
  }

  private void subscribe(SubscriptionSpec spec, dev.realtime.subscription.MessageHandler handler) {
    subscriptions.add(broker.subscribe(spec, handler));
  }
}
