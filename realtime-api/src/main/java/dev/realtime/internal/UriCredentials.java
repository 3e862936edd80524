package dev.realtime.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks the credentials of the URIs in a text, so that a broker address can be shown in a log,
 * an exception or a health report: {@code amqp://guest:guest@host} becomes {@code
 * amqp://guest:******@host}. Configuration, adapters and the testkit all print addresses; one
 * rule keeps them from disagreeing about what a secret is.
 *
 * <p>Not for public use: this class may change at any time.
 */
public final class UriCredentials {
  /** What a secret is replaced with. */
  public static final String MASK = "******";

  /** Matches {@code scheme://userinfo@}; userinfo runs to the last {@code @} before a slash. */
  private static final Pattern URI_USERINFO =
      Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)([^/\\s]*)@");

  /**
   * Matches {@code user:password@} without a scheme, as in a host list {@code u:pw@host:9092}
   * (Kafka's bootstrap servers): at the start of the text or after a separator, so that the
   * userinfo of a URI (after {@code //}) is left to {@link #URI_USERINFO}. A colon is required:
   * {@code user@example.com} is an address, not a secret.
   */
  private static final Pattern BARE_USERINFO =
      Pattern.compile("(^|[\\s,;=(\\[\"'])([^\\s/@:,;=()\\[\\]\"']+):([^\\s/,]+)@");

  private UriCredentials() {}

  /**
   * Returns {@code text} with the password of every URI in it masked. A userinfo without a
   * colon is masked whole, because Redis clients read {@code redis://pw@host} as a password.
   * A {@code user:password@host} without a scheme is masked too.
   */
  public static String mask(String text) {
    Matcher matcher = URI_USERINFO.matcher(text);
    StringBuilder result = new StringBuilder();
    while (matcher.find()) {
      String userInfo = matcher.group(2);
      int colon = userInfo.indexOf(':');
      String shown = colon < 0 ? MASK : userInfo.substring(0, colon + 1) + MASK;
      matcher.appendReplacement(result, Matcher.quoteReplacement(matcher.group(1) + shown + "@"));
    }
    matcher.appendTail(result);
    return BARE_USERINFO.matcher(result).replaceAll(
        bare -> Matcher.quoteReplacement(bare.group(1) + bare.group(2) + ":" + MASK + "@"));
  }
}
