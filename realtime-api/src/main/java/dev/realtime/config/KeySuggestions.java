package dev.realtime.config;

import java.util.Collection;

/** Finds the known setting an unknown key most likely meant, for "Did you mean …?" hints. */
final class KeySuggestions {
  private KeySuggestions() {}

  /**
   * Returns the closest known name, or null when none is close enough. Under a prefix option the
   * suggestion keeps the sub-key: {@code realtime.kafka.producr.acks} suggests {@code
   * realtime.kafka.producer.acks}. A key missing the {@code realtime.} start is matched as if it
   * had it, the commonest slip in properties files.
   */
  static String suggest(String key, Collection<? extends ConfigOption<?>> known) {
    Suggestion best = closest(key, known);
    if (!KeyNames.normalise(key).startsWith(KeyNames.PREFIX)) {
      Suggestion withPrefix = closest(KeyNames.PREFIX + key, known);
      if (withPrefix != null && (best == null || withPrefix.distance < best.distance)) {
        best = withPrefix;
      }
    }
    return best == null ? null : best.name;
  }

  private static Suggestion closest(String key, Collection<? extends ConfigOption<?>> known) {
    String normalised = KeyNames.normalise(key);
    Suggestion best = null;
    for (ConfigOption<?> option : known) {
      String candidate = option.normalisedName();
      String compared = normalised;
      String suggestion = option.name();
      if (option.isPrefix()) {
        // Compare only as many parts as the prefix has; the rest is the passthrough sub-key.
        int end = endOfParts(normalised, partCount(candidate));
        if (end < 0) {
          continue;
        }
        compared = normalised.substring(0, end + 1);
        suggestion = option.name() + key.substring(end + 1);
      }
      int distance = distance(compared, candidate);
      int threshold = Math.max(2, option.name().length() / 4);
      if (distance <= threshold && (best == null || distance < best.distance)) {
        best = new Suggestion(suggestion, distance);
      }
    }
    return best;
  }

  /** Parts in a prefix name such as {@code realtime.kafka.producer.} (here: 3). */
  private static int partCount(String prefixName) {
    return (int) prefixName.chars().filter(c -> c == '.').count();
  }

  /** Index of the dot ending the first {@code parts} parts, or -1 if nothing follows it. */
  private static int endOfParts(String key, int parts) {
    int index = -1;
    for (int i = 0; i < parts; i++) {
      index = key.indexOf('.', index + 1);
      if (index < 0) {
        return -1;
      }
    }
    return index + 1 < key.length() ? index : -1;
  }

  /** Levenshtein distance: insertions, deletions and substitutions each cost one. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static final class Suggestion {
    final String name;
    final int distance;

    Suggestion(String name, int distance) {
      this.name = name;
      this.distance = distance;
    }
  }
}
