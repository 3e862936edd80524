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
   * As soon as the message is handed to the handler: at-most-once. A crash loses the messages in
   * hand; nothing is delivered twice by the broker. Retries within the process still happen.
   */
  ON_RECEIPT
}
