package dev.realtime.config;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides which values are secret and hides them, so that no log line, toString() or exception
 * message ever carries a password.
 */
final class SecretMasking {
  static final String MASK = "******";

  private static final List<String> SECRET_WORDS =
      List.of("password", "passwd", "secret", "token", "credential", "apikey");

  /** Matches {@code scheme://userinfo@}; userinfo runs to the last {@code @} before a slash. */
  private static final Pattern URI_USERINFO =
      Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)([^/\\s]*)@");

  /**
   * Normalised names of options declared {@link ConfigOption#secret()} in this JVM. A registry,
   * because {@link RealtimeConfig#toString()} sees keys but not the options that declare them,
   * and a declared secret with an innocent name must stay hidden there too. It only grows.
   */
  private static final Set<String> DECLARED = ConcurrentHashMap.newKeySet();

  private SecretMasking() {}

  static void declare(String normalisedName) {
    DECLARED.add(normalisedName);
  }

  /**
   * True when a part of the key names a credential, or an option declared it secret. Every part
   * is searched, not only the last: environment variables lose the dashes that make {@code
   * secret-key} one part, and masking a harmless value costs nothing.
   */
  static boolean isSecretKey(String key) {
    String normalised = KeyNames.normalise(key);
    for (String declared : DECLARED) {
      boolean isPrefix = declared.endsWith(".");
      if (isPrefix ? normalised.startsWith(declared) : normalised.equals(declared)) {
        return true;
      }
    }
    String dotted = "." + normalised + ".";
    if (dotted.contains(".api.key.") || dotted.endsWith(".sasl.jaas.config.")) {
      return true;
    }
    for (String part : normalised.split("\\.")) {
      for (String word : SECRET_WORDS) {
        if (part.contains(word)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The value as it may be shown: all of it masked for a secret key, else URI passwords. */
  static String mask(String key, String value) {
    return isSecretKey(key) ? MASK : maskUriCredentials(value);
  }

  /**
   * Masks the password of every URI in the value, under any key, since connection strings carry
   * credentials: {@code amqp://guest:guest@host} becomes {@code amqp://guest:******@host}. A
   * userinfo without a colon is masked whole, because Redis clients read {@code redis://pw@host}
   * as a password.
   */
  static String maskUriCredentials(String value) {
    Matcher matcher = URI_USERINFO.matcher(value);
    StringBuilder result = new StringBuilder();
    while (matcher.find()) {
      String userInfo = matcher.group(2);
      int colon = userInfo.indexOf(':');
      String shown = colon < 0 ? MASK : userInfo.substring(0, colon + 1) + MASK;
      matcher.appendReplacement(result, Matcher.quoteReplacement(matcher.group(1) + shown + "@"));
    }
    matcher.appendTail(result);
    return result.toString();
  }

}
