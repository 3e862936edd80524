package dev.realtime.subscription;

import dev.realtime.Message;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Thrown by a {@link BatchHandler} when only some messages of a batch failed: the others are
 * acknowledged, and only the failed ones are retried.
 *
 * <p>The cause stands for the failure, as if a single-message handler had thrown it: it decides
 * whether the named messages are retried ({@link NonRetryableException} dead-letters them at
 * once), and a dead letter's {@link DeadLetterHeaders#EXCEPTION} and {@link
 * DeadLetterHeaders#REASON} are the cause's. One that names no message of its batch fails the
 * whole batch, as any other exception would.
 */
public final class BatchFailedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Set<String> failedIds;

  /**
   * Creates the exception for {@code failed}, the messages that must be retried.
   *
   * @throws IllegalArgumentException if {@code failed} is empty.
   */
  public BatchFailedException(Collection<Message> failed, Throwable cause) {
    super(Objects.requireNonNull(failed, "failed == null").size()
        + " message(s) of the batch failed: " + cause, cause);
    if (failed.isEmpty()) {
      throw new IllegalArgumentException("failed is empty: return normally when all succeeded");
    }
    Set<String> ids = new LinkedHashSet<>();
    for (Message message : failed) {
      ids.add(message.id());
    }
    this.failedIds = Set.copyOf(ids);
  }

  /** The ids of the messages that failed. */
  public Set<String> failedIds() {
    return failedIds;
  }
}
