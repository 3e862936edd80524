package dev.realtime;

import dev.realtime.subscription.StartPosition;
import java.util.Objects;

/**
 * What {@link Broker#history} reads: up to {@link #limit()} messages from a start, in order.
 * Immutable.
 */
public final class HistoryQuery {
  /** The most messages one query returns: history is for inspection and catch-up, not export. */
  public static final int MAX_LIMIT = 10_000;

  private final StartPosition from;
  private final int limit;

  private HistoryQuery(StartPosition from, int limit) {
    this.from = from;
    this.limit = limit;
  }

  /** The first 100 messages the channel still keeps. */
  public static HistoryQuery earliest() {
    return from(StartPosition.earliest());
  }

  /**
   * Up to 100 messages from {@code from}.
   *
   * @throws IllegalArgumentException if {@code from} is {@link StartPosition#latest()}: there is
   *     no history after the end.
   */
  public static HistoryQuery from(StartPosition from) {
    Objects.requireNonNull(from, "from == null");
    if (from.kind() == StartPosition.Kind.LATEST) {
      throw new IllegalArgumentException("history cannot start from latest: there is nothing "
          + "after the end. Start from earliest, a position or a timestamp");
    }
    return new HistoryQuery(from, 100);
  }

  /**
   * Returns this query returning at most {@code limit} messages.
   *
   * @throws IllegalArgumentException if {@code limit} is not between 1 and {@value #MAX_LIMIT}.
   */
  public HistoryQuery limit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ": " + limit);
    }
    return new HistoryQuery(from, limit);
  }

  /** Where reading starts. */
  public StartPosition from() {
    return from;
  }

  /** The most messages returned. */
  public int limit() {
    return limit;
  }

  @Override
  public String toString() {
    return "HistoryQuery{from=" + from + ", limit=" + limit + "}";
  }
}
