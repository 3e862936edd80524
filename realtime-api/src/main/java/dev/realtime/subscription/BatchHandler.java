package dev.realtime.subscription;

import dev.realtime.Message;
import java.util.List;

/**
 * Handles messages in batches of at most {@link SubscriptionSpec#batchSize()}.
 *
 * <p>Returning normally acknowledges the whole batch. Throwing {@link BatchFailedException}
 * acknowledges every message but the failed ones it names, which are retried; any other
 * exception retries the whole batch. Retries, backoff and dead letters then work as for {@link
 * MessageHandler}, per message. Messages with the same key stay in order within and across
 * batches.
 */
@FunctionalInterface
public interface BatchHandler {
  /** Handles {@code messages} (never empty, unmodifiable); throw to have them retried. */
  void handle(List<Message> messages) throws Exception;
}
