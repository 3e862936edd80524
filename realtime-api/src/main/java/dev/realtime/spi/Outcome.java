package dev.realtime.spi;

import dev.realtime.Message;

/**
 * What became of a delivery: told to {@link PollingSubscription#settle} exactly once per
 * delivery. Settled outcomes ({@link #isSettled()}) are to be acknowledged or committed; {@link
 * #RETURNED} and {@link #RELEASED} ones were not handled and must be given back to the broker
 * (not committed, so they are delivered again). The two differ in {@link
 * Message#deliveryAttempt()}: a returned message never reached a handler, so its next delivery
 * keeps its attempt number; a released one did, so its next delivery counts one more.
 */
public enum Outcome {
  /** The handler returned. Acknowledge. */
  PROCESSED,
  /** Every attempt failed and the dead-letter channel confirmed the copy. Acknowledge. */
  DEAD_LETTERED,
  /** Every attempt failed and there is no dead-letter channel: logged. Acknowledge. */
  DISCARDED,
  /**
   * A handler had it but did not finish with it (it was still running or waiting to retry when
   * closing began, or the dead-letter publish failed). Do not acknowledge; its next delivery
   * counts one more attempt.
   */
  RELEASED,
  /**
   * It never reached a handler (still queued when closing began). Do not acknowledge; give it
   * back without counting a delivery: its next delivery has the same attempt number.
   */
  RETURNED;

  /** Returns true if the adapter should acknowledge or commit the message. */
  public boolean isSettled() {
    return this != RELEASED && this != RETURNED;
  }
}
