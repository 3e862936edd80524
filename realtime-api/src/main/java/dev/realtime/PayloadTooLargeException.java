package dev.realtime;

/**
 * Thrown before publishing a message whose payload is larger than {@code
 * realtime.max-payload-bytes}, or the broker's own limit learnt at connect, allows. Nothing was
 * sent.
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

  /**
   * Creates the exception for a payload the broker itself cannot take: {@code limit} is the
   * smaller of {@code realtime.max-payload-bytes} ({@code configuredLimit}) and what the broker's
   * own setting leaves for the payload ({@code brokerLimit}), and the message names both.
   *
   * @param brokerSetting the broker's setting and value, such as {@code Redis proto-max-bulk-len
   *     1048576}
   */
  public PayloadTooLargeException(String messageId, String channel, long size,
      long configuredLimit, long brokerLimit, String brokerSetting) {
    super("payload of message " + messageId + " on channel " + channel + " is " + size
        + " bytes; at most " + Math.min(configuredLimit, brokerLimit) + " are allowed: "
        + "realtime.max-payload-bytes is " + configuredLimit + ", and the broker's " + brokerSetting
        + " leaves " + brokerLimit + " for the payload. Send a reference to the data instead, or "
        + "raise the smaller limit.");
    this.size = size;
    this.limit = Math.min(configuredLimit, brokerLimit);
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
