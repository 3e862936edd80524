package dev.realtime.testkit;

import static dev.realtime.testkit.CaseContext.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.realtime.testkit.Awaits.await;

import dev.realtime.BrokerClosedException;
import dev.realtime.Capability;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.subscription.BatchFailedException;
import dev.realtime.subscription.DeadLetterHeaders;
import dev.realtime.subscription.NonRetryableException;
import dev.realtime.subscription.RetryPolicy;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/** Cases about handlers: acknowledgement, retries, dead letters, flow control, close. */
final class HandlingCases {
  /** Retries fast enough for a test, slow enough to be seen as backoff. */
  static final RetryPolicy FAST_RETRY =
      RetryPolicy.builder().backoff(Duration.ofMillis(5), Duration.ofMillis(20), 2.0).build();

  private HandlingCases() {}

  static List<ConformanceCase> all() {
    return List.of(
        ConformanceCase.gated(9, "resume after restart", Set.of(Capability.PERSISTENCE,
            Capability.CONSUMER_GROUPS), HandlingCases::resumeAfterRestart),
        ConformanceCase.of(11, "retry then success", HandlingCases::retryThenSuccess),
        ConformanceCase.gated(12, "dead letter", Set.of(Capability.DEAD_LETTER),
            HandlingCases::deadLetter),
        ConformanceCase.gated(13, "non-retryable", Set.of(Capability.DEAD_LETTER),
            HandlingCases::nonRetryable),
        ConformanceCase.gated(14, "repeated failures then recovery",
            Set.of(Capability.PERSISTENCE, Capability.CONSUMER_GROUPS),
            HandlingCases::repeatedFailuresThenRecovery),
        ConformanceCase.of(15, "flow control", HandlingCases::flowControl),
        ConformanceCase.of(17, "batch publish and batch consume", HandlingCases::batches),
        ConformanceCase.of(19, "graceful close", HandlingCases::gracefulClose));
  }

  private static void resumeAfterRestart(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("jobs");
    ctx.broker().admin().ensure(ChannelSpec.builder(channel).groups("workers").build());
    List<String> sent = ids(ctx.publish(channel, 5));
    String a = sent.get(0);
    String b = sent.get(1);
    String c = sent.get(2);
    String d = sent.get(3);
    String e = sent.get(4);
    // Two lanes take messages without a key in turn: A, C, E on one, B, D on the other. The
    // handler finishes A, B and D, and holds C (E waits behind it) until the consumer stops.
    Set<String> acked = ConcurrentHashMap.newKeySet();
    CountDownLatch never = new CountDownLatch(1);
    SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).group("workers")
        .retryPolicy(RetryPolicy.none()).build();
    Subscription first = ctx.subscribe(spec.newBuilder().concurrency(2).build(), m -> {
      if (m.id().equals(c) || m.id().equals(e)) {
        never.await();
      }
      acked.add(m.id());
    });
    await().atMost(ctx.deadline()).until(() -> acked.containsAll(Set.of(a, b, d)));
    first.close(Duration.ofMillis(200));
    assertThat(acked).doesNotContain(c, e);

    DeliveryLog second = new DeliveryLog();
    ctx.subscribe(spec, second);
    second.awaitAll(List.of(c, e), ctx.deadline());
    assertThat(second.ids()).as("a new member never gets what was acknowledged before the "
        + "first unfinished message").doesNotContain(a, b);
    if (second.count(d) > 0) {
      ctx.note("D redelivered after restart (offset commit semantics)");
    }
  }

  private static void retryThenSuccess(CaseContext ctx) {
    Channel channel = ctx.channel("jobs");
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).retryPolicy(FAST_RETRY).build(),
        m -> {
          attempts.add(m.deliveryAttempt());
          if (attempts.size() < 3) {
            throw new IllegalStateException("attempt " + m.deliveryAttempt() + " fails");
          }
        });
    ctx.publish(channel, 1);

    await().atMost(ctx.deadline()).until(() -> attempts.size() >= 3);
    assertThat(attempts).containsExactly(1, 2, 3);
  }

  private static void deadLetter(CaseContext ctx) {
    Channel channel = ctx.channel("jobs");
    Channel dlq = ctx.channel("jobs-dlq");
    List<Message> deadLetters = new CopyOnWriteArrayList<>();
    ctx.subscribe(SubscriptionSpec.builder().channel(dlq).build(), deadLetters::add);
    DeliveryLog handled = new DeliveryLog();
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).group("workers")
        .retryPolicy(FAST_RETRY).deadLetterChannel(dlq).build(), m -> {
          if (m.event().equals("poison")) {
            throw new IllegalStateException("cannot handle poison");
          }
          handled.record(m);
        });
    Message poison = ctx.message(channel, "poison");
    dev.realtime.Position poisonPosition = ctx.confirm(poison).position();
    List<String> after = ids(ctx.publish(channel, 3));

    handled.awaitAll(after, ctx.deadline());
    await().atMost(ctx.deadline()).until(() -> !deadLetters.isEmpty());
    Message dead = deadLetters.get(0);
    assertThat(dead.id()).isEqualTo(poison.id());
    assertThat(dead.payload()).isEqualTo(poison.payload());
    assertThat(dead.headers())
        .containsEntry(DeadLetterHeaders.REASON, "cannot handle poison")
        .containsEntry(DeadLetterHeaders.EXCEPTION, IllegalStateException.class.getName())
        .containsEntry(DeadLetterHeaders.ORIGINAL_CHANNEL, channel.name())
        .containsEntry(DeadLetterHeaders.ATTEMPTS, "3")
        .containsEntry(DeadLetterHeaders.GROUP, "workers")
        .containsKey(DeadLetterHeaders.ORIGINAL_POSITION);
    if (poisonPosition != null) {
      assertThat(dead.header(DeadLetterHeaders.ORIGINAL_POSITION))
          .as("the position the publish receipt gave").isEqualTo(poisonPosition.value());
    }
  }

  private static void nonRetryable(CaseContext ctx) {
    Channel channel = ctx.channel("jobs");
    Channel dlq = ctx.channel("jobs-dlq");
    List<Message> deadLetters = new CopyOnWriteArrayList<>();
    ctx.subscribe(SubscriptionSpec.builder().channel(dlq).build(), deadLetters::add);
    AtomicInteger calls = new AtomicInteger();
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).retryPolicy(FAST_RETRY)
        .deadLetterChannel(dlq).build(), m -> {
          calls.incrementAndGet();
          throw new NonRetryableException("malformed payload");
        });
    ctx.publish(channel, 1);

    await().atMost(ctx.deadline()).until(() -> !deadLetters.isEmpty());
    assertThat(calls).hasValue(1);
    assertThat(deadLetters.get(0).header(DeadLetterHeaders.ATTEMPTS)).isEqualTo("1");
    assertThat(deadLetters.get(0).header(DeadLetterHeaders.REASON))
        .isEqualTo("malformed payload");
  }

  private static void repeatedFailuresThenRecovery(CaseContext ctx) {
    Channel channel = ctx.channel("jobs");
    ctx.broker().admin().ensure(ChannelSpec.builder(channel).groups("workers").build());
    List<String> sent = ids(ctx.publish(channel, 20));
    // Retries that never end within the test: failing consumers never dead-letter anything.
    SubscriptionSpec failing = SubscriptionSpec.builder().channel(channel).group("workers")
        .retryPolicy(RetryPolicy.builder().maxAttempts(1000)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(5), 2.0).build()).build();
    for (int round = 0; round < 3; round++) {
      AtomicInteger failures = new AtomicInteger();
      Subscription broken = ctx.subscribe(failing, m -> {
        failures.incrementAndGet();
        throw new IllegalStateException("broken consumer");
      });
      await().atMost(ctx.deadline()).until(() -> failures.get() >= 5);
      broken.close(Duration.ofMillis(200));
    }

    DeliveryLog fresh = new DeliveryLog();
    ctx.subscribe(failing, fresh);
    fresh.awaitAll(sent, ctx.deadline());
    fresh.assertExactly(sent);
  }

  private static void flowControl(CaseContext ctx) {
    Channel channel = ctx.channel("jobs");
    int limit = 4;
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    CountDownLatch gate = new CountDownLatch(1);
    DeliveryLog done = new DeliveryLog();
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).concurrency(8).batchSize(2)
        .maxInFlight(limit).build(), m -> {
          maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
          gate.await();
          running.decrementAndGet();
          done.record(m);
        });
    // The first marker to reach the handler blocks it: the subscription is attached.
    DeliveryCases.publishUntil(ctx, channel, ConcurrentHashMap.newKeySet(),
        () -> running.get() > 0);
    List<String> sent = ids(ctx.publish(channel, 40));

    await().atMost(ctx.deadline()).until(() -> running.get() == limit);
    assertThat(done.ids()).isEmpty();
    gate.countDown();
    done.awaitAll(sent, ctx.deadline());
    assertThat(maxRunning.get()).as("handlers running at once").isLessThanOrEqualTo(limit);
  }

  private static void batches(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("bulk");
    int batchSize = 50;
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    Map<String, Integer> calls = new ConcurrentHashMap<>();
    Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    ctx.subscribeBatches(SubscriptionSpec.builder().channel(channel).batchSize(batchSize)
        .retryPolicy(FAST_RETRY).build(), batch -> {
          sizes.add(batch.size());
          List<Message> failed = new ArrayList<>();
          for (Message m : batch) {
            calls.merge(m.id(), 1, Integer::sum);
            if (m.event().endsWith("7") && failedOnce.add(m.id())) {
              failed.add(m);
            }
          }
          if (!failed.isEmpty()) {
            throw new BatchFailedException(failed, new IllegalStateException("7s fail once"));
          }
        });
    DeliveryCases.publishUntil(ctx, channel, ConcurrentHashMap.newKeySet(),
        () -> !calls.isEmpty());
    List<Message> messages = IntStream.range(0, 1000)
        .mapToObj(i -> ctx.message(channel, "e" + i)).toList();
    ctx.broker().publishAll(messages).toCompletableFuture()
        .get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS);

    await().atMost(ctx.deadline()).until(() -> calls.keySet().containsAll(ids(messages))
        && failedOnce.stream().allMatch(id -> calls.get(id) >= 2));
    assertThat(sizes).allMatch(size -> size >= 1 && size <= batchSize);
    for (Message m : messages) {
      int expected = m.event().endsWith("7") ? 2 : 1;
      assertThat(calls.get(m.id())).as("handler calls for " + m.event()).isEqualTo(expected);
    }
  }

  private static void gracefulClose(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("jobs");
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    List<String> handled = new CopyOnWriteArrayList<>();
    Subscription subscription = ctx.subscribe(SubscriptionSpec.builder().channel(channel)
        .build(), m -> {
          handled.add(m.event() + "#" + m.position() + "@" + m.deliveryAttempt() + " on "
              + Thread.currentThread().getName());
          calls.incrementAndGet();
          entered.countDown();
          finish.await();
          finished.incrementAndGet();
        });
    DeliveryCases.publishUntil(ctx, channel, ConcurrentHashMap.newKeySet(),
        () -> entered.getCount() == 0);
    DeliveryLog probe = new DeliveryLog();
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).build(), probe);
    DeliveryCases.awaitAttached(ctx, channel, probe);

    List<Thread> closers = IntStream.range(0, 4).mapToObj(i -> new Thread(subscription::close))
        .toList();
    closers.forEach(Thread::start);
    await().atMost(ctx.deadline()).until(() -> !subscription.isActive());
    assertThat(closers).as("close waits for the running handler").allMatch(Thread::isAlive);
    finish.countDown();
    for (Thread closer : closers) {
      closer.join(ctx.deadline().toMillis());
      assertThat(closer.isAlive()).isFalse();
    }
    assertThat(finished).as("handler calls: " + handled).hasValue(1);
    int callsAtClose = calls.get();
    List<String> later = ids(ctx.publish(channel, 5));
    probe.awaitAll(later, ctx.deadline());
    assertThat(calls).as("nothing delivered after close").hasValue(callsAtClose);
    subscription.close();

    ctx.broker().close();
    ctx.broker().close();
    assertThatThrownBy(() -> ctx.broker().publish(ctx.message(channel, "late")))
        .isInstanceOf(BrokerClosedException.class)
        .hasMessageContaining("closed");
  }
}
