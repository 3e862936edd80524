package dev.realtime.config;

/**
 * One key and value from one source.
 *
 * @param key the key as written, except that environment variables are given in dotted lowercase
 *     ({@code realtime.broker} for {@code REALTIME_BROKER}), which is the most we can recover
 * @param normalisedKey the key as the layers match it, see {@link KeyNames#normalise(String)}
 * @param value the raw value; may be a secret, so mask it before showing it
 * @param source where it came from, for people: {@code environment variable REALTIME_BROKER}
 */
record Setting(String key, String normalisedKey, String value, String source) {
  static Setting of(String key, String value, String source) {
    return new Setting(key, KeyNames.normalise(key), value, source);
  }
}
