package dev.realtime.subscription;

import dev.realtime.Message;

/**
 * Handles one message at a time.
 *
 * <p>Returning normally acknowledges the message. Throwing retries it with backoff per the
 * subscription's {@link RetryPolicy}; after the last attempt, or at once for a {@link
 * NonRetryableException}, the message goes to the dead-letter channel. A handler may be called
 * again for a message it already handled (after a crash or a rebalance): make it idempotent, for
 * example by remembering {@link Message#id()}s.
 *
 * <p>Handlers run on the subscription's worker threads; messages with the same key are handled
 * one after another, in order.
 */
@FunctionalInterface
public interface MessageHandler {
  /** Handles {@code message}; throw to have it retried. */
  void handle(Message message) throws Exception;
}
