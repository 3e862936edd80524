package dev.realtime.internal;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generates message ids: UUID version 7 (RFC 9562) in the canonical 36-character form.
 *
 * <p>Why UUIDv7: ids must be unique across servers without coordination and ordered by time, so
 * that sorting ids sorts messages by creation. A v7 UUID carries a 48-bit millisecond timestamp
 * followed by random bits. Within one millisecond this generator counts up in the 12-bit {@code
 * rand_a} field (RFC 9562, section 6.2, method 1), so ids made by one process are strictly
 * increasing even at millions per second (past 4,096 in a millisecond the counter borrows from
 * the next millisecond); 62 random bits keep processes apart.
 *
 * <p>Not for public use: this class may change at any time.
 */
public final class MessageIds {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** Upper 48 bits: the millisecond; lower 12 bits: the counter within it. */
  private static final AtomicLong LAST = new AtomicLong();

  private MessageIds() {}

  /** Returns a new id, greater than every id this process returned before. */
  public static String next() {
    long timeAndCounter = nextTimeAndCounter(System.currentTimeMillis());
    long msb = ((timeAndCounter >>> 12) << 16) | 0x7000L | (timeAndCounter & 0xfffL);
    // Variant bits 10, then 62 random bits.
    long lsb = (ThreadLocalRandom.current().nextLong() & 0x3fffffffffffffffL) | (1L << 63);
    return format(msb, lsb);
  }

  private static long nextTimeAndCounter(long now) {
    while (true) {
      long last = LAST.get();
      long candidate = now << 12;
      // A clock that stands still or steps back keeps counting from the last id instead.
      long next = candidate > last ? candidate : last + 1;
      if (LAST.compareAndSet(last, next)) {
        return next;
      }
    }
  }

  private static String format(long msb, long lsb) {
    char[] out = new char[36];
    hex(out, 0, msb >>> 32, 8);
    out[8] = '-';
    hex(out, 9, msb >>> 16, 4);
    out[13] = '-';
    hex(out, 14, msb, 4);
    out[18] = '-';
    hex(out, 19, lsb >>> 48, 4);
    out[23] = '-';
    hex(out, 24, lsb, 12);
    return new String(out);
  }

  private static void hex(char[] out, int at, long value, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
      out[at + i] = HEX[(int) (value & 0xf)];
      value >>>= 4;
    }
  }
}
