package dev.realtime.internal;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * A message's time as adapters write it in a header or field: RFC 3339 in UTC, exactly as
 * {@link Instant#toString()} writes it ({@code 2026-11-24T02:56:34.123456Z}), so CloudEvents
 * readers and people understand it, and read back by {@link #parse}.
 *
 * <p>Why not {@code Instant.toString()} and {@code Instant.parse()}: they go through {@code
 * DateTimeFormatter}, which cost a third of a Kafka subscription's poll thread and more than half
 * of a Redis one's in the benchmarks' profiles, for every message received. This writes and
 * reads the one form we produce directly, and hands anything else (an offset, a leap second, a
 * year past 9999, a foreign writer's variant) to {@code Instant.parse}, so it accepts and rejects
 * exactly what {@code Instant.parse} does.
 *
 * <p>Not for public use: this class may change at any time.
 */
public final class Rfc3339 {
  private static final int SHORTEST = "0000-00-00T00:00:00Z".length();

  private Rfc3339() {}

  /** Writes {@code time} as {@link Instant#toString()} does. */
  public static String format(Instant time) {
    long seconds = time.getEpochSecond();
    long day = Math.floorDiv(seconds, 86_400);
    int secondOfDay = (int) Math.floorMod(seconds, 86_400);
    if (day < -719_528 || day > 2_932_896) {
      return time.toString(); // Outside years 0000 to 9999: toString signs and widens them.
    }
    LocalDate date = LocalDate.ofEpochDay(day);
    char[] text = new char[30];
    int at = 0;
    at = digits(text, at, date.getYear(), 4);
    text[at++] = '-';
    at = digits(text, at, date.getMonthValue(), 2);
    text[at++] = '-';
    at = digits(text, at, date.getDayOfMonth(), 2);
    text[at++] = 'T';
    at = digits(text, at, secondOfDay / 3600, 2);
    text[at++] = ':';
    at = digits(text, at, secondOfDay / 60 % 60, 2);
    text[at++] = ':';
    at = digits(text, at, secondOfDay % 60, 2);
    int nanos = time.getNano();
    if (nanos != 0) {
      // As ISO_INSTANT: milliseconds, microseconds or nanoseconds, whichever is exact.
      text[at++] = '.';
      if (nanos % 1_000_000 == 0) {
        at = digits(text, at, nanos / 1_000_000, 3);
      } else if (nanos % 1000 == 0) {
        at = digits(text, at, nanos / 1000, 6);
      } else {
        at = digits(text, at, nanos, 9);
      }
    }
    text[at++] = 'Z';
    return new String(text, 0, at);
  }

  /**
   * Reads a time as {@link Instant#parse} does.
   *
   * @throws DateTimeParseException if {@code text} is not an ISO-8601 instant
   */
  public static Instant parse(CharSequence text) {
    int length = text.length();
    if (length < SHORTEST || length > SHORTEST + 10 || text.charAt(length - 1) != 'Z'
        || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
        || text.charAt(13) != ':' || text.charAt(16) != ':') {
      return Instant.parse(text);
    }
    int year = number(text, 0, 4);
    int month = number(text, 5, 7);
    int day = number(text, 8, 10);
    int hour = number(text, 11, 13);
    int minute = number(text, 14, 16);
    int second = number(text, 17, 19);
    int nanos = 0;
    if (length > SHORTEST) {
      int digits = length - SHORTEST - 1;
      if (text.charAt(19) != '.' || digits == 0) {
        return Instant.parse(text);
      }
      int fraction = number(text, 20, 20 + digits);
      if (fraction < 0) {
        return Instant.parse(text);
      }
      nanos = fraction;
      for (int i = digits; i < 9; i++) {
        nanos *= 10;
      }
    }
    if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59
        || second < 0 || second > 59) {
      return Instant.parse(text); // Not digits, a leap second, out of range: its answer.
    }
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay();
    } catch (DateTimeException e) {
      return Instant.parse(text); // February 30th and the like: rejected with its message.
    }
    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600 + minute * 60 + second, nanos);
  }

  /** The decimal number in {@code text[from, to)}, or -1 if it holds anything but digits. */
  private static int number(CharSequence text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static int digits(char[] text, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      text[i] = (char) ('0' + value % 10);
      value /= 10;
    }
    return at + width;
  }
}
