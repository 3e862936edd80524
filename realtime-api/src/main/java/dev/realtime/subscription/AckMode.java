package dev.realtime.subscription;

/** When a subscription tells the broker that a message is done. */
public enum AckMode {
  /**
   * After the handler returned (or the message was dead-lettered): at-least-once. A message whose
   * handler did not finish, because the process died or the subscription was closed, is delivered
   * again. The default.
   */
  AFTER_HANDLER,
  /**
   * As the message is handed to the handler: at-most-once. A crash loses the messages being
   * handled; nothing is delivered twice by the broker. Retries within the process still happen.
   * Messages fetched but not yet handed over are given back on close, as in the default mode.
   * Where a broker orders a key by acknowledgement (the in-memory broker's groups), the next
   * message of a key may go to another member while this one is still being handled.
   */
  ON_RECEIPT
}
