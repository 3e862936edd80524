package dev.realtime.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Message;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class PollingSubscriptionTest {
  /** The subscriptions of a broker that is nothing but these tests. */
  private static final Subscriptions<PollingSubscription<?>> OWNER = new Subscriptions<>(
      new BrokerContext(dev.realtime.config.RealtimeConfig.builder().build(),
          dev.realtime.metrics.RealtimeMetrics.NOOP), "test", Duration.ofSeconds(1),
      deadLetter -> java.util.concurrent.CompletableFuture.completedFuture(null));

  private static Message message() {
    return Message.builder().channel("a").event("e").build();
  }

  /**
   * A subscription whose poll thread, once closed, does slow last work (as the Redis adapter
   * hands back unfinished entries) that must not be cut short by a process exiting.
   */
  private static final class SlowToFinish extends PollingSubscription<String> {
    final AtomicBoolean lastWorkDone = new AtomicBoolean();
    final CountDownLatch dispatched = new CountDownLatch(1);
    final java.util.Map<String, Outcome> settled =
        new java.util.concurrent.ConcurrentHashMap<>();
    final java.util.Map<String, Outcome> settledWhenClosed =
        new java.util.concurrent.ConcurrentHashMap<>();

    SlowToFinish(SubscriptionSpec spec, dev.realtime.subscription.MessageHandler handler) {
      super(OWNER, spec, Handling.of(handler), "slow-to-finish");
      startPolling();
    }

    @Override
    protected void settle(String handle, Message message, Outcome outcome) {
      settled.put(handle, outcome);
    }

    @Override
    protected void poll() {
      Message message = message();
      hold(message, message.id());
      dispatchHeld();
      dispatched.countDown();
      while (isActive()) {
        awaitWake(Duration.ofMillis(50));
      }
      try {
        awaitHandlersEnded(Deadline.after(Duration.ofSeconds(5)));
        TimeUnit.MILLISECONDS.sleep(300); // Stands in for the broker round trips of the end.
        lastWorkDone.set(true);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    protected void closed() {
      settledWhenClosed.putAll(settled); // What an adapter could still acknowledge.
    }
  }

  @Test
  void aCloseFromOutsideWaitsForThePollThreadAfterAHandlerBeganClosing() throws Exception {
    SlowToFinish[] self = new SlowToFinish[1];
    CountDownLatch assigned = new CountDownLatch(1);
    CountDownLatch handlerClosed = new CountDownLatch(1);
    self[0] = new SlowToFinish(SubscriptionSpec.of("a"), message -> {
      assigned.await();
      self[0].dispatched.await();
      self[0].close(Duration.ZERO); // As `realtime consume --max-messages` does.
      handlerClosed.countDown();
      TimeUnit.MILLISECONDS.sleep(100); // The rest of the handler's work, after closing.
    });
    assigned.countDown();
    assertThat(handlerClosed.await(5, TimeUnit.SECONDS)).isTrue();

    self[0].close();

    assertThat(self[0].lastWorkDone).as("the poll thread's last work finished").isTrue();
    assertThat(self[0].settledWhenClosed.values())
        .as("the closing handler's message was settled before the adapter let go of its "
            + "clients, so it can be acknowledged")
        .containsExactly(Outcome.PROCESSED);
  }

  /**
   * A subscription that holds five messages, and whose first closer stops, once it has begun,
   * where an adapter's close may be slow to go on (here its poll-thread bound), until released.
   */
  private static final class SlowToStop extends PollingSubscription<String> {
    final CountDownLatch closeBegan = new CountDownLatch(1);
    final CountDownLatch closeMayGoOn = new CountDownLatch(1);
    final java.util.Map<String, Outcome> settled =
        new java.util.concurrent.ConcurrentHashMap<>();

    SlowToStop(SubscriptionSpec spec, dev.realtime.subscription.MessageHandler handler) {
      super(OWNER, spec, Handling.of(handler), "slow-to-stop");
      startPolling();
    }

    @Override
    protected void settle(String handle, Message message, Outcome outcome) {
      settled.put(handle, outcome);
    }

    @Override
    protected void poll() {
      for (int i = 1; i <= 5; i++) {
        hold(message(), "m" + i);
      }
      dispatchHeld();
      while (isActive()) {
        awaitWake(Duration.ofMillis(50));
      }
    }

    @Override
    protected Duration pollThreadBound(Duration drainTimeout) {
      closeBegan.countDown();
      try {
        closeMayGoOn.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return super.pollThreadBound(drainTimeout);
    }

    @Override
    protected void closed() {}
  }

  @Test
  void aHandlerClosingWhileAnotherThreadClosesStartsNoFurtherHandlerCall() throws Exception {
    SlowToStop[] self = new SlowToStop[1];
    java.util.List<String> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch assigned = new CountDownLatch(1);
    self[0] = new SlowToStop(SubscriptionSpec.builder().channels("a").concurrency(1).build(),
        message -> {
          assigned.await();
          handled.add(message.id());
          if (handled.size() == 1) {
            // The main thread of `realtime consume --max-messages` closes too, first.
            self[0].closeBegan.await(10, TimeUnit.SECONDS);
            self[0].close(Duration.ZERO);
          }
        });
    Thread outside = new Thread(() -> self[0].close(), "outside-closer");
    outside.start();
    assigned.countDown();

    // Either the second message reaches the handler (the defect) or the four not started are
    // given back: wait for one of the two, then let the outside close finish.
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> handled.size() > 1 || self[0].settled.size() >= 4);
    self[0].closeMayGoOn.countDown();
    outside.join(10_000);

    assertThat(handled).as("handler calls after the handler's close returned").hasSize(1);
  }

  /**
   * A subscription whose handler runs until interrupted and whose poll thread's last step (a
   * final commit to a broker that is gone) waits as long as it is allowed to: until the close
   * deadline if it reads one, else far longer.
   */
  private static final class StuckAtTheEnd extends PollingSubscription<String> {
    final CountDownLatch handlerStarted;
    final java.util.concurrent.CompletableFuture<Duration> leftForLastSteps =
        new java.util.concurrent.CompletableFuture<>();
    private final CountDownLatch brokerAnswers = new CountDownLatch(1); // Never: it is gone.
    private final boolean readsDeadline;

    StuckAtTheEnd(boolean readsDeadline) {
      this(readsDeadline, new CountDownLatch(1));
    }

    private StuckAtTheEnd(boolean readsDeadline, CountDownLatch handlerStarted) {
      super(OWNER, SubscriptionSpec.of("a"), Handling.of(message -> {
        handlerStarted.countDown();
        new CountDownLatch(1).await(); // Until the drain's end interrupts it.
      }), "stuck-at-the-end");
      this.handlerStarted = handlerStarted;
      this.readsDeadline = readsDeadline;
      startPolling();
    }

    @Override
    protected void settle(String handle, Message message, Outcome outcome) {}

    @Override
    protected void poll() {
      Message message = message();
      hold(message, message.id());
      dispatchHeld();
      while (isActive()) {
        awaitWake(Duration.ofMillis(50));
      }
      try {
        awaitHandlersEnded(Deadline.after(Duration.ofSeconds(30)));
        leftForLastSteps.complete(closeDeadline().remaining());
        brokerAnswers.await(readsDeadline ? closeDeadline().remainingMillis() : 60_000,
            TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        leftForLastSteps.completeExceptionally(e);
      }
    }

    @Override
    protected void closed() {}
  }

  @Test
  void closeReturnsByItsDeadlineThoughThePollThreadsLastStepHangs() throws Exception {
    StuckAtTheEnd subscription = new StuckAtTheEnd(false);
    assertThat(subscription.handlerStarted.await(5, TimeUnit.SECONDS)).isTrue();

    long start = System.nanoTime();
    boolean drained = subscription.close(Duration.ofSeconds(1));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(drained).as("the handler did not finish").isFalse();
    assertThat(took).as("close took the one budget it was given, plus slack")
        .isLessThan(Duration.ofMillis(2500));
  }

  @Test
  void theLastStepsKeepAShareOfTheBudgetThatTheHandlersCannotUse() throws Exception {
    StuckAtTheEnd subscription = new StuckAtTheEnd(true);
    assertThat(subscription.handlerStarted.await(5, TimeUnit.SECONDS)).isTrue();

    long start = System.nanoTime();
    subscription.close(Deadline.after(Duration.ofSeconds(2)));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    // A fifth of 2 s is kept for the final commit and closing the clients: not all of it is
    // left by the time the poll thread reads it, but most.
    assertThat(subscription.leftForLastSteps.get(5, TimeUnit.SECONDS))
        .isGreaterThan(Duration.ofMillis(150)).isLessThanOrEqualTo(Duration.ofMillis(400));
    assertThat(took).isLessThan(Duration.ofMillis(3500));
  }

  @Test
  void aDeadlineNeverGoesNegativeAndRefusesANegativeTimeout() {
    Deadline passed = Deadline.after(Duration.ZERO);
    assertThat(passed.remaining()).isEqualTo(Duration.ZERO);
    assertThat(passed.remainingMillis()).isZero();
    assertThat(passed.isExpired()).isTrue();
    assertThat(Deadline.after(Duration.ofDays(365_000_000L)).isExpired()).isFalse();
    assertThat(Deadline.after(Duration.ofSeconds(10)).remainingAtMost(Duration.ofSeconds(1)))
        .isEqualTo(Duration.ofSeconds(1));
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> Deadline.after(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout < 0: PT-0.001S");
  }
}
