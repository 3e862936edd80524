package dev.realtime.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations as people write them: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h},
 * {@code 1d}, ISO-8601 {@code PT0.5S}, or a plain number of milliseconds.
 */
final class DurationParser {
  static final String HINT = "Must be a duration such as 500ms, 10s or PT0.5S.";
  static final String NEGATIVE_HINT =
      "Must not be negative; use a duration such as 0ms, 500ms, 10s or PT0.5S.";

  private static final Pattern MILLIS = Pattern.compile("\\d+");
  private static final Pattern WITH_UNIT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]+)");
  private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);
  private static final Map<String, BigDecimal> NANOS_PER_UNIT = Map.of(
      "ms", BigDecimal.valueOf(1_000_000L),
      "s", NANOS_PER_SECOND,
      "m", NANOS_PER_SECOND.multiply(BigDecimal.valueOf(60)),
      "h", NANOS_PER_SECOND.multiply(BigDecimal.valueOf(3_600)),
      "d", NANOS_PER_SECOND.multiply(BigDecimal.valueOf(86_400)));

  private DurationParser() {}

  /** Writes {@code duration} as people do and as {@link #parse} reads it: 100ms, 10s, 5m. */
  static String describe(Duration duration) {
    long[] units = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
    String[] names = {"d", "h", "m", "s"};
    if (duration.toNanos() % 1_000_000L != 0 || duration.isZero()) {
      return duration.isZero() ? "0ms" : duration.toString();
    }
    long millis = duration.toMillis();
    for (int i = 0; i < units.length; i++) {
      if (millis % units[i] == 0) {
        return millis / units[i] + names[i];
      }
    }
    return millis + "ms";
  }

  /**
   * Parses a non-negative duration.
   *
   * @throws IllegalArgumentException whose message is only the hint: callers put it in
   *     user-facing errors, and the raw value may be a secret
   */
  static Duration parse(String raw) {
    String text = raw.trim();
    if (text.startsWith("-")) {
      throw new IllegalArgumentException(NEGATIVE_HINT);
    }
    Duration duration;
    try {
      duration = MILLIS.matcher(text).matches() ? Duration.ofMillis(Long.parseLong(text))
          : isIso(text) ? Duration.parse(text)
          : withUnit(text);
    } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
      // Not chained: these messages quote the input, which may be a secret.
      throw new IllegalArgumentException(HINT);
    }
    if (duration.isNegative()) {
      throw new IllegalArgumentException(NEGATIVE_HINT);
    }
    return duration;
  }

  private static boolean isIso(String text) {
    return text.startsWith("P") || text.startsWith("p") || text.startsWith("+");
  }

  private static Duration withUnit(String text) {
    Matcher matcher = WITH_UNIT.matcher(text);
    BigDecimal unit = matcher.matches()
        ? NANOS_PER_UNIT.get(matcher.group(2).toLowerCase(Locale.ROOT))
        : null;
    if (unit == null) {
      throw new IllegalArgumentException(HINT);
    }
    BigInteger[] secondsAndNanos = new BigDecimal(matcher.group(1)).multiply(unit)
        .toBigInteger()
        .divideAndRemainder(NANOS_PER_SECOND.toBigIntegerExact());
    return Duration.ofSeconds(
        secondsAndNanos[0].longValueExact(), secondsAndNanos[1].longValueExact());
  }
}
