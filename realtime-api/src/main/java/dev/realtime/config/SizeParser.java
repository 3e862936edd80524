package dev.realtime.config;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads byte sizes: a plain number of bytes, or a number with a unit. Binary units ({@code KiB},
 * {@code MiB}, {@code GiB}, {@code TiB}) are powers of 1024; decimal ones ({@code kB}, {@code
 * MB}, {@code GB}, {@code TB}) powers of 1000, so {@code 1MB} is 1000000, as the units say. Units
 * are case-insensitive. Bare {@code k}/{@code m}/{@code g} are refused because the JVM's -Xmx
 * reads them as binary and most other tools as decimal.
 */
final class SizeParser {
  static final String HINT =
      "Must be a size in bytes such as 1048576, 512KiB, 1MiB or 1MB (1000000 bytes).";
  static final String NEGATIVE_HINT =
      "Must not be negative; use a size such as 0, 1048576, 512KiB or 1MiB.";

  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)");
  private static final Map<String, Long> BYTES_PER_UNIT = Map.of(
      "", 1L,
      "b", 1L,
      "kb", 1_000L,
      "mb", 1_000_000L,
      "gb", 1_000_000_000L,
      "tb", 1_000_000_000_000L,
      "kib", 1L << 10,
      "mib", 1L << 20,
      "gib", 1L << 30,
      "tib", 1L << 40);

  private SizeParser() {}

  /** Writes {@code bytes} with the largest binary unit that divides it: 1MiB, 512KiB, 1000. */
  static String describe(long bytes) {
    String[] names = {"TiB", "GiB", "MiB", "KiB"};
    for (int i = 0; i < names.length; i++) {
      long unit = 1L << (10 * (names.length - i));
      if (bytes != 0 && bytes % unit == 0) {
        return bytes / unit + names[i];
      }
    }
    return String.valueOf(bytes);
  }

  /**
   * Parses a non-negative whole number of bytes.
   *
   * @throws IllegalArgumentException whose message is only the hint, never the value, which may
   *     be a secret
   */
  static long parse(String raw) {
    String text = raw.trim();
    if (text.startsWith("-")) {
      throw new IllegalArgumentException(NEGATIVE_HINT);
    }
    Matcher matcher = SIZE.matcher(text);
    Long unit = matcher.matches()
        ? BYTES_PER_UNIT.get(matcher.group(2).toLowerCase(Locale.ROOT))
        : null;
    if (unit == null) {
      throw new IllegalArgumentException(HINT);
    }
    try {
      // Exact: 1.5KiB is 1536 bytes, but 0.5B is no whole number of bytes and is refused.
      return new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(unit))
          .stripTrailingZeros()
          .longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(HINT);
    }
  }
}
