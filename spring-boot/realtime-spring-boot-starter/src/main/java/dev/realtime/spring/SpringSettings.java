package dev.realtime.spring;

import dev.realtime.Brokers;
import dev.realtime.config.ConfigOption;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.config.RealtimeOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
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
 * parse names its source. Two kinds of value are left to {@code RealtimeConfig}'s own
 * environment layer, which reads the same process environment and names the variable: a key
 * whose winning source is the environment ({@code REALTIME_BROKER} over {@code realtime.broker}
 * in a file). And where a file (a source below the environment) sets a key whose option has an
 * environment alias that is set ({@code REDIS_URL} for {@code realtime.redis.uri}), the alias's
 * value is taken. So the environment beats the files, as in any Boot application, and an alias
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
    for (String key : keys(sources)) {
      int rank = winner(sources, key);
      if (rank < 0 || rank == environmentRank) {
        continue; // RealtimeConfig reads the environment itself, and names the variable.
      }
      if (rank > environmentRank && environmentRank >= 0) {
        String alias = aliasSet(options.get(canonical(key)), sources.get(environmentRank));
        if (alias != null) { // A file's value, below the environment: the alias wins.
          builder.set(canonical(key), String.valueOf(sources.get(environmentRank)
              .getProperty(alias)), "environment variable " + alias);
          continue;
        }
      }
      Object value = sources.get(rank).getProperty(key);
      if (value != null) {
        builder.set(canonical(key), environment.resolvePlaceholders(value.toString()),
            sources.get(rank).getName());
      }
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

  /** Each {@code realtime.*} key an enumerable source names. */
  private static Set<String> keys(List<PropertySource<?>> sources) {
    Set<String> keys = new LinkedHashSet<>();
    for (PropertySource<?> source : sources) {
      if (source instanceof EnumerablePropertySource<?> enumerable
          && !source.getName().equals(
              StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME)) {
        for (String name : enumerable.getPropertyNames()) {
          if (name.startsWith(PREFIX)) {
            keys.add(name);
          }
        }
      }
    }
    return keys;
  }

  /** The rank (0 is highest) of the first source holding {@code key}, or -1. */
  private static int winner(List<PropertySource<?>> sources, String key) {
    for (int i = 0; i < sources.size(); i++) {
      if (sources.get(i).containsProperty(key)) {
        return i;
      }
    }
    return -1;
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
    RealtimeOptions.all().forEach(option -> options.put(option.name(), option));
    Brokers.providers().values().forEach(provider ->
        provider.options().forEach(option -> options.put(option.name(), option)));
    return options;
  }
}
