package dev.realtime.spi;

import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The skeleton of an adapter's subscription: one poll thread fetches from the broker and hands
 * messages to a {@link Dispatcher}, and {@link #close(Duration)} stops it in the one order that
 * is safe. Adapters extend it and write only the fetching.
 *
 * <p><b>The close order</b> is: handlers stop starting ({@link Dispatcher#stopTaking()}), then
 * {@link #isActive()} turns false and the poll thread is woken ({@link #wake()} and {@link
 * #interruptPoll()}), then the dispatcher drains, then the poll thread is joined, then {@link
 * #closed()} releases the adapter's resources. Stopping handlers first matters: a message queued
 * in the window between "stop fetching" and "stop handlers" would otherwise start after close
 * began. The poll thread is not joined when close runs on it or on a handler thread, whose end
 * the poll thread may be waiting for; a later close from any other thread joins it then. When
 * a handler closes, {@link #closed()} waits for the handlers to end, so that the closing
 * handler's own message is still acknowledged through the adapter's open clients.
 *
 * <p><b>One budget.</b> {@link #close(Deadline)} bounds the whole close by one deadline (an
 * adapter's {@code Broker.close()} passes the one it started from {@code realtime.close-timeout};
 * {@link #close(Duration)} starts one): the handlers may drain until shortly before it, keeping
 * the last fifth of the time (at most a second) for the poll thread's last steps, which read
 * {@link #closeDeadline()} to bound a final commit or acknowledgement and closing their clients;
 * close waits for the poll thread no longer than the deadline. What is not acknowledged by then
 * stays with the broker, which delivers it again.
 *
 * <p><b>Waiting.</b> The poll thread waits for work with {@link #awaitWake(Duration)}; {@link
 * #wake()} (give it to the dispatcher as its capacity listener) and close end the wait early.
 *
 * <p>Idempotent and safe from any thread, through {@link CloseOnce}.
 */
public abstract class PollingSubscription implements Subscription {
  private final SubscriptionSpec spec;
  private final Thread poller;
  private final AtomicBoolean active = new AtomicBoolean(true);
  private final CloseOnce closing = new CloseOnce();
  private final Object signal = new Object();
  private boolean signalled;
  private @Nullable Dispatcher dispatcher;
  private volatile Deadline closeDeadline = Deadline.after(Duration.ZERO);
  private volatile Duration drainTimeout = Duration.ZERO;

  /**
   * @param threadName the poll thread's name, such as {@code realtime-kafka-poll-3}
   */
  protected PollingSubscription(SubscriptionSpec spec, String threadName) {
    this.spec = Objects.requireNonNull(spec, "spec == null");
    this.poller = new Thread(this::poll, threadName);
    this.poller.setDaemon(true);
  }

  /** Sets the dispatcher the poll thread feeds; once, before {@link #startPolling()}. */
  protected final void useDispatcher(Dispatcher dispatcher) {
    if (this.dispatcher != null) {
      throw new IllegalStateException("the dispatcher is set already");
    }
    this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher == null");
  }

  /** The dispatcher given to {@link #useDispatcher}. */
  protected final Dispatcher dispatcher() {
    if (dispatcher == null) {
      throw new IllegalStateException("useDispatcher was not called");
    }
    return dispatcher;
  }

  /** Starts the poll thread, which runs {@link #poll()}. */
  protected final void startPolling() {
    dispatcher();
    poller.start();
  }

  /**
   * The poll thread's work: fetch and dispatch while {@link #isActive()}, then finish (a last
   * commit, handing back) and return.
   */
  protected abstract void poll();

  /**
   * The poll loop of a broker that pushes (Redis Pub/Sub, AMQP consumers): hands what its
   * callbacks put into {@code inbox} to the dispatcher, as much as the dispatcher has room for,
   * until closed. The callbacks call {@link #wake()} after adding. {@code eachRound} runs once
   * per round, for housekeeping that throttles itself (measuring lag).
   */
  protected final void pump(java.util.concurrent.BlockingQueue<dev.realtime.Message> inbox,
      Runnable eachRound) {
    java.util.List<dev.realtime.Message> batch = new java.util.ArrayList<>();
    while (isActive()) {
      eachRound.run();
      int room = Math.min(spec.batchSize(), dispatcher().capacity());
      if (room > 0) {
        inbox.drainTo(batch, room);
      }
      if (batch.isEmpty()) {
        awaitWake(spec.pollTimeout());
        continue;
      }
      dispatcher().dispatch(new java.util.ArrayList<>(batch));
      batch.clear();
    }
  }

  /**
   * Cuts short a fetch that blocks in the broker's client (Kafka's {@code wakeup()}, Redis's
   * CLIENT UNBLOCK). Called once by close, from the closing thread; by default nothing.
   */
  protected void interruptPoll() {}

  /**
   * How long close waits for the poll thread to end, at most: by default the drain plus ten
   * seconds. Close never waits past its {@link #closeDeadline()}, whatever this returns.
   */
  protected Duration pollThreadBound(Duration drainTimeout) {
    return drainTimeout.plusSeconds(10);
  }

  /**
   * Releases the adapter's resources (gauges, a client the poll thread never started to use) and
   * tells the broker this subscription is gone. Called once by close, last, whatever happened.
   */
  protected abstract void closed();

  /** Returns true if the poll thread was started (and so owns the clients it uses). */
  protected final boolean pollThreadStarted() {
    return poller.getState() != Thread.State.NEW;
  }

  /** How long the handlers were given to drain, from the moment close began. */
  protected final Duration drainTimeout() {
    return drainTimeout;
  }

  /**
   * The deadline of the whole close, for the poll thread's last steps: bound a final commit or
   * acknowledgement and closing a client by {@link Deadline#remaining()}. Before close began, a
   * deadline that has passed.
   */
  protected final Deadline closeDeadline() {
    return closeDeadline;
  }

  /** Ends the poll thread's current {@link #awaitWake} early; from any thread. */
  public final void wake() {
    synchronized (signal) {
      signalled = true;
      signal.notifyAll();
    }
  }

  /** Waits until woken, closed, or {@code duration} passed; on the poll thread. */
  protected final void awaitWake(Duration duration) {
    long deadline = System.nanoTime() + duration.toNanos();
    synchronized (signal) {
      try {
        while (!signalled && active.get()) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          TimeUnit.NANOSECONDS.timedWait(signal, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      signalled = false;
    }
  }

  /**
   * Returns true until closing began: {@link #isActive()}, and the dispatcher not stopped. A
   * message released while this is true is to be handled again; once false, it is to be left
   * for the broker to give back. (Between close's first step, stopping the handlers, and
   * {@code isActive()} turning false, a message handed over again would only be released
   * again, in a loop.)
   */
  protected final boolean isTaking() {
    return isActive() && (dispatcher == null || !dispatcher.isClosing());
  }

  /** Returns true for the poll thread and the dispatcher's handler threads. */
  protected final boolean isOwnThread(Thread thread) {
    return thread == poller || dispatcher != null && dispatcher.isWorker(thread);
  }

  /** The first step of closing, on its own: no handler call starts from now on. */
  public final void stopTaking() {
    if (dispatcher != null) {
      dispatcher.stopTaking();
    }
  }

  @Override
  public final SubscriptionSpec spec() {
    return spec;
  }

  @Override
  public final boolean isActive() {
    return active.get();
  }

  /**
   * Closes within {@code timeout} in all: {@link #close(Deadline)} with a deadline that far
   * ahead.
   */
  @Override
  public final boolean close(Duration timeout) {
    return close(Deadline.after(timeout));
  }

  /**
   * Closes by {@code deadline}, which the caller may share with its own later steps (a broker
   * closing its subscriptions, then its connections): see the class comment.
   *
   * @return true if every running handler finished in time
   */
  public final boolean close(Deadline deadline) {
    Objects.requireNonNull(deadline, "deadline == null");
    if (!closing.begin()) {
      boolean result = closing.awaitResult(isOwnThread(Thread.currentThread()));
      if (!isOwnThread(Thread.currentThread()) && poller.isAlive()) {
        // A handler began the close and could not wait for the poll thread's last work (the
        // final acknowledgements, handing back what was not handled). Whoever closes from
        // outside waits for it, so that a process exiting right after close() loses none of it.
        joinUninterruptibly(joinBound(deadline));
      }
      return result;
    }
    boolean drained = dispatcher == null;
    try {
      // Handlers drain until shortly before the deadline; the rest is for the last steps.
      Deadline drain = deadline.reserving(0.2, Duration.ofSeconds(1));
      this.drainTimeout = drain.remaining();
      Duration bound = pollThreadBound(drainTimeout);
      // A handler closing its own subscription (often with no time at all) returns at once and
      // keeps nobody waiting; the last steps must still acknowledge its message once it returns.
      this.closeDeadline = dispatcher != null && dispatcher.isWorker(Thread.currentThread())
          && bound.compareTo(deadline.remaining()) > 0 ? Deadline.after(bound) : deadline;
      stopTaking();
      active.set(false);
      wake();
      interruptPoll();
      if (dispatcher != null) {
        drained = dispatcher.close(drain);
      }
      if (!isOwnThread(Thread.currentThread()) && poller.isAlive()) {
        joinUninterruptibly(joinBound(deadline));
      }
    } finally {
      Dispatcher running = dispatcher;
      if (running != null && running.isWorker(Thread.currentThread())) {
        // Closed by a handler: its own message settles only once it returns, and the adapter's
        // clients must still be open then to acknowledge it (else it is delivered again). So
        // they are released when the handlers have ended, or at the poll thread's bound.
        boolean result = drained;
        // Nobody waits for this (close has returned to the handler), so the deadline does not
        // cut it short.
        running.terminated().toCompletableFuture().copy() // Not the dispatcher's own future.
            .orTimeout(pollThreadBound(drainTimeout).toMillis(), TimeUnit.MILLISECONDS)
            .whenComplete((ended, failure) -> finishClosing(result));
      } else {
        finishClosing(drained);
      }
    }
    return drained;
  }

  /** The adapter's bound on the poll thread, never past the deadline. */
  private Duration joinBound(Deadline deadline) {
    return deadline.remainingAtMost(pollThreadBound(drainTimeout));
  }

  private void finishClosing(boolean drained) {
    try {
      closed();
    } finally {
      closing.finish(drained);
    }
  }

  /** Waits for the poll thread; an interrupt is remembered, not a reason to stop early. */
  private void joinUninterruptibly(Duration bound) {
    boolean interrupted = false;
    long deadline = System.nanoTime() + bound.toNanos();
    while (poller.isAlive() && System.nanoTime() < deadline) {
      try {
        poller.join(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
