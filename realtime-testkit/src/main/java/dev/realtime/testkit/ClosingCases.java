package dev.realtime.testkit;

import static dev.realtime.testkit.Awaits.await;
import static dev.realtime.testkit.CaseContext.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Capabilities;
import dev.realtime.Capability;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.subscription.AckMode;
import dev.realtime.subscription.MessageHandler;
import dev.realtime.subscription.RetryPolicy;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Cases about the ends of a close: a handler still running at the drain's bound, a handler that
 * closes its own subscription, and what acknowledging on receipt gives up.
 */
final class ClosingCases {
  /**
   * The drain a case waits for when a handler must outlast it: long enough that the close
   * clearly waits for the handler, and that the handlers' share of it (the close keeps a fifth,
   * at most a second, for the acknowledgements) ends clearly before the bound; short enough to
   * keep the case cheap.
   */
  static final Duration SHORT_CLOSE = Duration.ofSeconds(2);
  /** How much later than its bound a close may return on a loaded machine. */
  static final Duration CLOSE_SLACK = Duration.ofSeconds(2);
  /**
   * A drain no handler of these cases uses up: a close that waits for it (rather than for the
   * handlers) takes far longer than {@link #PROMPTLY}.
   */
  static final Duration LONG_DRAIN = Duration.ofSeconds(20);
  /** How soon a close that need not wait returns, on a loaded machine. */
  static final Duration PROMPTLY = Duration.ofSeconds(5);

  private ClosingCases() {}

  static List<ConformanceCase> all() {
    return List.of(
        ConformanceCase.of(39, "a handler that outlasts the drain",
            ClosingCases::handlerOutlastsTheDrain),
        ConformanceCase.of(40, "a handler closes its own subscription",
            ClosingCases::handlerClosesItsOwnSubscription),
        ConformanceCase.gated(41, "acknowledged on receipt",
            Set.of(Capability.CONSUMER_GROUPS, Capability.PERSISTENCE),
            ClosingCases::acknowledgedOnReceipt),
        ConformanceCase.of(43, "closing the client stops every subscription first",
            ClosingCases::closingTheClientStopsEverySubscriptionFirst),
        ConformanceCase.of(45, "an interrupted close still drains",
            ClosingCases::anInterruptedCloseStillDrains),
        ConformanceCase.of(46, "closing while messages stream in",
            ClosingCases::closingWhileMessagesStreamIn));
  }

  /** Case 46's closes: at most this many, and no more than {@link #STREAM_CLOSING_TIME}. */
  private static final int STREAM_CLOSES = 50;
  /** How long case 46 goes on closing: a few closes on a broker slow to subscribe, many here. */
  private static final Duration STREAM_CLOSING_TIME = Duration.ofSeconds(3);

  /**
   * Case 46. Closes that land while messages stream through the handlers: the poll thread is
   * handing messages over and every lane is taking the next one, none slow. Each close returns
   * true (nothing ran long) and promptly, and no handler call starts after it returned. The
   * moment a close lands in is the point (a message just taken off a lane's queue, or just
   * fetched and not yet handed over, must be given back rather than left in flight, which would
   * hold the close to its bound), so it is repeated: up to {@value #STREAM_CLOSES} closes, for
   * {@link #STREAM_CLOSING_TIME} at most, one subscription after another.
   */
  private static void closingWhileMessagesStreamIn(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("streaming");
    AtomicBoolean stop = new AtomicBoolean();
    Future<Object> publishing = ctx.background(() -> {
      while (!stop.get()) {
        List<Message> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          batch.add(ctx.message(channel, "e" + i).newBuilder().key("k" + i % 8).build());
        }
        ctx.confirmAll(batch);
      }
      return null;
    });
    SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).concurrency(4).build();
    int closes = 0;
    long slowest = 0;
    long until = System.nanoTime() + STREAM_CLOSING_TIME.toNanos();
    try {
      do {
        AtomicBoolean closed = new AtomicBoolean();
        List<String> afterClose = new CopyOnWriteArrayList<>();
        CountDownLatch flowing = new CountDownLatch(20);
        Subscription subscription = ctx.subscribe(spec, m -> {
          if (closed.get()) {
            afterClose.add(m.id());
          }
          flowing.countDown();
        });
        assertThat(flowing.await(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS))
            .as("messages reach the handlers of subscription %s", closes + 1).isTrue();
        long start = System.nanoTime();
        boolean drained = subscription.close(LONG_DRAIN);
        long took = System.nanoTime() - start;
        closed.set(true);
        slowest = Math.max(slowest, took);
        assertThat(drained).as("close %s of a subscription whose handlers are quick, while "
            + "messages stream in", closes + 1).isTrue();
        assertThat(Duration.ofNanos(took)).as("close %s while messages stream in", closes + 1)
            .isLessThan(PROMPTLY);
        closes++;
        assertThat(afterClose).as("handler calls that started after close %s returned", closes)
            .isEmpty();
      } while (closes < STREAM_CLOSES && System.nanoTime() < until);
    } finally {
      stop.set(true);
    }
    publishing.get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS);
    ctx.note(closes + " closes, the slowest " + Duration.ofNanos(slowest).toMillis() + " ms");
  }

  /**
   * Case 45. A close whose thread is interrupted while it waits for a running handler (an
   * application server stopping its threads) still waits for the handler, returns true once it
   * finished, and leaves the thread's interrupt status set, for the caller to see.
   */
  private static void anInterruptedCloseStillDrains(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("interrupted");
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Subscription subscription = ctx.subscribe(SubscriptionSpec.builder().channel(channel)
        .build(), m -> {
          if (entered.getCount() > 0) {
            entered.countDown();
            finish.await();
          }
        });
    ctx.publishUntil(channel, () -> entered.getCount() == 0);
    InterruptedClose closing = new InterruptedClose(ctx, subscription, LONG_DRAIN);
    finish.countDown();
    assertThat(closing.drained()).as("close(%s), interrupted while its handler ran, once the "
        + "handler finished", LONG_DRAIN).isTrue();
    assertThat(closing.interruptedAfter).as("the closing thread's interrupt status after close")
        .hasValue(true);

    // Interrupted, and the handler outlasts the close's bound: false, and still interrupted.
    Channel stuckChannel = ctx.channel("interrupted-stuck");
    CountDownLatch stuckEntered = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    Subscription stuck = ctx.subscribe(SubscriptionSpec.builder().channel(stuckChannel)
        .build(), m -> {
          stuckEntered.countDown();
          never.await(); // Until the close's bound interrupts it.
        });
    ctx.publishUntil(stuckChannel, () -> stuckEntered.getCount() == 0);
    InterruptedClose stuckClosing = new InterruptedClose(ctx, stuck, SHORT_CLOSE);
    assertThat(stuckClosing.drained()).as("close(%s), interrupted, its handler still running "
        + "at the bound", SHORT_CLOSE).isFalse();
    assertThat(stuckClosing.interruptedAfter).as("the closing thread's interrupt status after a "
        + "close that ran out of time").hasValue(true);
  }

  /** A close on a thread of its own, interrupted as soon as it waits (case 45). */
  private static final class InterruptedClose {
    final AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
    private final CaseContext ctx;
    private final Future<Boolean> closing;

    InterruptedClose(CaseContext ctx, Subscription subscription, Duration timeout) {
      this.ctx = ctx;
      AtomicReference<Thread> closer = new AtomicReference<>();
      closing = ctx.background(() -> {
        closer.set(Thread.currentThread());
        boolean drained = subscription.close(timeout);
        interruptedAfter.set(Thread.interrupted()); // Read and cleared: the thread is reused.
        return drained;
      });
      await().atMost(ctx.deadline()).until(() -> closing.isDone() || isWaiting(closer.get()));
      closer.get().interrupt();
    }

    /** What close returned. */
    boolean drained() throws Exception {
      return closing.get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Case 39. A close whose handler finishes in time returns true as soon as it finishes, not at
   * the end of the drain; a message waiting out a retry backoff does not hold the close. A
   * handler that ignores the interrupt and keeps running: {@code close(2 s)} waits for it,
   * returns false within its bound, and the handler is interrupted before the bound (the rest
   * of it is for the acknowledgements). Where groups persist, the next member gets the message
   * that handler held (an attempt more: a handler had it) and those fetched behind it (attempt
   * 1: no handler had them) while the handler is still stuck, and the closed member's handler is
   * given nothing more.
   */
  private static void handlerOutlastsTheDrain(CaseContext ctx) throws Exception {
    boolean groups = persistentGroups(ctx);
    closeWaitsForRunningHandlersOnly(ctx, groups);
    Channel channel = ctx.channel("stuck");
    String group = groups ? ctx.group("workers") : null;
    SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).group(group).build();
    List<String> sent = new ArrayList<>();
    if (groups) {
      // Published before the member subscribes: it fetches the first with the rest behind it.
      ctx.ensureGroups(channel, group);
      sent.addAll(ids(ctx.publish(channel, 4)));
    }
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    AtomicLong interruptedAt = new AtomicLong();
    CountDownLatch never = new CountDownLatch(1);
    List<String> calls = new CopyOnWriteArrayList<>();
    Subscription stuck = ctx.subscribe(spec, m -> {
      calls.add(m.id());
      if (holding.getCount() == 0) {
        return;
      }
      holding.countDown();
      // Stuck in something that does not answer interrupts: only the case's end frees it.
      while (true) {
        try {
          never.await();
          return;
        } catch (InterruptedException e) {
          interruptedAt.compareAndSet(0, System.nanoTime());
          interrupted.countDown();
        }
      }
    });
    try {
      if (groups) {
        assertThat(holding.await(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS))
            .as("the member is handling a message").isTrue();
      } else {
        ctx.publishUntil(channel, () -> holding.getCount() == 0);
      }
      String held = calls.get(0);
      long start = System.nanoTime();
      Future<Boolean> closing = ctx.background(() -> stuck.close(SHORT_CLOSE));
      boolean drained = closing.get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      int callsAtClose = calls.size();
      assertThat(drained).as("close(%s) with a handler still running", SHORT_CLOSE).isFalse();
      assertThat(took).as("close(%s) with a handler that outlasts it", SHORT_CLOSE)
          .isLessThan(SHORT_CLOSE.plus(CLOSE_SLACK))
          .isGreaterThanOrEqualTo(SHORT_CLOSE.dividedBy(2)); // It did wait for the handler.
      ctx.note("closed in " + took.toMillis() + " ms");
      assertThat(interrupted.await(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS))
          .as("the handler still running at the close's bound was interrupted").isTrue();
      // Handlers get most of the bound, the acknowledgements the rest: the last fifth, at most a
      // second (Subscription.close). A timer can fire late on a loaded machine, never early.
      assertThat(Duration.ofNanos(interruptedAt.get() - start))
          .as("when the stuck handler was interrupted, from the start of close(%s): the "
              + "handlers' share ends before the bound, and is most of it", SHORT_CLOSE)
          .isLessThan(SHORT_CLOSE)
          .isGreaterThanOrEqualTo(SHORT_CLOSE.multipliedBy(7).dividedBy(10));
      assertThat(stuck.close(SHORT_CLOSE)).as("close() again, the handler still running")
          .isFalse();
      if (!groups) {
        return;
      }
      Map<String, Integer> attempts = new ConcurrentHashMap<>();
      DeliveryLog next = ctx.log("next member");
      ctx.subscribe(spec, m -> {
        attempts.putIfAbsent(m.id(), m.deliveryAttempt());
        next.record(m);
      });
      List<String> expected = new ArrayList<>(sent);
      List<String> later = ids(ctx.publish(channel, 2));
      expected.addAll(later);
      awaitNextMemberGets(ctx, next, expected, "what the closed member gave back while its "
          + "handler was still stuck (it held " + held + ")");
      assertThat(attempts.get(held)).as("the delivery of %s after its handler outlasted the "
          + "drain counts one more attempt", held).isGreaterThanOrEqualTo(2);
      Map<String, Integer> spent = new java.util.TreeMap<>();
      for (String id : expected) {
        if (!id.equals(held) && attempts.get(id) != 1) {
          spent.put(id, attempts.get(id));
        }
      }
      assertThat(spent).as("attempts of messages no handler had (fetched behind the stuck "
          + "one, or published later), by id").isEmpty();
      assertThat(calls).as("calls of the closed member's handler after close returned")
          .hasSize(callsAtClose);
    } finally {
      never.countDown();
    }
  }

  /**
   * Case 39's first part: with two lanes, one handler running and one message waiting out a
   * long retry backoff (no handler running for it), the close ends as soon as the handler
   * does, and returns true. The message in backoff is given back: the group's next member gets
   * it as one attempt more; the finished one is acknowledged.
   */
  private static void closeWaitsForRunningHandlersOnly(CaseContext ctx, boolean groups)
      throws Exception {
    Channel channel = ctx.channel("in-time");
    String group = groups ? ctx.group("draining") : null;
    SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).group(group)
        .concurrency(2)
        .retryPolicy(RetryPolicy.builder().backoff(LONG_DRAIN, LONG_DRAIN, 2.0).build())
        .build();
    // Two keys, so that they run in parallel ("a" and "b" share no lane of two).
    Message slow = ctx.message(channel, "slow").newBuilder().key("a").build();
    Message failing = ctx.message(channel, "failing").newBuilder().key("b").build();
    if (groups) {
      ctx.ensureGroups(channel, group);
      ctx.confirm(slow);
      ctx.confirm(failing);
    }
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch failed = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    DeliveryLog markers = ctx.log("markers");
    Subscription subscription = ctx.subscribe(spec, m -> {
      if (m.id().equals(slow.id())) {
        entered.countDown();
        finish.await();
      } else if (m.id().equals(failing.id())) {
        failed.countDown();
        throw new IllegalStateException("fails until the close");
      } else {
        markers.record(m);
      }
    });
    if (!groups) {
      ctx.awaitAttached(channel, markers);
      ctx.confirm(slow);
      ctx.confirm(failing);
    }
    assertThat(entered.await(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS)
        && failed.await(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS))
        .as("one handler running, one message failed and waiting out its backoff").isTrue();
    Future<Boolean> closing = ctx.background(() -> subscription.close(LONG_DRAIN));
    await().atMost(ctx.deadline()).until(() -> !subscription.isActive());
    long finished = System.nanoTime();
    finish.countDown();
    boolean drained = closing.get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - finished);
    assertThat(drained).as("close(%s) whose handler finished in time, a message waiting out a "
        + "backoff of %s", LONG_DRAIN, LONG_DRAIN).isTrue();
    assertThat(took).as("close(%s) after its handler finished, a message waiting out its retry "
        + "backoff", LONG_DRAIN).isLessThan(PROMPTLY);
    if (!groups) {
      return;
    }
    Map<String, Integer> attempts = new ConcurrentHashMap<>();
    DeliveryLog next = ctx.log("next member after the backoff");
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).group(group).build(), m -> {
      attempts.putIfAbsent(m.id(), m.deliveryAttempt());
      next.record(m);
    });
    Message later = ctx.message(channel, "later");
    ctx.confirm(later);
    next.awaitAll(List.of(failing.id(), later.id()), ctx.deadline());
    assertThat(attempts.get(failing.id())).as("the delivery after a failed attempt given back "
        + "from its backoff counts one more").isEqualTo(2);
    assertThat(next.ids()).as("the message whose handler finished during the close")
        .doesNotContain(slow.id());
  }

  /**
   * Case 40. A group member's handler closes its own subscription: {@code close()} returns
   * without waiting for that handler (its drain timeout is far longer), and nothing more
   * reaches the handler. A next member joins while the handler is still running, and a close
   * from outside waits for that handler (then returns true). Once the handler returns, its
   * message is acknowledged: the next member gets every other message
   * (those the closed member fetched, with the same key as the one being handled, and those
   * published later), and never the handled one. Without groups, only the prompt return is
   * checked.
   */
  private static void handlerClosesItsOwnSubscription(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("self");
    boolean groups = persistentGroups(ctx);
    String group = groups ? ctx.group("workers") : null;
    SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).group(group)
        .drainTimeout(LONG_DRAIN).build();
    List<String> sent = new ArrayList<>();
    if (groups) {
      ctx.ensureGroups(channel, group);
      // One key: where a broker orders a key by acknowledgement, the closing member holds it.
      sent.addAll(ids(ctx.publish(channel, 4, i -> "k")));
    }
    CompletableFuture<Subscription> self = new CompletableFuture<>();
    CompletableFuture<Duration> closeTook = new CompletableFuture<>();
    CountDownLatch goOn = new CountDownLatch(1);
    CountDownLatch returned = new CountDownLatch(1);
    AtomicLong handlerReturnedAt = new AtomicLong();
    List<String> calls = new CopyOnWriteArrayList<>();
    MessageHandler closer = m -> {
      calls.add(m.id());
      if (calls.size() > 1) {
        return;
      }
      try {
        Subscription own = self.get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS);
        long start = System.nanoTime();
        own.close();
        closeTook.complete(Duration.ofNanos(System.nanoTime() - start));
        // Interrupted here (by its own close), the handler fails and its message comes back.
        goOn.await();
      } finally {
        handlerReturnedAt.set(System.nanoTime());
        returned.countDown();
      }
    };
    self.complete(ctx.subscribe(spec, closer));
    if (!groups) {
      ctx.publishUntil(channel, closeTook::isDone);
    }
    Duration took = closeTook.get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS);
    assertThat(took).as("close() from the subscription's own handler, with a drain timeout of "
        + "%s", LONG_DRAIN).isLessThan(PROMPTLY);
    assertThat(self.get().isActive()).as("closed by its handler").isFalse();
    String handled = calls.get(0);
    if (!groups) {
      goOn.countDown();
      assertThat(returned.await(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      assertThat(calls).as("calls of the handler that closed its subscription").hasSize(1);
      return;
    }
    DeliveryLog next = ctx.log("next member");
    ctx.subscribe(spec, next);
    // A close from outside meanwhile waits for the running handler, as any close does.
    AtomicLong outsideReturnedAt = new AtomicLong();
    AtomicReference<Thread> outsideThread = new AtomicReference<>();
    Future<Boolean> outside = ctx.background(() -> {
      outsideThread.set(Thread.currentThread());
      boolean drained = self.get().close(LONG_DRAIN);
      outsideReturnedAt.set(System.nanoTime());
      return drained;
    });
    // Until that close either returned (too early: the check below fails) or waits.
    await().atMost(ctx.deadline()).until(() -> outside.isDone() || isWaiting(outsideThread.get()));
    long finished = System.nanoTime();
    goOn.countDown();
    assertThat(outside.get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS))
        .as("close(%s) from outside, once the handler that closed finished", LONG_DRAIN)
        .isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - finished)).as("close(%s) from outside "
        + "after the handler that closed finished", LONG_DRAIN).isLessThan(PROMPTLY);
    assertThat(returned.getCount()).as("the closing handler returned").isZero();
    assertThat(outsideReturnedAt.get() - handlerReturnedAt.get()).as("nanoseconds from the "
        + "closing handler's return to the return of a close from outside begun while it ran")
        .isGreaterThanOrEqualTo(0);
    List<String> expected = new ArrayList<>(sent);
    expected.remove(handled);
    expected.addAll(ids(ctx.publish(channel, 3, i -> "k")));
    awaitNextMemberGets(ctx, next, expected, "what the member closed by its own handler gave "
        + "back (it handled " + handled + ")");
    assertThat(next.ids()).as("the message whose handler closed its subscription, acknowledged "
        + "once that handler returned").doesNotContain(handled);
    assertThat(calls).as("calls of the handler that closed its subscription").hasSize(1);
  }

  /**
   * Case 41. {@link AckMode#ON_RECEIPT}: a member is closed past its drain while handling a
   * message; the message was acknowledged as it was handed over, so the group's next member
   * never gets it (at-most-once), while the messages the closed member fetched and never handed
   * over do reach it. Retries within the process still happen: the next member's handler fails
   * one message once and gets it again, as attempt 2.
   */
  private static void acknowledgedOnReceipt(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("receipt");
    String group = ctx.group("workers");
    ctx.ensureGroups(channel, group);
    SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).group(group)
        .ackMode(AckMode.ON_RECEIPT).retryPolicy(HandlingCases.FAST_RETRY).build();
    List<String> sent = ids(ctx.publish(channel, 4));
    CountDownLatch holding = new CountDownLatch(1);
    List<String> calls = new CopyOnWriteArrayList<>();
    Subscription first = ctx.subscribe(spec, m -> {
      calls.add(m.id());
      if (holding.getCount() > 0) {
        holding.countDown();
        new CountDownLatch(1).await(); // Until the close interrupts it.
      }
    });
    assertThat(holding.await(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS))
        .as("the member is handling a message").isTrue();
    Future<Boolean> closing = ctx.background(() -> first.close(SHORT_CLOSE));
    assertThat(closing.get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS))
        .as("close(%s) with a handler still running", SHORT_CLOSE).isFalse();
    String held = calls.get(0);
    List<String> handedOver = List.copyOf(calls);

    Map<String, List<Integer>> attempts = new ConcurrentHashMap<>();
    DeliveryLog next = ctx.log("next member");
    ctx.subscribe(spec, m -> {
      List<Integer> seen = attempts.computeIfAbsent(m.id(), id -> new CopyOnWriteArrayList<>());
      seen.add(m.deliveryAttempt());
      if (m.event().equals("flaky") && seen.size() == 1) {
        throw new IllegalStateException("fails once");
      }
      next.record(m);
    });
    List<String> expected = new ArrayList<>(sent);
    expected.removeAll(handedOver);
    Message flaky = ctx.message(channel, "flaky");
    ctx.confirm(flaky);
    expected.add(flaky.id());
    expected.addAll(ids(ctx.publish(channel, 2)));
    awaitNextMemberGets(ctx, next, expected, "what the closed member fetched and never handed "
        + "to its handler (it was handling " + held + ")");
    assertThat(next.ids()).as("a message acknowledged on receipt, whose handler was "
        + "interrupted by the close: at-most-once").doesNotContain(held);
    assertThat(attempts.get(flaky.id())).as("a retry within the process, acknowledged on "
        + "receipt").containsExactly(1, 2);
  }

  /**
   * Case 43. {@code Broker.close()} first stops every subscription from starting new work, then
   * drains them one by one: while one drains its running handler, another that is not closed yet
   * must not start the messages queued behind its own running handler. Two subscriptions, each
   * with one handler thread busy on its first message and more waiting behind it; the client
   * closes; the subscription not draining yet has its handler released first, and must not be
   * given anything more. Handler threads are daemon threads (a subscription left open does not
   * keep the JVM from exiting).
   */
  private static void closingTheClientStopsEverySubscriptionFirst(CaseContext ctx)
      throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    List<Busy> both = List.of(new Busy(ctx, "first"), new Busy(ctx, "second"));
    for (Busy busy : both) {
      ctx.publishUntil(busy.channel, () -> busy.entered.getCount() == 0);
      ctx.confirm(ctx.message(busy.channel, "behind")); // Queued behind the busy handler.
      assertThat(busy.thread.get().isDaemon()).as("a handler thread is a daemon thread")
          .isTrue();
    }
    // The threads the library started for them (its own are named realtime-...; a broker
    // client's threads are the client library's business).
    List<String> started = Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> !before.contains(thread) && thread.getName().startsWith("realtime-"))
        .filter(thread -> !thread.isDaemon())
        .map(Thread::getName)
        .collect(java.util.stream.Collectors.toList());
    assertThat(started).as("threads started for two subscriptions that are not daemon threads")
        .isEmpty();
    Future<Object> closing = ctx.background(() -> {
      ctx.broker().close();
      return null;
    });
    // The client drains one subscription first; wait until it began.
    await().atMost(ctx.deadline()).until(() -> both.stream().anyMatch(b -> !b.subscription
        .isActive()));
    Busy draining = both.get(0).subscription.isActive() ? both.get(1) : both.get(0);
    Busy waiting = draining == both.get(0) ? both.get(1) : both.get(0);
    waiting.release.countDown();
    assertThat(waiting.returned.await(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS))
        .as("the released handler returned").isTrue();
    draining.release.countDown();
    closing.get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS);
    for (Busy busy : both) {
      assertThat(busy.subscription.isActive()).as("a subscription after its client closed")
          .isFalse();
    }
    assertThat(waiting.calls).as("handler calls of a subscription whose client was closing "
        + "(while another subscription of the client drained)").hasSize(1);
    assertThat(draining.calls).as("handler calls of the subscription that drained first")
        .hasSize(1);
  }

  /**
   * Subscribes from a thread that is not a daemon, as an application's main thread is: a new
   * thread is a daemon only if its creator is or it is made one, so a subscription made from a
   * daemon thread (as a test framework's may be) would hide a library that forgot to.
   */
  private static Subscription subscribeFromANonDaemonThread(CaseContext ctx,
      SubscriptionSpec spec, MessageHandler handler) throws Exception {
    java.util.concurrent.FutureTask<Subscription> subscribing =
        new java.util.concurrent.FutureTask<>(() -> ctx.subscribe(spec, handler));
    Thread subscriber = new Thread(subscribing, "conformance-subscriber");
    subscriber.setDaemon(false);
    subscriber.start();
    return subscribing.get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A subscription with one handler thread, busy on its first message until released. */
  private static final class Busy {
    final Channel channel;
    final Subscription subscription;
    final List<String> calls = new CopyOnWriteArrayList<>();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch returned = new CountDownLatch(1);
    final AtomicReference<Thread> thread = new AtomicReference<>();

    Busy(CaseContext ctx, String name) throws Exception {
      channel = ctx.channel(name);
      subscription = subscribeFromANonDaemonThread(ctx, SubscriptionSpec.builder()
          .channel(channel).concurrency(1).build(), m -> {
            calls.add(m.id());
            if (entered.getCount() == 0) {
              return;
            }
            thread.set(Thread.currentThread());
            entered.countDown();
            try {
              release.await();
            } finally {
              returned.countDown();
            }
          });
    }
  }

  /** Waits until the group's next member got {@code expected}, naming {@code what} if not. */
  private static void awaitNextMemberGets(CaseContext ctx, DeliveryLog next,
      List<String> expected, String what) {
    try {
      next.awaitAll(expected, ctx.deadline());
    } catch (AssertionError e) {
      throw new AssertionError("the next member did not get " + what, e);
    }
  }

  private static boolean isWaiting(Thread thread) {
    return thread != null && (thread.getState() == Thread.State.WAITING
        || thread.getState() == Thread.State.TIMED_WAITING);
  }

  private static boolean persistentGroups(CaseContext ctx) {
    Capabilities capabilities = ctx.broker().capabilities();
    return capabilities.has(Capability.CONSUMER_GROUPS)
        && capabilities.has(Capability.PERSISTENCE);
  }
}
