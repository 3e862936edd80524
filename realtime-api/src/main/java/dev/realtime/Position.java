package dev.realtime;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where a message sits in a channel's log, in the broker's own terms: a Kafka offset (with its
 * partition), a Redis stream entry id, a RabbitMQ stream offset, or an in-memory log offset.
 *
 * <p>A position is opaque to applications: keep it (for example as the place to resume from) and
 * hand it back to the same broker, through {@link
 * dev.realtime.subscription.StartPosition#at(Position)} or {@link HistoryQuery}. Its {@link
 * #value()} round-trips through {@link #of(String)}, so it can be stored as text.
 */
public final class Position {
  /** No offset: a position made from text. */
  private static final long TEXT = -1;

  // An offset position writes its text on first use: the in-memory broker makes one per
  // publish, and its receipt's text is rarely read (L0 benchmark: 48 of 64 bytes). A String is
  // safe to publish racily, so two threads at worst write it twice.
  private @Nullable String value;
  private final long offset;

  private Position(String value) {
    this.value = value;
    this.offset = TEXT;
  }

  private Position(long offset) {
    this.offset = offset;
  }

  /**
   * Returns the position written as {@code value}, as a broker printed it.
   *
   * @throws IllegalArgumentException if {@code value} is empty or blank.
   */
  public static Position of(String value) {
    Objects.requireNonNull(value, "value == null");
    if (value.isBlank()) {
      throw new IllegalArgumentException("position must not be blank");
    }
    return new Position(value);
  }

  /** Returns the position of offset {@code offset} in a single ordered log. */
  public static Position ofOffset(long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset < 0: " + offset);
    }
    return new Position(offset);
  }

  /** The broker's text for this position. */
  public String value() {
    String result = value;
    if (result == null) {
      result = Long.toString(offset);
      value = result;
    }
    return result;
  }

  /**
   * Returns this position as a single log offset.
   *
   * @throws IllegalArgumentException if this position is not a plain non-negative number (it came
   *     from a broker whose positions are not single offsets).
   */
  public long offset() {
    if (offset != TEXT) {
      return offset;
    }
    String text = value();
    try {
      long parsed = Long.parseLong(text);
      if (parsed >= 0) {
        return parsed;
      }
    } catch (NumberFormatException ignored) {
      // Falls through to the error below, which names the value.
    }
    throw new IllegalArgumentException(
        "position \"" + text + "\" is not a log offset; it was made by another broker");
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof Position && ((Position) other).value().equals(value());
  }

  @Override
  public int hashCode() {
    return value().hashCode();
  }

  @Override
  public String toString() {
    return value();
  }
}
