package dev.realtime;

/**
 * Thrown before publishing a message whose payload is larger than {@code
 * realtime.max-payload-bytes} allows. Nothing was sent.
 */
public final class PayloadTooLargeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final long size;
  private final long limit;

  /** Creates the exception for a message of {@code size} bytes where {@code limit} are allowed. */
  public PayloadTooLargeException(String messageId, String channel, long size, long limit) {
    super("payload of message " + messageId + " on channel " + channel + " is " + size
        + " bytes; at most " + limit + " are allowed. Send a reference to the data instead, or "
        + "raise realtime.max-payload-bytes (and the broker's own limit).");
    this.size = size;
    this.limit = limit;
  }

  /** The payload's size in bytes. */
  public long size() {
    return size;
  }

  /** The limit in bytes. */
  public long limit() {
    return limit;
  }
}
