package dev.realtime.internal;

import dev.realtime.Position;

/**
 * Reads a position given back by an application as a single log offset, for every broker whose
 * positions are one: the in-memory log and RabbitMQ streams. One parser and one error for them,
 * where each had its own. (Kafka's {@code partition:offset} and Redis's entry ids are other
 * forms, read by their adapters.)
 *
 * <p>Not for public use: this class may change at any time.
 */
public final class Positions {
  private Positions() {}

  /**
   * Returns {@code position}'s offset.
   *
   * @throws IllegalArgumentException naming the position, the broker and the form expected, for
   *     a position another broker made
   */
  public static long offsetOf(Position position, String broker) {
    try {
      return position.offset();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("position \"" + position + "\" is not an offset of the "
          + broker + " broker; use a position this broker returned (a PublishReceipt's or a "
          + "Message's), or a number such as 42", e);
    }
  }
}
