package dev.realtime.subscription;

import java.time.Duration;

/**
 * A running subscription: messages flow to its handler until it is closed.
 *
 * <p>{@link #close()} stops taking new messages, lets the handlers that are running finish,
 * acknowledges what finished, and then returns, all within {@link
 * SubscriptionSpec#drainTimeout()}.
 * Messages that were received but not handled are given back to the broker: a group's other
 * members, or its next member, get them. Closing is idempotent and safe from any thread,
 * including a handler's.
 *
 * <p>Handlers run on daemon threads: a subscription left open does not keep the JVM from
 * exiting (and what its handlers were doing then is delivered again).
 */
public interface Subscription extends AutoCloseable {
  /** The specification this subscription was opened with. */
  SubscriptionSpec spec();

  /** Returns true until {@link #close()} is called. */
  boolean isActive();

  /**
   * Stops the subscription, waits for running handlers and acknowledges what they finished, in
   * all at most the spec's drain timeout. Nothing is delivered to the handler after this
   * returns.
   */
  @Override
  default void close() {
    close(spec().drainTimeout());
  }

  /**
   * Stops the subscription, waits for running handlers and acknowledges what they finished, in
   * all at most {@code drainTimeout} (handlers get most of it; the acknowledgements the rest: the
   * last fifth, at most a second). An interrupt of the closing thread does not cut the wait
   * short: close still waits for the handlers, and returns with the thread's interrupt status
   * set. Called again, it returns what the first close returned.
   *
   * @return true if every running handler finished in time; false if some were still running
   *     (their messages are given back to the broker and will be delivered again).
   */
  boolean close(Duration drainTimeout);
}
