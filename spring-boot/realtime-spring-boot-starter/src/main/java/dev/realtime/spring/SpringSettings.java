package dev.realtime.spring;

import dev.realtime.Brokers;
import dev.realtime.config.ConfigOption;
import dev.realtime.config.RealtimeConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Reads realtime's settings from Spring's {@link Environment}: every {@code realtime.*} key that
 * a property source names ({@code application.properties}, {@code application.yaml}, profiles,
 * command-line arguments, test properties), with the value of the source that wins by Spring's
 * order of precedence, and that source's name, so that an error names where the value was set.
 *
 * <p>The values are given to {@link RealtimeConfig} as its highest layer, so its checks apply
 * unchanged: an unknown key fails the start with the nearest known one, a value that does not
 * parse names its source. A key's spellings are one key ({@code maxMessagesPerChannel} in
 * YAML and {@code REALTIME_MEMORY_MAX_MESSAGES_PER_CHANNEL} in the environment), and the first
 * source holding any of them wins. Where a file (a source below the environment) sets a key
 * whose option has an environment alias that is set ({@code REDIS_URL} for {@code
 * realtime.redis.uri}), the alias's value is taken. So the environment beats the files, as in any Boot application, and an alias
 * beats a file, as without Spring. Keys may be
 * written in Spring's relaxed forms ({@link #canonical}).
 */
final class SpringSettings {
  private static final String PREFIX = "realtime.";
  /** Boot's view of every other source, which would name every key a second time. */
  private static final String ATTACHED = "configurationProperties";

  private SpringSettings() {}

  static RealtimeConfig read(Environment environment) {
    RealtimeConfig.Builder builder = RealtimeConfig.builder();
    if (!(environment instanceof ConfigurableEnvironment configurable)) {
      return builder.build();
    }
    List<PropertySource<?>> sources = new ArrayList<>();
    configurable.getPropertySources().forEach(source -> {
      if (!source.getName().equals(ATTACHED)) {
        sources.add(source);
      }
    });
    int environmentRank = rankOf(sources,
        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
    Map<String, ConfigOption<?>> options = options();
    for (Map.Entry<String, Set<String>> key : keys(sources).entrySet()) {
      String name = key.getKey();
      Found found = winner(sources, environmentRank, name, key.getValue());
      if (found == null) {
        continue;
      }
      if (environmentRank >= 0 && found.rank() > environmentRank) {
        String alias = aliasSet(options.get(name), sources.get(environmentRank));
        if (alias != null) { // A file's value, below the environment: the alias wins.
          builder.set(name, String.valueOf(sources.get(environmentRank).getProperty(alias)),
              "environment variable " + alias);
          continue;
        }
      }
      builder.set(name, environment.resolveRequiredPlaceholders(found.value()), found.source());
    }
    return builder.build();
  }

  /**
   * The key as realtime spells it, from Spring's relaxed forms: {@code keyPrefix} (YAML's
   * camelCase) is {@code key-prefix}, and {@code producer[compression.type]} (a map key in
   * brackets) is {@code producer.compression.type}.
   */
  static String canonical(String key) {
    StringBuilder out = new StringBuilder(key.length() + 8);
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isUpperCase(c)) {
        if (i > 0 && key.charAt(i - 1) != '.' && key.charAt(i - 1) != '-') {
          out.append('-');
        }
        out.append(Character.toLowerCase(c));
      } else if (c == '[') {
        out.append('.');
      } else if (c != ']') {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * Each {@code realtime.*} key an enumerable source names, by its canonical name, with every
   * spelling the sources use for it ({@code maxMessagesPerChannel} in YAML, {@code
   * max-messages-per-channel} in a profile's properties).
   */
  private static Map<String, Set<String>> keys(List<PropertySource<?>> sources) {
    Map<String, Set<String>> keys = new LinkedHashMap<>();
    for (PropertySource<?> source : sources) {
      if (source instanceof EnumerablePropertySource<?> enumerable
          && !source.getName().equals(
              StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME)) {
        for (String name : enumerable.getPropertyNames()) {
          if (name.startsWith(PREFIX)) {
            keys.computeIfAbsent(canonical(name), canonical -> new LinkedHashSet<>(
                List.of(canonical))).add(name);
          }
        }
      }
    }
    return keys;
  }

  /** The value that wins for a key: its source's rank (0 is highest), the value, the source. */
  private record Found(int rank, String value, String source) {}

  /**
   * The first source, by Spring's precedence, that holds any spelling of the key with a value
   * that is not blank (a blank variable hides nothing, as without Spring); or null.
   */
  private static Found winner(List<PropertySource<?>> sources, int environmentRank,
      String name, Set<String> spellings) {
    for (int i = 0; i < sources.size(); i++) {
      PropertySource<?> source = sources.get(i);
      for (String spelling : spellings) {
        Object value = source.getProperty(spelling);
        if (value != null && !value.toString().isBlank()) {
          String from = i == environmentRank
              ? "environment variable " + name.toUpperCase(Locale.ROOT).replace('.', '_')
                  .replace('-', '_')
              : source.getName();
          return new Found(i, value.toString(), from);
        }
      }
    }
    return null;
  }

  private static int rankOf(List<PropertySource<?>> sources, String name) {
    for (int i = 0; i < sources.size(); i++) {
      if (sources.get(i).getName().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** The first of {@code option}'s environment aliases that is set, or null. */
  private static String aliasSet(ConfigOption<?> option, PropertySource<?> environment) {
    if (option == null) {
      return null;
    }
    for (String alias : option.environmentAliases()) {
      Object value = environment.getProperty(alias);
      if (value != null && !value.toString().isBlank()) {
        return alias;
      }
    }
    return null;
  }

  /** Every option realtime and the adapters on the classpath declare, by name. */
  private static Map<String, ConfigOption<?>> options() {
    Map<String, ConfigOption<?>> options = new HashMap<>();
    Brokers.options().forEach(option -> options.put(option.name(), option));
    return options;
  }
}
