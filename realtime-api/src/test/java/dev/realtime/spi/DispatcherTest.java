package dev.realtime.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.subscription.AckMode;
import dev.realtime.subscription.RetryPolicy;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The hard cases of the shared dispatcher, driven directly as an adapter would: every
 * dispatched message gets exactly one outcome, whatever close does to it.
 */
class DispatcherTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
  private final AtomicInteger settlements = new AtomicInteger();

  @Test
  void closeReleasesQueuedMessagesAndWaitsForTheRunningOne() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Dispatcher<Message> dispatcher = dispatcher(spec().build(), m -> {
      entered.countDown();
      finish.await();
    });
    List<Message> messages = messages(5);
    dispatch(dispatcher, messages);
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Boolean> closed =
        CompletableFuture.supplyAsync(() -> dispatcher.close(Deadline.after(DEADLINE)));
    await().atMost(DEADLINE).until(() -> outcomes.size() == 4);
    assertThat(closed).isNotDone();
    finish.countDown();

    assertThat(closed.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(outcomes.get(messages.get(0).id())).isEqualTo(Outcome.PROCESSED);
    messages.subList(1, 5).forEach(m -> assertThat(outcomes.get(m.id()))
        .as("never handed to the handler: given back without spending an attempt")
        .isEqualTo(Outcome.RETURNED));
    assertThat(settlements).hasValue(5);
    assertThat(dispatcher.inFlight()).isZero();
  }

  @Test
  void aHandlerStillRunningAtTheDeadlineIsInterruptedAndReleasedOnce() {
    CountDownLatch entered = new CountDownLatch(1);
    Dispatcher<Message> dispatcher = dispatcher(spec().retryPolicy(RetryPolicy.none()).build(),
        m -> {
      entered.countDown();
      new CountDownLatch(1).await(); // never returns on its own
    });
    Message message = messages(1).get(0);
    dispatch(dispatcher, List.of(message));
    await().atMost(DEADLINE).until(() -> entered.getCount() == 0);

    assertThat(dispatcher.close(Deadline.after(Duration.ofMillis(50)))).isFalse();
    await().atMost(DEADLINE).until(() -> dispatcher.inFlight() == 0);
    assertThat(outcomes).containsEntry(message.id(), Outcome.RELEASED);
    assertThat(settlements).hasValue(1);
  }

  @Test
  void closeWakesARetryFromItsBackoffAndReleasesTheMessage() {
    AtomicInteger attempts = new AtomicInteger();
    Dispatcher<Message> dispatcher = dispatcher(spec().retryPolicy(RetryPolicy.builder()
        .maxAttempts(5)
        .backoff(Duration.ofHours(1), Duration.ofHours(1), 1.0).build()).build(), m -> {
          attempts.incrementAndGet();
          throw new IllegalStateException("fails");
        });
    Message message = messages(1).get(0);
    dispatch(dispatcher, List.of(message));
    await().atMost(DEADLINE).until(() -> attempts.get() == 1);

    long start = System.nanoTime();
    assertThat(dispatcher.close(Deadline.after(DEADLINE))).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(DEADLINE);
    assertThat(outcomes).containsEntry(message.id(), Outcome.RELEASED);
    assertThat(attempts).hasValue(1);
  }

  @Test
  void aHandlerMayCloseItsOwnDispatcherWithoutWaitingForItself() {
    @SuppressWarnings("unchecked")
    Dispatcher<Message>[] self = new Dispatcher[1];
    CompletableFuture<Boolean> closedFromHandler = new CompletableFuture<>();
    self[0] = dispatcher(spec().build(),
        m -> closedFromHandler.complete(self[0].close(Deadline.after(DEADLINE))));
    dispatch(self[0], messages(1));

    assertThat(closedFromHandler).succeedsWithin(DEADLINE).isEqualTo(true);
    await().atMost(DEADLINE).until(() -> outcomes.size() == 1);
    assertThat(outcomes.values()).containsExactly(Outcome.PROCESSED);
  }

  @Test
  void onReceiptAcknowledgesAtHandOffAndGivesBackWhatWasNeverHandedOver() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Dispatcher<Message> dispatcher = dispatcher(spec().ackMode(AckMode.ON_RECEIPT).build(), m -> {
      entered.countDown();
      finish.await();
    });
    List<Message> messages = messages(3);
    dispatch(dispatcher, messages);
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    // The first is acknowledged while its handler still runs; the others wait in the queue.
    assertThat(outcomes).containsOnlyKeys(messages.get(0).id());
    assertThat(outcomes.get(messages.get(0).id())).isEqualTo(Outcome.PROCESSED);
    CompletableFuture<Boolean> closed =
        CompletableFuture.supplyAsync(() -> dispatcher.close(Deadline.after(DEADLINE)));
    await().atMost(DEADLINE).until(() -> outcomes.size() == 3);
    finish.countDown();

    assertThat(closed.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(outcomes.get(messages.get(1).id())).isEqualTo(Outcome.RETURNED);
    assertThat(outcomes.get(messages.get(2).id())).isEqualTo(Outcome.RETURNED);
    assertThat(settlements).hasValue(3);
    assertThat(dispatcher.inFlight()).isZero();
  }

  @Test
  void aPartialBatchFailureAlsoRetriesTheLaterMessagesOfTheFailedKey() {
    List<List<String>> batches = new java.util.concurrent.CopyOnWriteArrayList<>();
    Dispatcher<Message> dispatcher = Dispatcher.<Message>builder(spec().batchSize(10)
        .retryPolicy(
            RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO, 1.0).build()).build())
        .batchHandler(batch -> {
          batches.add(batch.stream().map(Message::event).toList());
          if (batches.size() == 1) {
            throw new dev.realtime.subscription.BatchFailedException(List.of(batch.get(0)),
                new IllegalStateException("a1 fails once"));
          }
        })
        .settlement(this::record)
        .deadLetters(m -> CompletableFuture.completedFuture(null))
        .build();
    dispatch(dispatcher, List.of(keyed("a1", "a"), keyed("b1", "b"), keyed("a2", "a")));

    await().atMost(DEADLINE).until(() -> outcomes.size() == 3);
    // b1 is done; a2 must not be done before a1, so it is retried with it, in order.
    assertThat(batches).containsExactly(List.of("a1", "b1", "a2"), List.of("a1", "a2"));
    dispatcher.close(Deadline.after(DEADLINE));
  }

  private static Message keyed(String event, String key) {
    return Message.builder().channel("jobs").event(event).key(key).build();
  }

  @Test
  void capacityFallsWithWorkInHandAndTheListenerHearsWhenItReturns() throws Exception {
    CountDownLatch finish = new CountDownLatch(1);
    AtomicInteger capacityCalls = new AtomicInteger();
    Dispatcher<Message> dispatcher =
        Dispatcher.<Message>builder(spec().maxInFlight(2).batchSize(1).build())
        .handler(m -> finish.await())
        .settlement(this::record)
        .deadLetters(m -> CompletableFuture.completedFuture(null))
        .capacityListener(capacityCalls::incrementAndGet)
        .build();
    dispatch(dispatcher, messages(2));
    assertThat(dispatcher.capacity()).isZero();

    finish.countDown();
    await().atMost(DEADLINE).until(() -> dispatcher.capacity() == 2);
    assertThat(capacityCalls.get()).isGreaterThanOrEqualTo(1);
    dispatcher.close(Deadline.after(DEADLINE));
  }

  @Test
  void aFailedDeadLetterPublishReleasesTheMessageInsteadOfLosingIt() {
    Dispatcher<Message> dispatcher = Dispatcher.<Message>builder(spec()
            .retryPolicy(RetryPolicy.none()).deadLetterChannel("jobs.dlq").build())
        .handler(m -> {
          throw new IllegalStateException("fails");
        })
        .settlement(this::record)
        .deadLetters(m -> CompletableFuture.failedFuture(new IllegalStateException("down")))
        .build();
    Message message = messages(1).get(0);
    dispatch(dispatcher, List.of(message));

    await().atMost(DEADLINE).until(() -> outcomes.containsKey(message.id()));
    assertThat(outcomes.get(message.id())).isEqualTo(Outcome.RELEASED);
    dispatcher.close(Deadline.after(DEADLINE));
  }

  @Test
  void manyMessagesAcrossLanesEachGetExactlyOneOutcome() {
    Dispatcher<Message> dispatcher = dispatcher(spec().concurrency(8).maxInFlight(10_000).build(),
        m -> { });
    List<Message> messages = messages(5_000);
    dispatch(dispatcher, messages);

    await().atMost(DEADLINE).until(() -> outcomes.size() == 5_000);
    dispatcher.close(Deadline.after(DEADLINE));
    assertThat(settlements).hasValue(5_000);
    assertThat(dispatcher.inFlight()).isZero();
  }

  /** Dispatches as an adapter would, each message its own handle. */
  /**
   * A poll thread may hand over what it fetched as the close began, after the lanes, idle,
   * have ended: nobody would take that work off their queues, and the close and the adapter
   * would wait for its outcome forever. No conformance case can order those two threads.
   */
  @Test
  void workDispatchedAfterTheLanesEndedIsReturnedAtOnce() throws Exception {
    Dispatcher<Message> dispatcher = dispatcher(spec().concurrency(2).build(), m -> { });
    assertThat(dispatcher.close(Deadline.after(DEADLINE))).isTrue();
    dispatcher.terminated().toCompletableFuture().get(10, TimeUnit.SECONDS);

    List<Message> messages = messages(3);
    dispatch(dispatcher, messages);

    messages.forEach(m -> assertThat(outcomes.get(m.id()))
        .as("given back unspent by the dispatch itself").isEqualTo(Outcome.RETURNED));
    assertThat(dispatcher.inFlight()).isZero();
  }

  /**
   * A handler that leaves its thread interrupted and fails is retried, as any failure is, in
   * the process: the leftover interrupt ends its backoff early at most, and does not give the
   * message back to the broker as a close would.
   */
  @Test
  void anInterruptAHandlerLeavesBehindDoesNotGiveUpTheRetry() {
    AtomicInteger attempts = new AtomicInteger();
    Dispatcher<Message> dispatcher = dispatcher(spec().retryPolicy(RetryPolicy.builder()
        .maxAttempts(3).backoff(Duration.ofMillis(10), Duration.ofMillis(10), 1.0).build())
        .build(), m -> {
          if (attempts.incrementAndGet() == 1) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("fails once, leaving its thread interrupted");
          }
        });
    Message message = messages(1).get(0);
    dispatch(dispatcher, List.of(message));

    await().atMost(DEADLINE).until(() -> outcomes.containsKey(message.id()));
    assertThat(outcomes).containsEntry(message.id(), Outcome.PROCESSED);
    assertThat(attempts).hasValue(2);
    assertThat(dispatcher.close(Deadline.after(DEADLINE))).isTrue();
  }

  @Test
  void aMetricsRegistryThatThrowsChangesNothingThatHappensToAMessage() {
    RealtimeMetrics failing = new RealtimeMetrics() {
      @Override
      public void handled(String broker, String group, Channel channel, long nanos) {
        throw new IllegalStateException("registry down");
      }

      @Override
      public void handlerFailed(String broker, String group, Channel channel, Throwable failure) {
        throw new IllegalStateException("registry down");
      }

      @Override
      public void deadLettered(String broker, String group, Channel channel) {
        throw new IllegalStateException("registry down");
      }
    };
    Map<String, Message> deadLetters = new ConcurrentHashMap<>();
    Dispatcher<Message> dispatcher = Dispatcher.<Message>builder(spec()
            .retryPolicy(RetryPolicy.builder().maxAttempts(2).backoff(Duration.ofMillis(1),
                Duration.ofMillis(1), 1.0).build())
            .deadLetterChannel("jobs-dlq").build())
        .handler(m -> {
          if (m.event().equals("e1")) {
            throw new IllegalArgumentException("poison");
          }
        })
        .settlement(this::record)
        .deadLetters(m -> {
          deadLetters.put(m.id(), m);
          return CompletableFuture.completedFuture(null);
        })
        .metrics(failing, "test")
        .build();
    List<Message> messages = messages(2);
    dispatch(dispatcher, messages);

    await().atMost(DEADLINE).until(() -> outcomes.size() == 2);
    assertThat(outcomes).containsEntry(messages.get(0).id(), Outcome.PROCESSED)
        .containsEntry(messages.get(1).id(), Outcome.DEAD_LETTERED);
    assertThat(deadLetters).containsKey(messages.get(1).id());
    assertThat(dispatcher.close(Deadline.after(DEADLINE))).isTrue();
  }

  private static void dispatch(Dispatcher<Message> dispatcher, List<Message> messages) {
    List<Delivery<Message>> deliveries = new java.util.ArrayList<>();
    for (Message message : messages) {
      deliveries.add(new Delivery<>(message, message));
    }
    dispatcher.dispatch(deliveries);
  }

  private void record(Message handle, Message message, Outcome outcome) {
    assertThat(handle).as("the handle comes back with its message").isSameAs(message);
    settlements.incrementAndGet();
    Outcome previous = outcomes.put(message.id(), outcome);
    assertThat(previous).as("second outcome for " + message.id()).isNull();
  }

  private Dispatcher<Message> dispatcher(SubscriptionSpec spec,
      dev.realtime.subscription.MessageHandler handler) {
    return Dispatcher.<Message>builder(spec)
        .handler(handler)
        .settlement(this::record)
        .deadLetters(m -> CompletableFuture.completedFuture(null))
        .build();
  }

  private static SubscriptionSpec.Builder spec() {
    return SubscriptionSpec.builder().channels("jobs");
  }

  private static List<Message> messages(int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> Message.builder().channel("jobs").event("e" + i).build()).toList();
  }
}
