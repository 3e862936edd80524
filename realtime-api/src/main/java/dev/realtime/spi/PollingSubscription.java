package dev.realtime.spi;

import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.internal.CloseOnce;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The base of every adapter's subscription: it owns the wiring that is the same for all of them,
 * so that an adapter writes only what is about its broker (fetching, acknowledging, handing
 * back). One poll thread fetches from the broker and hands messages to the shared dispatcher
 * (handler lanes, retry, dead letters, flow control, drain), and {@link #close(Duration)} stops
 * it in the one order that is safe.
 *
 * <p><b>Handles.</b> {@code H} is the adapter's own handle for a message: what it needs to
 * acknowledge it (Kafka: partition and offset; Redis: stream and entry id; RabbitMQ: delivery tag
 * and source). The adapter pairs each message with its handle as it fetches ({@link #hold},
 * {@link #push}); the pair travels through the dispatcher, and {@link #settle} gets the handle
 * back with the outcome. Nothing on the settle path parses a position or looks the message up:
 * reactor-kafka's {@code ReceiverRecord.receiverOffset()} is the model.
 *
 * <p><b>What the base owns.</b> The dispatcher (built from the broker's {@link Subscriptions} and
 * the {@link Handling}, started by {@link #startPolling()}), the buffer of fetched messages
 * waiting for room ({@link #hold}, {@link #dispatchHeld()}), the queue of messages to handle
 * again ({@link #again}), the inbox of a broker that pushes ({@link #push}, {@link #pump}), the
 * lag gauges ({@link #gaugeLag()}, {@link #lag}), and the close.
 *
 * <p><b>The close order</b> is: handlers stop starting ({@link Dispatcher#stopTaking()}), then
 * {@link #isActive()} turns false and the poll thread is woken ({@link #wake()} and {@link
 * #interruptPoll()}), then the dispatcher drains, then the poll thread is joined, then {@link
 * #closed()} releases the adapter's resources. Stopping handlers first matters: a message queued
 * in the window between "stop fetching" and "stop handlers" would otherwise start after close
 * began. The poll thread is not joined when close runs on it or on a handler thread, whose end
 * the poll thread may be waiting for; a later close from any other thread joins it then. When
 * a handler closes, {@link #closed()} is called only once the handlers have ended (or at the
 * poll thread's bound), so that the closing handler's own message is still acknowledged
 * through the adapter's open clients.
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
 *
 * @param <H> the adapter's handle of a message
 */
public abstract class PollingSubscription<H> implements Subscription {
  private static final Logger log = LoggerFactory.getLogger(PollingSubscription.class);
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  /** How often the lag gauges' values are measured at most: each measure is a broker call. */
  private static final long LAG_INTERVAL = TimeUnit.SECONDS.toNanos(1);

  private final Subscriptions<?> owner;
  private final SubscriptionSpec spec;
  private final Handling handling;
  private final int id;
  private final Thread poller;
  private final AtomicBoolean active = new AtomicBoolean(true);
  private final CloseOnce closing = new CloseOnce();
  private final Object signal = new Object();
  private boolean signalled;
  /** Built and started by startPolling(): a failed constructor leaves no threads behind. */
  private volatile @Nullable Dispatcher<H> dispatcher;
  /** Fetched and not yet dispatched, in order; the poll thread's only. */
  private final List<Delivery<H>> held = new ArrayList<>();
  /** To be handled again ahead of what is held (released while running); any thread adds. */
  private final Queue<Delivery<H>> again = new ConcurrentLinkedQueue<>();
  /** Pushed by the broker's client (a callback thread), taken by {@link #pump}. */
  private final BlockingDeque<Delivery<H>> inbox = new LinkedBlockingDeque<>();
  /** Messages not yet fetched, per channel, as last measured; read by the lag gauges. */
  private final Map<Channel, Long> lag = new ConcurrentHashMap<>();
  private final List<AutoCloseable> gauges = new ArrayList<>();
  private long lastLag;
  private volatile Deadline closeDeadline = Deadline.after(Duration.ZERO);
  private volatile Duration drainTimeout = Duration.ZERO;

  /**
   * @param owner the broker's subscriptions: its name, metrics and dead-letter route
   * @param pollKind what the poll thread does, in its name: {@code realtime-kafka-poll-3}
   */
  protected PollingSubscription(Subscriptions<?> owner, SubscriptionSpec spec, Handling handling,
      String pollKind) {
    this.owner = Objects.requireNonNull(owner, "owner == null");
    this.spec = Objects.requireNonNull(spec, "spec == null");
    this.handling = Objects.requireNonNull(handling, "handling == null");
    this.id = SEQUENCE.incrementAndGet();
    this.poller = new Thread(this::poll, "realtime-" + owner.brokerName() + "-" + pollKind + "-"
        + id);
    this.poller.setDaemon(true);
  }

  /** This subscription's number, unique in the process: for names (threads, consumers). */
  protected final int id() {
    return id;
  }

  /**
   * Builds the dispatcher (its handler threads start) and starts the poll thread, which runs
   * {@link #poll()}. Last in an adapter's start: what fails before it leaves no thread running.
   */
  protected final void startPolling() {
    if (dispatcher != null) {
      throw new IllegalStateException("already polling");
    }
    dispatcher = Dispatcher.<H>builder(spec)
        .handling(handling)
        .settlement(this::settle)
        .capacityListener(this::wake) // Room again: end the poll thread's wait at once.
        .deadLetters(owner.deadLetters())
        .metrics(owner.metrics(), owner.brokerName())
        .deadLetterTimeout(owner.deadLetterTimeout())
        .threadName("realtime-" + owner.brokerName() + "-handler-" + id)
        .build();
    if (!isActive()) {
      // Closed while starting (the broker closing meanwhile): close saw no dispatcher, or sees
      // this one (both fields are volatile, each side writes its own and then reads the other).
      dispatcher.close(Deadline.after(Duration.ZERO));
      throw new IllegalStateException(this + " was closed while it started");
    }
    poller.start();
  }

  /**
   * Waits, at most until {@code deadline}, for the handlers to end after close: the poll
   * thread's first step on the way out, so that the last acknowledgement or commit includes
   * what they finished. Handlers still running by then were released by the drain.
   */
  protected final void awaitHandlersEnded(Deadline deadline) {
    Dispatcher<H> running = dispatcher;
    if (running == null) {
      return;
    }
    try {
      running.terminated().toCompletableFuture().copy()
          .get(deadline.remainingMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // Past the deadline: still-running handlers were released by close(). An interrupt is
      // not passed on: the last steps that follow (a commit, an ack) would fail at once on it.
    }
  }

  /** Messages handed to the handlers and not yet settled. */
  protected final int inFlight() {
    Dispatcher<H> running = dispatcher;
    return running == null ? 0 : running.inFlight();
  }

  private Dispatcher<H> dispatcher() {
    Dispatcher<H> running = dispatcher;
    if (running == null) {
      throw new IllegalStateException("startPolling was not called");
    }
    return running;
  }

  /**
   * Told each held or pushed message's outcome, with the handle it was held with: exactly once
   * per delivery, from any thread (a handler's, the poll thread, the closing one). See {@link
   * Outcome} for what to do. Must not block: it is on the handlers' path, once per message.
   */
  protected abstract void settle(H handle, Message message, Outcome outcome);

  /** Fetched: waits in order for room in the dispatcher. On the poll thread. */
  protected final void hold(Message message, H handle) {
    held.add(new Delivery<>(message, handle));
  }

  /**
   * Hands what waits (first what is to be {@link #again handled again}, then what is held) to
   * the handlers, as much as they have room for. On the poll thread.
   */
  protected final void dispatchHeld() {
    if (!again.isEmpty()) {
      List<Delivery<H>> first = new ArrayList<>();
      for (Delivery<H> delivery; (delivery = again.poll()) != null; ) {
        first.add(delivery);
      }
      held.addAll(0, first);
    }
    int room = Math.min(held.size(), dispatcher().capacity());
    if (room > 0) {
      List<Delivery<H>> batch = held.subList(0, room);
      dispatcher().dispatch(batch); // Keeps nothing of the list: cleared right after.
      batch.clear();
    }
  }

  /** How many messages a fetch may ask for now: the handlers' room beyond what waits. */
  protected final int room() {
    return Math.max(0, Math.min(spec.batchSize(), dispatcher().capacity() - held.size()));
  }

  /** Returns true if fetched messages still wait for room. */
  protected final boolean isHolding() {
    return !held.isEmpty();
  }

  /** Drops the held messages whose handle matches (to be fetched again). On the poll thread. */
  protected final void dropHeld(Predicate<? super H> drop) {
    held.removeIf(delivery -> drop.test(delivery.handle));
  }

  /**
   * Takes back every message that waits and was never dispatched (held, pushed, to be handled
   * again), giving each to {@code each}: on the way out, to hand them back to the broker. On the
   * poll thread, or once it ended.
   */
  protected final void takeBack(BiConsumer<Message, ? super H> each) {
    for (Delivery<H> delivery; (delivery = again.poll()) != null; ) {
      each.accept(delivery.message, delivery.handle);
    }
    for (Delivery<H> delivery : held) {
      each.accept(delivery.message, delivery.handle);
    }
    held.clear();
    for (Delivery<H> delivery; (delivery = inbox.pollFirst()) != null; ) {
      each.accept(delivery.message, delivery.handle);
    }
  }

  /**
   * To be handled again, ahead of what waits: a message released while the subscription runs
   * (its dead letter could not be published). A handler had it, so its next delivery counts one
   * more attempt, as the broker's own redelivery would (RabbitMQ's delivery count, a Kafka or
   * Redis handover). From any thread; wakes the poll thread.
   */
  protected final void again(Message message, H handle) {
    again.add(new Delivery<>(message.withDeliveryAttempt(message.deliveryAttempt() + 1), handle));
    wake();
  }

  /**
   * From the callback of a broker that pushes (AMQP consumers): waits in the inbox for {@link
   * #pump}; never blocks. For a broker whose own flow control bounds what it pushes.
   */
  protected final void push(Message message, H handle) {
    inbox.addLast(new Delivery<>(message, handle));
    wake();
  }

  /**
   * {@link #push(Message, Object)} for a broker that cannot be paused (Redis Pub/Sub): returns
   * false, keeping nothing, if {@code bound} messages wait already.
   */
  protected final boolean push(Message message, H handle, int bound) {
    if (inbox.size() >= bound) {
      return false;
    }
    push(message, handle);
    return true;
  }

  /** Forgets what the inbox holds (the broker gives it back by itself, a new channel say). */
  protected final void clearInbox() {
    inbox.clear();
  }

  /**
   * The poll loop of a broker that pushes: hands what {@link #push} queued to the dispatcher, as
   * much as it has room for, until closed. {@code eachRound} runs once per round, for
   * housekeeping that throttles itself (measuring lag).
   */
  protected final void pump(Runnable eachRound) {
    List<Delivery<H>> batch = new ArrayList<>();
    while (isActive()) {
      eachRound.run();
      int room = Math.min(spec.batchSize(), dispatcher().capacity());
      for (Delivery<H> delivery; batch.size() < room && (delivery = again.poll()) != null; ) {
        batch.add(delivery);
      }
      if (batch.size() < room) {
        inbox.drainTo(batch, room - batch.size());
      }
      if (batch.isEmpty()) {
        awaitWake(spec.pollTimeout());
        continue;
      }
      dispatcher().dispatch(batch);
      batch.clear();
    }
  }

  /**
   * Shows the lag of each of the spec's channels as a gauge, from what {@link #lag} records;
   * removed when the subscription closes.
   */
  protected final void gaugeLag() {
    for (Channel channel : spec.channels()) {
      gauges.add(owner.metrics().lag(owner.brokerName(), spec.group(), channel,
          () -> lag.getOrDefault(channel, 0L)));
    }
  }

  /**
   * Returns true, at most once a second, when the lag is to be measured: gauges are shown and
   * the last measure is a second old. Each measure costs the broker a call.
   */
  protected final boolean isLagDue() {
    long now = System.nanoTime();
    if (gauges.isEmpty() || now - lastLag < LAG_INTERVAL) {
      return false;
    }
    lastLag = now;
    return true;
  }

  /** Records {@code behind}, the messages of {@code channel} not yet fetched. */
  protected final void lag(Channel channel, long behind) {
    lag.put(channel, behind);
  }

  /** Records the lag of every channel measured; channels not in {@code now} are forgotten. */
  protected final void lag(Map<Channel, Long> now) {
    lag.keySet().retainAll(now.keySet()); // No longer read here (partitions revoked, say).
    lag.putAll(now);
  }

  /**
   * The poll thread's work: fetch and dispatch while {@link #isActive()}, then finish (a last
   * commit, handing back) and return.
   */
  protected abstract void poll();

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
   * Releases the adapter's resources (a client the poll thread never started to use). Called
   * once by close, whatever happened; then the base removes the lag gauges and the subscription
   * from its broker's {@link Subscriptions}.
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
    Dispatcher<H> running = dispatcher;
    return isActive() && (running == null || !running.isClosing());
  }

  /** Returns true for the dispatcher's handler threads. */
  protected final boolean isHandlerThread(Thread thread) {
    Dispatcher<H> running = dispatcher;
    return running != null && running.isWorker(thread);
  }

  /** Returns true for the poll thread and the dispatcher's handler threads. */
  protected final boolean isOwnThread(Thread thread) {
    return thread == poller || isHandlerThread(thread);
  }

  /** The first step of closing, on its own: no handler call starts from now on. */
  public final void stopTaking() {
    Dispatcher<H> running = dispatcher;
    if (running != null) {
      running.stopTaking();
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
      // Another thread began the close and may not have stopped the handlers taking work yet:
      // a handler closing here (as `realtime consume --max-messages` does, while its main
      // thread closes too) would otherwise return to a lane that starts the next message.
      // Once any close() returns, no handler call starts.
      stopTaking();
      boolean result = closing.awaitResult(isOwnThread(Thread.currentThread()));
      if (!isOwnThread(Thread.currentThread()) && poller.isAlive()) {
        // A handler began the close and could not wait for the poll thread's last work (the
        // final acknowledgements, handing back what was not handled). Whoever closes from
        // outside waits for it, so that a process exiting right after close() loses none of it.
        joinUninterruptibly(joinBound(deadline));
      }
      return result;
    }
    boolean drained = true;
    try {
      // Handlers drain until shortly before the deadline; the rest is for the last steps.
      Deadline drain = deadline.reserving(0.2, Duration.ofSeconds(1));
      this.drainTimeout = drain.remaining();
      Duration bound = pollThreadBound(drainTimeout);
      // A handler closing its own subscription (often with no time at all) returns at once and
      // keeps nobody waiting; the last steps must still acknowledge its message once it returns.
      this.closeDeadline = isHandlerThread(Thread.currentThread())
          && bound.compareTo(deadline.remaining()) > 0 ? Deadline.after(bound) : deadline;
      stopTaking();
      active.set(false);
      wake();
      interruptPoll();
      Dispatcher<H> running = dispatcher; // Read after active turned false: see startPolling.
      if (running != null) {
        drained = running.close(drain);
      }
      if (!isOwnThread(Thread.currentThread()) && poller.isAlive()) {
        joinUninterruptibly(joinBound(deadline));
      }
    } finally {
      Dispatcher<H> running = dispatcher;
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
      try {
        for (AutoCloseable gauge : gauges) {
          try {
            gauge.close();
          } catch (Exception e) {
            log.debug("removing a lag gauge failed", e);
          }
        }
      } finally {
        owner.closed(this);
        closing.finish(drained);
      }
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
