package dev.realtime.spi;

import dev.realtime.Message;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One message in flight, paired with the adapter's own handle for it: what the adapter needs to
 * acknowledge it (Kafka: its partition and offset; Redis: its stream and entry id; RabbitMQ: its
 * delivery tag). The handle travels with the message through the dispatcher and comes back in
 * {@link PollingSubscription#settle}, so that no adapter parses a position or looks anything up
 * to settle (reactor-kafka's {@code ReceiverRecord.receiverOffset()} is the model).
 *
 * <p>It is also the dispatcher's record of the message: one object per message carries the
 * handle and the two once-only flags, instead of a wrapper with two {@code AtomicBoolean}s.
 */
final class Delivery<H> {
  private static final AtomicIntegerFieldUpdater<Delivery> SETTLED =
      AtomicIntegerFieldUpdater.newUpdater(Delivery.class, "settled");
  private static final AtomicIntegerFieldUpdater<Delivery> DONE =
      AtomicIntegerFieldUpdater.newUpdater(Delivery.class, "done");

  final Message message;
  final H handle;
  /** 1 once the adapter was told the outcome (on receipt, or when done). */
  private volatile int settled;
  /** 1 once the outcome is final and counted out of in-flight. */
  private volatile int done;
  /** Set once the handler is about to be called with it (under the lane's lock). */
  volatile boolean handed;

  Delivery(Message message, H handle) {
    this.message = message;
    this.handle = handle;
  }

  /** Returns true for the one caller that tells the adapter. */
  boolean settle() {
    return SETTLED.compareAndSet(this, 0, 1);
  }

  /** Returns true for the one caller that finishes it. */
  boolean finish() {
    return DONE.compareAndSet(this, 0, 1);
  }

  boolean isDone() {
    return done != 0;
  }

  /** How it is given back unfinished: released if a handler had it, else returned. */
  Outcome givenBack() {
    return handed ? Outcome.RELEASED : Outcome.RETURNED;
  }
}
