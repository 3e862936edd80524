package dev.realtime.subscription;

/**
 * Thrown by a handler to say that trying again cannot help (the payload is malformed, say): the
 * message goes straight to the dead-letter channel after this one attempt. Other exception types
 * can be made non-retryable with {@link RetryPolicy.Builder#nonRetryable(Class)}.
 */
public class NonRetryableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NonRetryableException(String message) {
    super(message);
  }

  public NonRetryableException(String message, Throwable cause) {
    super(message, cause);
  }
}
