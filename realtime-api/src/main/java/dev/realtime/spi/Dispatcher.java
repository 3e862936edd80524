package dev.realtime.spi;

import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.subscription.AckMode;
import dev.realtime.subscription.BatchFailedException;
import dev.realtime.subscription.BatchHandler;
import dev.realtime.subscription.DeadLetterHeaders;
import dev.realtime.subscription.MessageHandler;
import dev.realtime.subscription.RetryPolicy;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a subscription's handler over the messages an adapter fetched: the one implementation of
 * handler dispatch, retry, dead letters, flow control and drain that every adapter shares, so
 * that they all behave alike. Package-private: an adapter reaches it only through {@link
 * PollingSubscription}, which builds it, feeds it and closes it.
 *
 * <p>The subscription hands it {@link Delivery deliveries} (a message and the adapter's handle
 * for it) through {@link #dispatch(List)}, and is told each one's {@link Outcome} through its
 * {@link Settlement}, with the handle: exactly once per delivery, from a worker thread, or from
 * the thread calling {@link #dispatch} or {@link #close} when those release messages.
 *
 * <p><b>Concurrency.</b> {@link SubscriptionSpec#concurrency()} lanes, each one thread with its
 * own queue. A message goes to the lane of its key's hash, so messages with the same key are
 * handled one after another in dispatch order; messages without a key are spread round-robin.
 * A retry waits in its lane, so it holds back only the messages behind it in that lane (the same
 * key or a key of the same hash), never the other lanes.
 *
 * <p><b>Flow control.</b> {@link #inFlight()} counts messages dispatched and not yet finished. An
 * adapter fetches at most {@link #capacity()} messages at a time and stops fetching (Kafka:
 * pauses partitions) at zero; the capacity listener tells it when to go on. Nothing is buffered
 * beyond {@link SubscriptionSpec#maxInFlight()}.
 *
 * <p><b>Retry and dead letters.</b> A message is tried until its handler returns or the attempts
 * of the {@link RetryPolicy} are used up, counting from {@link Message#deliveryAttempt()} (so a
 * broker's redelivery count carries over). Then it is published to the dead-letter channel with
 * {@link DeadLetterHeaders}, and settled only once the dead-letter publish was confirmed; a
 * failed dead-letter publish releases the message instead, so nothing is lost. Without a
 * dead-letter channel the message is logged and dropped.
 *
 * <p><b>Drain.</b> {@link #close(Deadline)} stops taking messages, releases those not yet
 * started, wakes retries out of their backoff (releasing them), and waits for running handlers.
 * Handlers still running at the deadline are interrupted and their messages released (the
 * broker delivers them again).
 */
final class Dispatcher<H> {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);


  /**
   * Told each dispatched message's outcome, exactly once, from any thread (see the class
   * comment). In {@link AckMode#ON_RECEIPT} mode the outcome is PROCESSED, told as the message is
   * handed to the handler.
   */
  @FunctionalInterface
  interface Settlement<H> {
    /** {@code handle} and {@code message} are the delivery's, as dispatched. */
    void settle(H handle, Message message, Outcome outcome);
  }

  /** Publishes a dead letter; the adapter's own publish. */
  @FunctionalInterface
  interface DeadLetterSink {
    /** Publishes {@code deadLetter}; the stage completes when the broker confirmed it. */
    CompletionStage<?> publish(Message deadLetter);
  }

  private final SubscriptionSpec spec;
  private final @Nullable MessageHandler handler;
  private final @Nullable BatchHandler batchHandler;
  private final Settlement<H> settlement;
  /** The longest failure message a dead letter's reason header carries whole. */
  private static final int MAX_REASON_CHARS = 1000;

  private final DeadLetterSink deadLetters;
  private final HandlingMetrics metrics;
  private final Runnable capacityListener;
  private final Duration deadLetterTimeout;
  private final Lane[] lanes;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger roundRobin = new AtomicInteger();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final AtomicInteger lanesAlive = new AtomicInteger();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private final Object idle = new Object();

  private Dispatcher(Builder<H> builder) {
    this.spec = builder.spec;
    this.handler = builder.handler;
    this.batchHandler = builder.batchHandler;
    this.settlement = Objects.requireNonNull(builder.settlement, "settlement == null");
    this.deadLetters = Objects.requireNonNull(builder.deadLetters, "deadLetters == null");
    this.metrics = new HandlingMetrics(builder.metrics, builder.brokerName, spec.group());
    this.capacityListener = builder.capacityListener;
    this.deadLetterTimeout = builder.deadLetterTimeout;
    @SuppressWarnings("unchecked") // Lane is an inner class of a generic one: a raw array.
    Lane[] created = (Lane[]) new Dispatcher.Lane[spec.concurrency()];
    this.lanes = created;
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = new Lane(builder.threadName + "-" + i);
    }
    lanesAlive.set(lanes.length);
    for (Lane lane : lanes) {
      lane.thread.start();
    }
  }

  /** Returns a builder for a dispatcher that runs {@code spec}'s handler. */
  static <H> Builder<H> builder(SubscriptionSpec spec) {
    return new Builder<>(spec);
  }

  /**
   * Hands {@code messages} to the handler, in order per key. Never blocks. Messages beyond the
   * capacity are accepted too (the adapter's fetch size is the bound), but a well-behaved
   * adapter fetches at most {@link #capacity()}. After {@link #close} began, every message is
   * released at once. Keeps none of the list: the caller may clear it when this returns.
   */
  void dispatch(List<Delivery<H>> deliveries) {
    if (deliveries.isEmpty()) {
      return;
    }
    inFlight.addAndGet(deliveries.size());
    // No check for a close here: Lane.enqueue releases what arrives after close began, and
    // checking once, there, leaves no window between a check here and the enqueue.
    if (batchHandler == null) {
      for (Delivery<H> delivery : deliveries) {
        laneOf(delivery.message).enqueue(List.of(delivery));
      }
      return;
    }
    // Batch mode: each lane gets its share of the fetch, in order, cut at the batch size.
    List<List<Delivery<H>>> perLane = new ArrayList<>(lanes.length);
    for (int i = 0; i < lanes.length; i++) {
      perLane.add(new ArrayList<>());
    }
    for (Delivery<H> delivery : deliveries) {
      int index = laneIndex(delivery.message);
      List<Delivery<H>> batch = perLane.get(index);
      batch.add(delivery);
      if (batch.size() == spec.batchSize()) {
        lanes[index].enqueue(batch);
        perLane.set(index, new ArrayList<>());
      }
    }
    for (int i = 0; i < lanes.length; i++) {
      if (!perLane.get(i).isEmpty()) {
        lanes[i].enqueue(perLane.get(i));
      }
    }
  }

  /** Messages dispatched and not yet finished. */
  int inFlight() {
    return inFlight.get();
  }

  /** How many more messages may be dispatched now without exceeding the in-flight limit. */
  int capacity() {
    return Math.max(0, spec.maxInFlight() - inFlight.get());
  }

  /**
   * Completes when every worker thread has ended, after {@link #close}: from then on no handler
   * runs. When a handler closes its own subscription, close() returns while that handler is
   * still running; an adapter that must not give back that handler's message waits for this.
   */
  CompletionStage<Void> terminated() {
    return terminated;
  }

  /** Returns true if {@code thread} is one of this dispatcher's workers (a handler's thread). */
  boolean isWorker(Thread thread) {
    for (Lane lane : lanes) {
      if (lane.thread == thread) {
        return true;
      }
    }
    return false;
  }

  /** Returns true once {@link #close} began. */
  boolean isClosing() {
    return closing.getCount() == 0;
  }

  /**
   * Stops and drains by {@code deadline}, which the caller shares with its own later steps: see
   * the class comment. Safe to call more than once and from a handler (which then does not wait
   * for itself).
   *
   * @return true if every running handler finished by {@code deadline}
   */
  boolean close(Deadline deadline) {
    Objects.requireNonNull(deadline, "deadline == null");
    stopTaking();
    Lane own = currentLane();
    int ownInFlight = own != null ? unfinished(own.current) : 0;
    boolean drained = awaitInFlightAtMost(ownInFlight,
        System.nanoTime() + deadline.remaining().toNanos());
    for (Lane lane : lanes) {
      if (lane != own) {
        lane.stop(!drained);
      }
    }
    return drained;
  }

  /**
   * The first half of {@link #close}, without waiting: from now on no handler call starts, and
   * messages not yet started are released. An adapter calls it first when it closes, before it
   * stops fetching, so that nothing fetched meanwhile reaches a handler.
   */
  void stopTaking() {
    closing.countDown();
    for (Lane lane : lanes) {
      lane.releaseQueued();
    }
  }

  /**
   * Waits until at most {@code target} messages are in flight. An interrupt does not cut the
   * drain short (a closing thread pool interrupts its workers, and they still must not lose
   * messages): it is remembered and restored.
   */
  private boolean awaitInFlightAtMost(int target, long deadline) {
    boolean interrupted = false;
    try {
      synchronized (idle) {
        while (inFlight.get() > target) {
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0) {
            return false;
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(idle, remaining);
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
        return true;
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static int unfinished(@Nullable List<? extends Delivery<?>> work) {
    int count = 0;
    if (work != null) {
      for (Delivery<?> delivery : work) {
        if (!delivery.isDone()) {
          count++;
        }
      }
    }
    return count;
  }

  private @Nullable Lane currentLane() {
    for (Lane lane : lanes) {
      if (lane.thread == Thread.currentThread()) {
        return lane;
      }
    }
    return null;
  }

  private Lane laneOf(Message message) {
    return lanes[laneIndex(message)];
  }

  private int laneIndex(Message message) {
    if (lanes.length == 1) {
      return 0;
    }
    String key = message.key();
    int hash = key != null ? key.hashCode() : roundRobin.getAndIncrement();
    return Math.floorMod(hash, lanes.length);
  }

  private void finish(Delivery<H> delivery, Outcome outcome) {
    if (!delivery.finish()) {
      return;
    }
    if (delivery.settle()) {
      try {
        settlement.settle(delivery.handle, delivery.message, outcome);
      } catch (RuntimeException e) {
        log.error("settling {} as {} failed; it will be delivered again", delivery.message,
            outcome, e);
      }
    }
    int before = inFlight.getAndDecrement();
    if (isClosing()) {
      // Only close() waits on idle, and only after setting closing: no wake-up is missed.
      synchronized (idle) {
        idle.notifyAll();
      }
    }
    if (before >= spec.maxInFlight()) {
      try {
        capacityListener.run();
      } catch (RuntimeException e) {
        log.error("capacity listener failed", e);
      }
    }
  }

  /** Runs one unit of work (one message, or one batch) to its outcome, retrying as needed. */
  private void process(Lane lane, List<Delivery<H>> work) {
    List<Delivery<H>> remaining = work;
    int attempt = Math.max(1, work.get(0).message.deliveryAttempt());
    RetryPolicy policy = spec.retryPolicy();
    while (true) {
      if (!lane.mayInvoke(remaining)) {
        // Closing began: no handler call starts from then on. Work taken as it began goes back
        // unspent (returned), a retry woken from its backoff as released (a handler had it).
        remaining.forEach(d -> finish(d, d.givenBack()));
        return;
      }
      Throwable failure;
      Set<String> failedIds = null;
      try {
        invoke(remaining, attempt);
        failure = null;
      } catch (BatchFailedException e) {
        failure = e.getCause() != null ? e.getCause() : e;
        failedIds = e.failedIds();
      } catch (Throwable e) {
        failure = e;
      }
      if (failure == null) {
        remaining.forEach(d -> handled(d, Outcome.PROCESSED));
        return;
      }
      if (isClosing() && (failure instanceof InterruptedException
          || Thread.currentThread().isInterrupted() || allDone(remaining))) {
        // Interrupted at the drain deadline: the failure is the interrupt, not the handler's,
        // and close() has already released these messages.
        remaining.forEach(d -> finish(d, Outcome.RELEASED));
        return;
      }
      remaining = keepFailed(remaining, failedIds);
      for (Delivery<H> delivery : remaining) {
        metrics.failed(delivery.message, failure);
      }
      if (!policy.isRetryable(failure) || attempt >= policy.maxAttempts()) {
        for (Delivery<H> delivery : remaining) {
          deadLetter(delivery, failure, attempt);
        }
        return;
      }
      log.debug("attempt {} of {} failed; retrying after backoff", attempt, remaining, failure);
      awaitBackoff(policy.backoffAfter(attempt));
      attempt++;
    }
  }

  private void invoke(List<Delivery<H>> work, int attempt) throws Exception {
    if (batchHandler != null) {
      List<Message> batch = new ArrayList<>(work.size());
      for (Delivery<H> delivery : work) {
        batch.add(asAttempt(delivery.message, attempt));
      }
      batchHandler.handle(Collections.unmodifiableList(batch));
    } else {
      Objects.requireNonNull(handler).handle(asAttempt(work.get(0).message, attempt));
    }
  }

  private static boolean allDone(List<? extends Delivery<?>> work) {
    for (Delivery<?> delivery : work) {
      if (!delivery.isDone()) {
        return false;
      }
    }
    return true;
  }

  private static Message asAttempt(Message message, int attempt) {
    return message.deliveryAttempt() == attempt ? message : message.withDeliveryAttempt(attempt);
  }

  /** The deliveries to retry: those a {@link BatchFailedException} named; the rest are done. */
  private List<Delivery<H>> keepFailed(List<Delivery<H>> work, @Nullable Set<String> failedIds) {
    if (failedIds == null) {
      return work;
    }
    List<Delivery<H>> failed = new ArrayList<>();
    List<Delivery<H>> succeeded = new ArrayList<>();
    Set<String> failedKeys = new java.util.HashSet<>();
    for (Delivery<H> delivery : work) {
      String key = delivery.message.key();
      boolean named = failedIds.contains(delivery.message.id());
      // A message after a failed one with the same key is retried too, to keep per-key order.
      if (named || (key != null && failedKeys.contains(key))) {
        failed.add(delivery);
        if (key != null) {
          failedKeys.add(key);
        }
      } else {
        succeeded.add(delivery);
      }
    }
    if (failed.isEmpty()) {
      // The handler named no message of this batch: retrying nothing would drop the failure.
      return work;
    }
    succeeded.forEach(d -> handled(d, Outcome.PROCESSED));
    return failed;
  }

  private void handled(Delivery<H> delivery, Outcome outcome) {
    metrics.handled(delivery.message);
    finish(delivery, outcome);
  }

  private void deadLetter(Delivery<H> delivery, Throwable failure, int attempts) {
    Message message = delivery.message;
    metrics.deadLettered(message);
    Channel target = spec.deadLetterChannel();
    if (target == null) {
      log.error("dropping {} after {} attempt(s): no dead-letter channel is set "
          + "(SubscriptionSpec.Builder.deadLetterChannel)", message, attempts, failure);
      finish(delivery, Outcome.DISCARDED);
      return;
    }
    Message.Builder copy = message.newBuilder()
        .channel(target)
        .position(null)
        .deliveryAttempt(0)
        .header(DeadLetterHeaders.REASON, reasonOf(failure))
        .header(DeadLetterHeaders.EXCEPTION, failure.getClass().getName())
        .header(DeadLetterHeaders.ORIGINAL_CHANNEL, message.channel().name())
        .header(DeadLetterHeaders.ATTEMPTS, Integer.toString(attempts))
        .header(DeadLetterHeaders.FAILED_AT, Instant.now().toString());
    if (message.position() != null) {
      copy.header(DeadLetterHeaders.ORIGINAL_POSITION, message.position().value());
    }
    if (spec.group() != null) {
      copy.header(DeadLetterHeaders.GROUP, spec.group());
    }
    try {
      deadLetters.publish(copy.build()).toCompletableFuture()
          .get(deadLetterTimeout.toMillis(), TimeUnit.MILLISECONDS);
      log.warn("dead-lettered {} to {} after {} attempt(s): {}", message, target, attempts,
          reasonOf(failure));
      finish(delivery, Outcome.DEAD_LETTERED);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      log.error("could not publish {} to dead-letter channel {}; releasing it to be delivered "
          + "again", message, target, e);
      finish(delivery, Outcome.RELEASED);
    }
  }

  private static String reasonOf(Throwable failure) {
    String text = failure.getMessage();
    if (text == null || text.isBlank()) {
      return failure.getClass().getSimpleName();
    }
    // Header values travel through every broker; keep them bounded (DeadLetterHeaders.REASON).
    return text.length() > MAX_REASON_CHARS ? text.substring(0, MAX_REASON_CHARS) + "..." : text;
  }

  /**
   * Waits out a retry's backoff, or less if closing begins: the next {@link Lane#mayInvoke}
   * then gives the work back instead of calling the handler.
   */
  private void awaitBackoff(Duration backoff) {
    try {
      closing.await(backoff.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      // Only close interrupts a lane, once closing began, so mayInvoke turns the work away
      // either way; an interrupt a handler left on its thread just ends the backoff, and is
      // dropped, as the lane's wait for its queue drops it.
    }
  }

  /** A worker thread and its queue. */
  private final class Lane implements Runnable {
    final LinkedBlockingDeque<List<Delivery<H>>> queue = new LinkedBlockingDeque<>();
    final Thread thread;
    volatile @Nullable List<Delivery<H>> current;

    Lane(String name) {
      thread = new Thread(this, name);
      // Daemon: the application owns the lifecycle through close(); a forgotten subscription
      // must not keep the JVM alive.
      thread.setDaemon(true);
    }

    void enqueue(List<Delivery<H>> work) {
      queue.add(work);
      if (isClosing()) {
        releaseQueued();
      }
    }

    void releaseQueued() {
      List<Delivery<H>> work;
      while ((work = queue.poll()) != null) {
        work.forEach(d -> finish(d, Outcome.RETURNED));
      }
    }

    /**
     * Returns true if the handler may be called now: closing has not begun. The one check
     * before every handler call, first or retry, so that none starts once close began. Under
     * the lane's lock, so that {@link #stop} sees the work as handed over or not. In
     * ON_RECEIPT mode the messages are acknowledged here, as they are handed over.
     */
    synchronized boolean mayInvoke(List<Delivery<H>> work) {
      if (isClosing()) {
        return false;
      }
      for (Delivery<H> delivery : work) {
        delivery.handed = true;
      }
      if (spec.ackMode() == AckMode.ON_RECEIPT) {
        for (Delivery<H> delivery : work) {
          if (delivery.settle()) {
            try {
              settlement.settle(delivery.handle, delivery.message, Outcome.PROCESSED);
            } catch (RuntimeException e) {
              log.error("acknowledging {} on receipt failed", delivery.message, e);
            }
          }
        }
      }
      return true;
    }

    void stop(boolean interruptRunning) {
      synchronized (this) {
        List<Delivery<H>> running = current;
        if (interruptRunning && running != null) {
          running.forEach(d -> finish(d, d.givenBack()));
        }
      }
      thread.interrupt();
    }

    @Override
    public void run() {
      try {
        loop();
      } finally {
        if (lanesAlive.decrementAndGet() == 0) {
          terminated.complete(null);
        }
      }
    }

    private void loop() {
      while (true) {
        List<Delivery<H>> work;
        try {
          work = queue.poll(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          work = null;
        }
        if (work == null) {
          // Nothing is left to release on the way out: close released the queue after it began
          // (stopTaking), and enqueue releases whatever arrives after that.
          if (isClosing()) {
            return;
          }
          continue;
        }
        // Published before mayInvoke's closing check, so that close() either sees this work as
        // running or this lane sees close() (both are volatile).
        current = work;
        try {
          process(this, work);
        } catch (RuntimeException | Error e) {
          // A bug in settlement or metrics must not kill the lane and strand its queue.
          log.error("dispatch of {} failed", work.get(0).message, e);
          work.forEach(d -> finish(d, d.givenBack()));
        } finally {
          current = null;
        }
      }
    }
  }

  /** Builds a {@link Dispatcher}. */
  static final class Builder<H> {
    private final SubscriptionSpec spec;
    private @Nullable MessageHandler handler;
    private @Nullable BatchHandler batchHandler;
    private @Nullable Settlement<H> settlement;
    private @Nullable DeadLetterSink deadLetters;
    private RealtimeMetrics metrics = RealtimeMetrics.NOOP;
    private String brokerName = "unknown";
    private Runnable capacityListener = () -> {};
    private String threadName = "realtime-handler";
    private Duration deadLetterTimeout = Duration.ofSeconds(30);

    Builder(SubscriptionSpec spec) {
      this.spec = Objects.requireNonNull(spec, "spec == null");
    }

    /** Handles one message at a time. */
    Builder<H> handler(MessageHandler handler) {
      this.handler = Objects.requireNonNull(handler, "handler == null");
      this.batchHandler = null;
      return this;
    }

    /** Handles batches. */
    Builder<H> batchHandler(BatchHandler handler) {
      this.batchHandler = Objects.requireNonNull(handler, "handler == null");
      this.handler = null;
      return this;
    }

    /** Runs {@code handling}'s handler, whichever kind it is. */
    Builder<H> handling(Handling handling) {
      return handling.handler != null ? handler(handling.handler)
          : batchHandler(java.util.Objects.requireNonNull(handling.batchHandler));
    }

    /** Told every message's outcome. Required. */
    Builder<H> settlement(Settlement<H> settlement) {
      this.settlement = Objects.requireNonNull(settlement, "settlement == null");
      return this;
    }

    /** Publishes dead letters. Required. */
    Builder<H> deadLetters(DeadLetterSink deadLetters) {
      this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters == null");
      return this;
    }

    /** Where handling is measured; default none. */
    Builder<H> metrics(RealtimeMetrics metrics, String brokerName) {
      this.metrics = Objects.requireNonNull(metrics, "metrics == null");
      this.brokerName = Objects.requireNonNull(brokerName, "brokerName == null");
      return this;
    }

    /**
     * Called when capacity returns after reaching zero (from a worker, or from the thread that
     * closes): fetch again. Must not block.
     */
    Builder<H> capacityListener(Runnable listener) {
      this.capacityListener = Objects.requireNonNull(listener, "listener == null");
      return this;
    }

    /**
     * How long a dead-letter publish may take before the message is released instead (default
     * 30 s; adapters pass {@code realtime.publish-timeout}).
     */
    Builder<H> deadLetterTimeout(Duration timeout) {
      this.deadLetterTimeout = Objects.requireNonNull(timeout, "timeout == null");
      return this;
    }

    /** The worker threads' name prefix, for thread dumps. */
    Builder<H> threadName(String threadName) {
      this.threadName = Objects.requireNonNull(threadName, "threadName == null");
      return this;
    }

    /**
     * Returns a started dispatcher.
     *
     * @throws IllegalStateException if no handler or batch handler was set.
     */
    Dispatcher<H> build() {
      if (handler == null && batchHandler == null) {
        throw new IllegalStateException("no handler: call handler() or batchHandler()");
      }
      return new Dispatcher<>(this);
    }
  }
}
