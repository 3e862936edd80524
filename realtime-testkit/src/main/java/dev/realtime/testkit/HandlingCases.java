package dev.realtime.testkit;

import static dev.realtime.testkit.CaseContext.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.realtime.testkit.Awaits.await;

import dev.realtime.BrokerClosedException;
import dev.realtime.Capability;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
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
        ConformanceCase.of(19, "graceful close", HandlingCases::gracefulClose),
        ConformanceCase.gated(42, "a batch failure retries only what failed",
            Set.of(Capability.CONSUMER_GROUPS), HandlingCases::batchFailureRetriesOnlyWhatFailed),
        ConformanceCase.gated(44, "a batch failure's cause decides", Set.of(
            Capability.DEAD_LETTER), HandlingCases::batchFailureCauseDecides));
  }

  /**
   * Case 44. A {@link BatchFailedException} stands for its cause: a batch handler that names a
   * message with a {@link NonRetryableException} as the cause dead-letters it at once, as a
   * single-message handler throwing that exception would, with the cause's type and message in
   * the headers; the batch's other messages are handled once.
   */
  private static void batchFailureCauseDecides(CaseContext ctx) {
    Channel channel = ctx.channel("batch-jobs");
    Channel dlq = ctx.channel("batch-jobs-dlq");
    List<Message> deadLetters = deadLetters(ctx, dlq);
    Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    DeliveryLog attached = ctx.log("batches");
    ctx.subscribeBatches(SubscriptionSpec.builder().channel(channel).batchSize(10)
        .retryPolicy(FAST_RETRY).deadLetterChannel(dlq).build(), batch -> {
          List<Message> poison = new ArrayList<>();
          for (Message m : batch) {
            attached.record(m);
            calls.computeIfAbsent(m.id(), id -> new AtomicInteger()).incrementAndGet();
            if (m.event().equals("poison")) {
              poison.add(m);
            }
          }
          if (!poison.isEmpty()) {
            throw new BatchFailedException(poison, new NonRetryableException("poison payload"));
          }
          for (Message m : batch) {
            if (m.event().equals("unnamed") && m.deliveryAttempt() == 1) {
              // Names a message that is not in the batch: the whole batch failed.
              throw new BatchFailedException(List.of(ctx.message(channel, "stranger")),
                  new IllegalStateException("names none of its batch"));
            }
          }
        });
    ctx.awaitAttached(channel, attached);
    Message poison = ctx.message(channel, "poison");
    List<Message> fine = List.of(ctx.message(channel, "fine"), ctx.message(channel, "fine"));
    ctx.confirmAll(List.of(fine.get(0), poison, fine.get(1)));

    Message dead = deadLetterOf(ctx, deadLetters, poison.id());
    assertThat(dead.headers()).as("the dead letter of a message a batch handler named with a "
        + "NonRetryableException as the cause")
        .containsEntry(DeadLetterHeaders.EXCEPTION, NonRetryableException.class.getName())
        .containsEntry(DeadLetterHeaders.REASON, "poison payload")
        .containsEntry(DeadLetterHeaders.ATTEMPTS, "1");
    attached.awaitAll(ids(fine), ctx.deadline());
    assertThat(calls.get(poison.id())).as("calls with the named message").hasValue(1);
    for (Message m : fine) {
      assertThat(calls.get(m.id())).as("calls with a message the batch did not name").hasValue(1);
    }

    // A BatchFailedException that names no message of its batch fails the whole batch.
    Message unnamed = ctx.message(channel, "unnamed");
    ctx.confirm(unnamed);
    await().atMost(ctx.deadline()).until(() -> calls.containsKey(unnamed.id())
        && calls.get(unnamed.id()).get() >= 2);
    attached.awaitAll(ids(ctx.publish(channel, 1)), ctx.deadline());
    assertThat(calls.get(unnamed.id())).as("calls with the message of a batch whose failure "
        + "named none of it: tried again once, then handled").hasValue(2);
  }

  private static void resumeAfterRestart(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("jobs");
    String group = ctx.group("workers");
    ctx.ensureGroups(channel, group);
    List<String> sent = ids(ctx.publish(channel, 5));
    String a = sent.get(0);
    String b = sent.get(1);
    String c = sent.get(2);
    String d = sent.get(3);
    String e = sent.get(4);
    // The first member acknowledges A, B and D; C and E fail and keep failing (a retry that
    // would outlast the test) until the member stops. Five lanes: no message waits behind C.
    Set<String> acked = ConcurrentHashMap.newKeySet();
    AtomicInteger failures = new AtomicInteger();
    SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).group(group).build();
    Subscription first = ctx.subscribe(spec.newBuilder().concurrency(5)
        .retryPolicy(RetryPolicy.builder().maxAttempts(1_000_000)
            .backoff(Duration.ofMillis(5), Duration.ofMillis(50), 2.0).build()).build(), m -> {
              if (m.id().equals(c) || m.id().equals(e)) {
                failures.incrementAndGet();
                throw new IllegalStateException("C and E fail");
              }
              acked.add(m.id());
            });
    await().atMost(ctx.deadline()).until(
        () -> acked.containsAll(Set.of(a, b, d)) && failures.get() >= 2);
    first.close();
    assertThat(acked).doesNotContain(c, e);

    DeliveryLog second = ctx.log("second member");
    ctx.subscribe(spec, second);
    second.awaitAll(List.of(c, e), ctx.deadline());
    assertThat(second.ids()).as("a new member never gets what was acknowledged before the "
        + "first unfinished message").doesNotContain(a, b);
    if (second.count(d) > 0) {
      ctx.note("D delivered again after the restart (a committed offset stops at C)");
    }
  }

  private static void retryThenSuccess(CaseContext ctx) {
    Channel channel = ctx.channel("jobs");
    Map<String, List<Integer>> attempts = new ConcurrentHashMap<>();
    DeliveryLog handled = ctx.log("retried");
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).retryPolicy(FAST_RETRY).build(),
        m -> {
          List<Integer> mine = attempts.computeIfAbsent(m.id(),
              id -> new CopyOnWriteArrayList<>());
          mine.add(m.deliveryAttempt());
          if (m.event().equals("flaky") && mine.size() < 3) {
            throw new IllegalStateException("attempt " + m.deliveryAttempt() + " fails");
          }
          handled.record(m);
        });
    ctx.awaitAttached(channel, handled);
    Message flaky = ctx.message(channel, "flaky");
    ctx.confirm(flaky);
    Message next = ctx.message(channel, "next");
    ctx.confirm(next);

    // Once the message after it is handled, a stray fourth attempt would have shown too.
    handled.awaitAll(List.of(flaky.id(), next.id()), ctx.deadline());
    assertThat(attempts.get(flaky.id())).containsExactly(1, 2, 3);
    assertThat(attempts.get(next.id())).containsExactly(1);
  }

  /** Subscribes to {@code dlq} and waits until it is attached; returns what it receives. */
  private static List<Message> deadLetters(CaseContext ctx, Channel dlq) {
    List<Message> deadLetters = new CopyOnWriteArrayList<>();
    DeliveryLog attached = ctx.log("dead letters");
    ctx.subscribe(SubscriptionSpec.builder().channel(dlq).build(), m -> {
      deadLetters.add(m);
      attached.record(m);
    });
    ctx.awaitAttached(dlq, attached);
    return deadLetters;
  }

  private static Message deadLetterOf(CaseContext ctx, List<Message> deadLetters, String id) {
    await().atMost(ctx.deadline()).until(
        () -> deadLetters.stream().anyMatch(m -> m.id().equals(id)));
    return deadLetters.stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
  }

  /** A group's member dead-letters; without groups (Redis Pub/Sub), a broadcast subscriber. */
  private static void deadLetter(CaseContext ctx) {
    Channel channel = ctx.channel("jobs");
    Channel dlq = ctx.channel("jobs-dlq");
    boolean groups = ctx.broker().capabilities().has(Capability.CONSUMER_GROUPS);
    String group = groups ? ctx.group("workers") : null;
    if (groups) {
      ctx.ensureGroups(channel, group);
    }
    List<Message> deadLetters = deadLetters(ctx, dlq);
    DeliveryLog handled = ctx.log("handled");
    AtomicInteger poisonCalls = new AtomicInteger();
    Subscription member = ctx.subscribe(SubscriptionSpec.builder().channel(channel).group(group)
        .retryPolicy(FAST_RETRY).deadLetterChannel(dlq).build(), m -> {
          if (m.event().equals("poison")) {
            poisonCalls.incrementAndGet();
            throw new IllegalStateException("cannot handle poison");
          }
          handled.record(m);
        });
    if (!groups) {
      ctx.awaitAttached(channel, handled);
    }
    Message poison = ctx.message(channel, "poison");
    java.time.Instant before = java.time.Instant.now();
    dev.realtime.Position poisonPosition = ctx.confirm(poison).position();
    List<String> after = ids(ctx.publish(channel, 3));

    handled.awaitAll(after, ctx.deadline());
    Message dead = deadLetterOf(ctx, deadLetters, poison.id());
    assertThat(dead.event()).isEqualTo("poison");
    assertThat(dead.payload()).isEqualTo(poison.payload());
    assertDeadLetterHeaders(dead, poison, channel, group, 3, IllegalStateException.class,
        "cannot handle poison", poisonPosition, before);
    // Dead-lettered is settled: once a later message was handled, the poison had its three
    // attempts and no more (a message both dead-lettered and given back would come round again).
    handled.awaitAll(ids(ctx.publish(channel, 1)), ctx.deadline());
    assertThat(poisonCalls).as("handler calls with the dead-lettered message").hasValue(3);
    assertThat(member.close(Duration.ofSeconds(10)))
        .as("the close drains: a dead-lettered message is finished, not held").isTrue();

    droppedWithoutDeadLetterChannel(ctx);
  }

  /**
   * Without a dead-letter channel, a message that used its attempts is logged and dropped
   * (SubscriptionSpec.deadLetterChannel): it is not tried again, the messages behind it go on,
   * and it holds nothing back, so the subscription's close drains at once.
   */
  private static void droppedWithoutDeadLetterChannel(CaseContext ctx) {
    Channel channel = ctx.channel("no-dlq");
    AtomicInteger poisonCalls = new AtomicInteger();
    DeliveryLog handled = ctx.log("handled without dead letters");
    Subscription subscription = ctx.subscribe(SubscriptionSpec.builder().channel(channel)
        .retryPolicy(FAST_RETRY).build(), m -> {
          if (m.event().equals("poison")) {
            poisonCalls.incrementAndGet();
            throw new IllegalStateException("cannot handle poison");
          }
          handled.record(m);
        });
    ctx.awaitAttached(channel, handled);
    ctx.confirm(ctx.message(channel, "poison"));
    handled.awaitAll(ids(ctx.publish(channel, 2)), ctx.deadline());
    handled.awaitAll(ids(ctx.publish(channel, 1)), ctx.deadline());
    assertThat(poisonCalls).as("handler calls with a message dropped after its attempts")
        .hasValue(3);
    assertThat(subscription.close(Duration.ofSeconds(10)))
        .as("the close drains: a dropped message is finished, not held").isTrue();
  }

  /**
   * Every header of {@link DeadLetterHeaders}, present and right: the reason, the exception,
   * the original channel, the attempts, the group (absent without one), the original position
   * (the publish receipt's, where it gave one) and the time it failed (ISO-8601, between the
   * publish and now); and the message's own headers kept.
   */
  static void assertDeadLetterHeaders(Message dead, Message original, Channel channel,
      @org.jspecify.annotations.Nullable String group, int attempts,
      Class<? extends Throwable> exception, String reason,
      dev.realtime.@org.jspecify.annotations.Nullable Position position,
      java.time.Instant publishedAfter) {
    assertThat(dead.id()).as("the dead letter keeps the message's id").isEqualTo(original.id());
    assertThat(dead.headers()).as("the message's own headers are kept")
        .containsAllEntriesOf(original.headers());
    assertThat(dead.headers())
        .containsEntry(DeadLetterHeaders.REASON, reason)
        .containsEntry(DeadLetterHeaders.EXCEPTION, exception.getName())
        .containsEntry(DeadLetterHeaders.ORIGINAL_CHANNEL, channel.name())
        .containsEntry(DeadLetterHeaders.ATTEMPTS, Integer.toString(attempts));
    if (group != null) {
      assertThat(dead.headers()).containsEntry(DeadLetterHeaders.GROUP, group);
    } else {
      assertThat(dead.headers()).as("a broadcast subscription has no group")
          .doesNotContainKey(DeadLetterHeaders.GROUP);
    }
    if (position != null) {
      assertThat(dead.header(DeadLetterHeaders.ORIGINAL_POSITION))
          .as("the position the publish receipt gave").isEqualTo(position.value());
    }
    String failedAt = dead.header(DeadLetterHeaders.FAILED_AT);
    assertThat(failedAt).as(DeadLetterHeaders.FAILED_AT).isNotNull();
    java.time.Instant when;
    try {
      when = java.time.Instant.parse(failedAt);
    } catch (java.time.format.DateTimeParseException e) {
      throw new AssertionError(DeadLetterHeaders.FAILED_AT + " is not an ISO-8601 instant: "
          + failedAt, e);
    }
    // Millisecond slack: some brokers keep header times to the millisecond.
    assertThat(when).as(DeadLetterHeaders.FAILED_AT)
        .isAfterOrEqualTo(publishedAfter.truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
        .isBeforeOrEqualTo(java.time.Instant.now().plusMillis(1));
  }

  private static void nonRetryable(CaseContext ctx) {
    Channel channel = ctx.channel("jobs");
    Channel dlq = ctx.channel("jobs-dlq");
    List<Message> deadLetters = deadLetters(ctx, dlq);
    Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    DeliveryLog attached = ctx.log("non-retryable");
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).retryPolicy(FAST_RETRY)
        .deadLetterChannel(dlq).build(), m -> {
          attached.record(m);
          calls.computeIfAbsent(m.id(), id -> new AtomicInteger()).incrementAndGet();
          if (m.event().equals("malformed")) {
            throw new NonRetryableException("malformed payload");
          }
          if (m.event().equals("unexplained")) {
            throw new NonRetryableException(null);
          }
          if (m.event().startsWith("verbose-")) {
            // A failure message of the event's length in characters: 1000 or 1001.
            int length = Integer.parseInt(m.event().substring("verbose-".length()));
            throw new NonRetryableException("x".repeat(length));
          }
        });
    ctx.awaitAttached(channel, attached);
    Message malformed = ctx.message(channel, "malformed").newBuilder().header("trace", "t-13")
        .build();
    java.time.Instant before = java.time.Instant.now();
    dev.realtime.Position position = ctx.confirm(malformed).position();

    Message dead = deadLetterOf(ctx, deadLetters, malformed.id());
    assertThat(calls.get(malformed.id())).hasValue(1);
    assertDeadLetterHeaders(dead, malformed, channel, null, 1, NonRetryableException.class,
        "malformed payload", position, before);

    // A failure without a message: the reason is its type (DeadLetterHeaders.REASON).
    Message unexplained = ctx.message(channel, "unexplained");
    ctx.confirm(unexplained);
    assertThat(deadLetterOf(ctx, deadLetters, unexplained.id()).header(DeadLetterHeaders.REASON))
        .as(DeadLetterHeaders.REASON + " of a failure without a message")
        .isEqualTo(NonRetryableException.class.getSimpleName());

    // A reason of up to 1,000 characters is kept whole; a longer one is cut and marked.
    Message whole = ctx.message(channel, "verbose-1000");
    Message cut = ctx.message(channel, "verbose-1001");
    ctx.confirm(whole);
    ctx.confirm(cut);
    assertThat(deadLetterOf(ctx, deadLetters, whole.id()).header(DeadLetterHeaders.REASON))
        .as(DeadLetterHeaders.REASON + " of a failure message of 1,000 characters")
        .isEqualTo("x".repeat(1000));
    assertThat(deadLetterOf(ctx, deadLetters, cut.id()).header(DeadLetterHeaders.REASON))
        .as(DeadLetterHeaders.REASON + " of a failure message of 1,001 characters")
        .isEqualTo("x".repeat(1000) + "...");
  }

  private static void repeatedFailuresThenRecovery(CaseContext ctx) {
    Channel channel = ctx.channel("jobs");
    String group = ctx.group("workers");
    ctx.ensureGroups(channel, group);
    List<String> sent = ids(ctx.publish(channel, 20));
    // Retries that never end within the test: failing consumers never dead-letter anything.
    SubscriptionSpec failing = SubscriptionSpec.builder().channel(channel).group(group)
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

    DeliveryLog fresh = ctx.log("fresh member");
    ctx.subscribe(failing, fresh);
    fresh.awaitAll(sent, ctx.deadline());
    fresh.assertExactly(sent);
  }

  private static void flowControl(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("jobs");
    int limit = 4;
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    CountDownLatch gate = new CountDownLatch(1);
    DeliveryLog done = ctx.log("flow-controlled");
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).concurrency(8).batchSize(2)
        .maxInFlight(limit).build(), m -> {
          maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
          gate.await();
          running.decrementAndGet();
          done.record(m);
        });
    // The first marker to reach the handler blocks it: the subscription is attached.
    ctx.publishUntil(channel, () -> running.get() > 0);
    List<String> sent = ids(ctx.publish(channel, 40));

    await().atMost(ctx.deadline()).until(() -> running.get() == limit);
    assertThat(done.ids()).isEmpty();
    gate.countDown();
    done.awaitAll(sent, ctx.deadline());
    assertThat(maxRunning.get()).as("handlers running at once").isLessThanOrEqualTo(limit);

    roomResumesFetching(ctx);
  }

  /**
   * One message in flight, more handler lanes than that, and fetches that would wait twice the
   * deadline for messages: ten wait behind one the handler holds. Once it returns, each of the
   * ten starts as soon as the one before finished (room again ends the wait for it), and never
   * two at once.
   */
  private static void roomResumesFetching(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("one-at-a-time");
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    DeliveryLog done = ctx.log("one in flight");
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).concurrency(4).batchSize(1)
        .maxInFlight(1).pollTimeout(ctx.deadline().multipliedBy(2)).build(), m -> {
          maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
          try {
            if (m.event().equals("held")) {
              holding.countDown();
              release.await();
            }
          } finally {
            running.decrementAndGet();
          }
          done.record(m);
        });
    ctx.awaitAttached(channel, done);
    ctx.confirm(ctx.message(channel, "held"));
    assertThat(holding.await(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS))
        .as("the handler holds a message").isTrue();
    List<String> sent = ids(ctx.publish(channel, 10));
    release.countDown();
    done.awaitAll(sent, ctx.deadline());
    assertThat(maxRunning.get()).as("handlers running at once with maxInFlight 1").isEqualTo(1);
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
    ctx.publishUntil(channel, () -> !calls.isEmpty());
    List<Message> messages = IntStream.range(0, 1000)
        .mapToObj(i -> ctx.message(channel, "e" + i)).toList();
    ctx.confirmAll(messages);

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
          handled.add(m.event() + "@" + m.position() + " on " + Thread.currentThread().getName());
          calls.incrementAndGet();
          entered.countDown();
          finish.await();
          finished.incrementAndGet();
        });
    ctx.publishUntil(channel, () -> entered.getCount() == 0);
    DeliveryLog probe = ctx.log("probe");
    Subscription probing = ctx.subscribe(SubscriptionSpec.builder().channel(channel).build(),
        probe);
    ctx.awaitAttached(channel, probe);

    List<java.util.concurrent.Future<Object>> closers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      closers.add(ctx.background(() -> {
        subscription.close();
        return null;
      }));
    }
    await().atMost(ctx.deadline()).until(() -> !subscription.isActive());
    assertThat(closers).as("close waits for the running handler").noneMatch(
        java.util.concurrent.Future::isDone);
    finish.countDown();
    for (java.util.concurrent.Future<Object> closer : closers) {
      closer.get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS); // a close that threw fails
    }
    assertThat(finished).as("handler calls: " + handled).hasValue(1);
    int callsAtClose = calls.get();
    List<String> later = ids(ctx.publish(channel, 5));
    probe.awaitAll(later, ctx.deadline());
    assertThat(calls).as("nothing delivered after close").hasValue(callsAtClose);
    subscription.close();

    groupCloseAcknowledgesWhatFinished(ctx);

    // Closing the broker closes what is still open through it (the probe): nothing runs on.
    ctx.broker().close();
    assertThat(probing.isActive()).as("a subscription after its broker closed").isFalse();
    ctx.broker().close();
    assertThatThrownBy(() -> ctx.broker().publish(ctx.message(channel, "late")))
        .isInstanceOf(BrokerClosedException.class)
        .hasMessageContaining("closed");
  }

  /** A group member closed while handling a message acknowledges it: the next member skips it. */
  private static void groupCloseAcknowledgesWhatFinished(CaseContext ctx) throws Exception {
    if (!ctx.broker().capabilities().has(Capability.CONSUMER_GROUPS)) {
      return;
    }
    Channel channel = ctx.channel("group-jobs");
    String group = ctx.group("closing");
    ctx.ensureGroups(channel, group);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Set<String> finished = ConcurrentHashMap.newKeySet();
    SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).group(group).build();
    Subscription first = ctx.subscribe(spec, m -> {
      entered.countDown();
      finish.await();
      finished.add(m.id());
    });
    Message held = ctx.message(channel, "held");
    ctx.confirm(held);
    assertThat(entered.await(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    java.util.concurrent.Future<Object> closing = ctx.background(() -> {
      first.close();
      return null;
    });
    await().atMost(ctx.deadline()).until(() -> !first.isActive());
    finish.countDown();
    closing.get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS);
    assertThat(finished).containsExactly(held.id());

    DeliveryLog next = ctx.log("next member");
    ctx.subscribe(spec, next);
    List<String> later = ids(ctx.publish(channel, 3));
    next.awaitAll(later, ctx.deadline());
    assertThat(next.ids()).as("the message finished during close was acknowledged")
        .doesNotContain(held.id());
  }

  /**
   * Case 42. A backlog under three keys and none, fetched in batches; the handler names three
   * messages in a {@link BatchFailedException} the first time it sees them (one of each key k1
   * and k2, one without a key). Those come back as attempt 2; each key's messages are still
   * handled in publish order (the last time each is handled, so that a message of the key
   * behind a failed one in its batch is handled again after it); a message without a key, or of
   * a key with no failure before it in its batch, is handled once. What was handled is
   * acknowledged: the member closes drained, and the group's next member gets only a marker.
   */
  private static void batchFailureRetriesOnlyWhatFailed(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("bulk");
    String group = ctx.group("batches");
    ctx.ensureGroups(channel, group);
    Set<Integer> failing = Set.of(5, 7, 10);
    List<Message> sent = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      sent.add(ctx.message(channel, (failing.contains(i) ? "fail" : "ok") + i).newBuilder()
          .key(i % 4 == 3 ? null : "k" + i % 4).build());
    }
    // A backlog before the member attaches, so that a fetch brings many of them at once.
    ctx.confirmAll(sent);

    Map<String, List<Integer>> attempts = new ConcurrentHashMap<>();
    Set<String> named = ConcurrentHashMap.newKeySet();
    // Per id, when it was last handled (not named): one counter over every call, in order.
    Map<String, Integer> lastHandled = new ConcurrentHashMap<>();
    AtomicInteger clock = new AtomicInteger();
    SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).group(group)
        .batchSize(50).retryPolicy(FAST_RETRY).build();
    Subscription member = ctx.subscribeBatches(spec, batch -> {
      List<Message> failed = new ArrayList<>();
      for (Message m : batch) {
        attempts.computeIfAbsent(m.id(), id -> new CopyOnWriteArrayList<>())
            .add(m.deliveryAttempt());
        if (m.event().startsWith("fail") && named.add(m.id())) {
          failed.add(m);
        } else {
          lastHandled.put(m.id(), clock.incrementAndGet());
        }
      }
      if (!failed.isEmpty()) {
        throw new BatchFailedException(failed, new IllegalStateException("failed once"));
      }
    });
    await().atMost(ctx.deadline()).until(() -> lastHandled.keySet().containsAll(ids(sent)));

    Map<String, List<Integer>> retried = new java.util.TreeMap<>();
    for (Message m : sent) {
      if (m.event().startsWith("fail")) {
        assertThat(attempts.get(m.id())).as("attempts of %s, named as failed once", m.event())
            .containsExactly(1, 2);
      } else if (attempts.get(m.id()).size() != 1 && !behindAFailureOfItsKey(m, sent)) {
        retried.put(m.event(), attempts.get(m.id()));
      }
    }
    assertThat(retried).as("messages handed again though neither named nor of a named one's key "
        + "behind it (event -> attempts)").isEmpty();
    for (String key : List.of("k0", "k1", "k2")) {
      List<String> order = sent.stream().filter(m -> key.equals(m.key()))
          .sorted(java.util.Comparator.comparing(m -> lastHandled.get(m.id())))
          .map(Message::event).toList();
      assertThat(order).as("key %s's messages by when each was last handled", key)
          .isEqualTo(sent.stream().filter(m -> key.equals(m.key())).map(Message::event).toList());
    }

    assertThat(member.close(ctx.deadline())).as("the member drained: every message handled "
        + "was settled").isTrue();
    DeliveryLog next = ctx.log("the group's next member");
    ctx.subscribe(spec, next);
    ctx.awaitAttached(channel, next);
    assertThat(next.ids()).as("messages the group's next member got again: they were "
        + "handled, so acknowledged").doesNotContainAnyElementsOf(ids(sent));
  }

  /** Returns true if a message named as failed with {@code m}'s key was published before it. */
  private static boolean behindAFailureOfItsKey(Message m, List<Message> sent) {
    if (m.key() == null) {
      return false;
    }
    for (Message before : sent.subList(0, sent.indexOf(m))) {
      if (m.key().equals(before.key()) && before.event().startsWith("fail")) {
        return true;
      }
    }
    return false;
  }
}
