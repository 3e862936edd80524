package dev.realtime.redis;

import dev.realtime.Position;
import dev.realtime.subscription.StartPosition;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Stream entry ids, {@code <milliseconds>-<sequence>}, and the arithmetic that turns an inclusive
 * start ("from this entry on") into the exclusive one that XREAD and XGROUP CREATE take ("after
 * this id").
 */
final class StreamIds {
  /** Before every entry: reading after it reads the whole stream. */
  static final String ZERO = "0-0";

  private StreamIds() {}

  /**
   * Returns the id just before {@code id}, so that reading after it starts at {@code id}.
   *
   * @throws IllegalArgumentException if {@code id} is not a stream entry id
   */
  static String before(String id) {
    long[] parts = parse(id);
    if (parts[1] > 0) {
      return parts[0] + "-" + (parts[1] - 1);
    }
    if (parts[0] == 0) {
      return ZERO;
    }
    // The sequence is an unsigned 64-bit number: its largest value, written unsigned.
    return (parts[0] - 1) + "-" + Long.toUnsignedString(-1L);
  }

  /**
   * Returns the id to read after (XREAD, XGROUP CREATE) to start at {@code start}: the
   * beginning, the id before a position or a time, or {@code latest} for "latest".
   */
  static String readAfter(StartPosition start, Supplier<String> latest) {
    switch (start.kind()) {
      case EARLIEST:
        return ZERO;
      case POSITION:
        return before(of(start.position()));
      case TIMESTAMP:
        return beforeTime(start.timestamp());
      default:
        return latest.get();
    }
  }

  /** Returns the id before the first entry added at or after {@code time}. */
  static String beforeTime(Instant time) {
    return before(Math.max(0, time.toEpochMilli()) + "-0");
  }

  /** Returns the first possible id at or after {@code time}, for XRANGE. */
  static String atTime(Instant time) {
    return Math.max(0, time.toEpochMilli()) + "-0";
  }

  /**
   * Returns the entry id a position names.
   *
   * @throws IllegalArgumentException naming the expected form, for a position of another broker
   */
  static String of(Position position) {
    parse(position.value());
    return position.value();
  }

  /** Returns true if entry id {@code a} comes after {@code b}. */
  static boolean isAfter(String a, String b) {
    long[] x = parse(a);
    long[] y = parse(b);
    int byTime = Long.compare(x[0], y[0]);
    return byTime != 0 ? byTime > 0 : Long.compareUnsigned(x[1], y[1]) > 0;
  }

  private static long[] parse(String id) {
    int dash = id.indexOf('-');
    try {
      if (dash > 0) {
        long millis = Long.parseLong(id.substring(0, dash));
        long sequence = Long.parseUnsignedLong(id.substring(dash + 1));
        if (millis >= 0) {
          return new long[] {millis, sequence};
        }
      }
    } catch (NumberFormatException e) {
      // Falls through to the error that names the form.
    }
    throw new IllegalArgumentException("position \"" + id + "\" is not a Redis stream entry id; "
        + "write <milliseconds>-<sequence>, such as 1700000000000-0");
  }
}
