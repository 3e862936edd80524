package dev.realtime.config;

import dev.realtime.internal.UriCredentials;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides which values are secret and hides them, so that no log line, toString() or exception
 * message ever carries a password.
 */
final class SecretMasking {
  static final String MASK = UriCredentials.MASK;

  private static final List<String> SECRET_WORDS =
      List.of("password", "passwd", "passphrase", "secret", "token", "credential", "apikey");

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
    // Kafka's inline PEM keys (ssl.keystore.key, sasl.oauthbearer.assertion.private.key).
    if (dotted.contains(".api.key.") || dotted.endsWith(".sasl.jaas.config.")
        || dotted.endsWith(".keystore.key.") || dotted.contains(".private.key.")) {
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
    return isSecretKey(key) ? MASK : UriCredentials.mask(value);
  }


}
