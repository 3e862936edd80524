package dev.realtime.config;

import java.util.Locale;

/**
 * How setting names are spelled in each source, and the normal form in which the sources meet.
 */
final class KeyNames {
  static final String PREFIX = "realtime.";
  static final String ENVIRONMENT_PREFIX = "REALTIME_";

  private KeyNames() {}

  /**
   * Lowercases and turns {@code _} and {@code -} into {@code .}. Works one char at a time so the
   * result has the same length as the input: callers cut a key as written at an index found in its
   * normal form (prefix sub-keys, suggestions).
   */
  static String normalise(String key) {
    char[] chars = key.toCharArray();
    for (int i = 0; i < chars.length; i++) {
      char c = chars[i];
      chars[i] = c == '_' || c == '-' ? '.' : Character.toLowerCase(c);
    }
    return new String(chars);
  }

  /** {@code REALTIME_KAFKA_BOOTSTRAP_SERVERS} becomes {@code realtime.kafka.bootstrap.servers}. */
  static String fromEnvironmentVariable(String name) {
    return name.toLowerCase(Locale.ROOT).replace('_', '.');
  }

  /** {@code realtime.kafka.bootstrap-servers} becomes {@code REALTIME_KAFKA_BOOTSTRAP_SERVERS}. */
  static String toEnvironmentVariable(String name) {
    return name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }
}
