package dev.realtime.subscription;

/**
 * The headers a dead-lettered message carries, besides its own: why it failed, where it came
 * from, and how often it was tried. The message keeps its id, event, key, payload and headers.
 */
public final class DeadLetterHeaders {
  /**
   * The failure's message, or its type's simple name when it has none; a message longer than
   * 1,000 characters is cut to its first 1,000 followed by {@code ...}, so that the header fits
   * every broker's limits.
   */
  public static final String REASON = "realtime-dlq-reason";
  /** The failure's exception class name. */
  public static final String EXCEPTION = "realtime-dlq-exception";
  /** The channel the message was delivered from. */
  public static final String ORIGINAL_CHANNEL = "realtime-dlq-original-channel";
  /** The message's position in the original channel, when the broker gave one. */
  public static final String ORIGINAL_POSITION = "realtime-dlq-original-position";
  /** The attempts made, as a decimal number. */
  public static final String ATTEMPTS = "realtime-dlq-attempts";
  /** The group that failed to handle it, when the subscription had one. */
  public static final String GROUP = "realtime-dlq-group";
  /** When it was dead-lettered, ISO-8601. */
  public static final String FAILED_AT = "realtime-dlq-failed-at";

  private DeadLetterHeaders() {}
}
