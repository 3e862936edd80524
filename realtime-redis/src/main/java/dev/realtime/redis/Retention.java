package dev.realtime.redis;

import io.lettuce.core.XAddArgs;
import io.lettuce.core.XTrimArgs;
import java.time.Clock;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How long a stream keeps its entries: at most {@code maxMessages} (MAXLEN), none older than
 * {@code maxAge} (MINID, the id of "now minus the age"). Stored in the channel registry as text,
 * such as {@code max-messages=1000;max-age-ms=60000}, so that every server publishing to a
 * channel trims it alike.
 *
 * <p>Trimming happens as entries are added, as Redis does it: a channel nobody publishes to keeps
 * its old entries. Approximate trimming ({@code ~}, the default) removes whole stream nodes of
 * about a hundred entries, so a few entries beyond the limit stay a while; it costs nothing.
 */
record Retention(@Nullable Long maxMessages, @Nullable Duration maxAge) {
  static final Retention NONE = new Retention(null, null);

  boolean isNone() {
    return maxMessages == null && maxAge == null;
  }

  /**
   * XADD's trimming: MINID when there is an age limit (the common case), else MAXLEN. When both
   * are set, {@link #extraTrim} carries the MAXLEN.
   */
  XAddArgs addArgs(boolean exact, Clock clock) {
    XAddArgs args = new XAddArgs();
    if (maxAge != null) {
      args.minId(minId(clock));
    } else if (maxMessages != null) {
      args.maxlen(maxMessages);
    } else {
      return args;
    }
    return exact ? args.exactTrimming() : args.approximateTrimming();
  }

  /** The MAXLEN that XADD could not carry because MINID did, or null. */
  @Nullable XTrimArgs extraTrim(boolean exact) {
    if (maxAge == null || maxMessages == null) {
      return null;
    }
    XTrimArgs args = new XTrimArgs().maxlen(maxMessages);
    return exact ? args.exactTrimming() : args.approximateTrimming();
  }

  private String minId(Clock clock) {
    return Math.max(0, clock.millis() - maxAge.toMillis()) + "-0";
  }

  String toText() {
    StringBuilder text = new StringBuilder();
    if (maxMessages != null) {
      text.append("max-messages=").append(maxMessages);
    }
    if (maxAge != null) {
      text.append(text.length() == 0 ? "" : ";").append("max-age-ms=").append(maxAge.toMillis());
    }
    return text.toString();
  }

  /** Reads {@link #toText()}; unknown or damaged parts are ignored (no trimming for them). */
  static Retention parse(@Nullable String text) {
    if (text == null || text.isBlank()) {
      return NONE;
    }
    Long maxMessages = null;
    Duration maxAge = null;
    for (String part : text.split(";")) {
      int equals = part.indexOf('=');
      if (equals < 0) {
        continue;
      }
      try {
        long value = Long.parseLong(part.substring(equals + 1).trim());
        switch (part.substring(0, equals).trim()) {
          case "max-messages":
            maxMessages = value;
            break;
          case "max-age-ms":
            maxAge = Duration.ofMillis(value);
            break;
          default:
            break;
        }
      } catch (NumberFormatException e) {
        // Written by a newer version or by hand: ignored rather than failing every publish.
      }
    }
    return new Retention(maxMessages, maxAge);
  }
}
