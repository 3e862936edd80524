package dev.realtime.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The settings of one source, by normalised key. */
final class Layer {
  static final Layer EMPTY = new Layer(new TreeMap<>());

  private final Map<String, Setting> settings;

  private Layer(TreeMap<String, Setting> settings) {
    this.settings = Collections.unmodifiableMap(settings);
  }

  /**
   * Builds a layer, dropping blank values and rejecting two spellings of one key.
   *
   * @param origin names the source in the error, e.g. {@code system properties}
   * @throws ConfigurationException if two keys normalise to the same setting, because silently
   *     keeping one would depend on hash order
   */
  static Layer of(Collection<Setting> settings, String origin) {
    List<Setting> sorted = new ArrayList<>(settings);
    sorted.sort(Comparator.comparing(Setting::key));
    TreeMap<String, Setting> byKey = new TreeMap<>();
    for (Setting setting : sorted) {
      // Blank means unset, as in OpenTelemetry: REALTIME_BROKER= from an unfilled template must
      // not override the file or the default.
      if (setting.value().isBlank()) {
        continue;
      }
      Setting previous = byKey.putIfAbsent(setting.normalisedKey(), setting);
      if (previous != null) {
        throw new ConfigurationException("Settings " + previous.key() + " and " + setting.key()
            + " in " + origin + " name the same setting (case, '-', '_' and '.' do not tell keys"
            + " apart). Keep one of them.");
      }
    }
    return new Layer(byKey);
  }

  /** Returns the setting for a normalised key, or null. */
  Setting get(String normalisedKey) {
    return settings.get(normalisedKey);
  }

  /** Sorted by normalised key. */
  Collection<Setting> settings() {
    return settings.values();
  }
}
