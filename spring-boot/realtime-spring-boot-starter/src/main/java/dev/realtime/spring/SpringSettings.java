package dev.realtime.spring;

import dev.realtime.config.RealtimeConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * Reads realtime's settings from Spring's {@link Environment}: every {@code realtime.*} key that
 * a property source names ({@code application.properties}, {@code application.yaml}, profiles,
 * command-line arguments, test properties), each resolved through the Environment so that
 * Spring's order of precedence holds: {@code REALTIME_BROKER} in the process environment beats
 * {@code realtime.broker} in {@code application.properties}, as in any Boot application.
 *
 * <p>The values are given to {@link RealtimeConfig} as its highest layer, named after the
 * property source they came from, so that its checks apply unchanged: an unknown key fails the
 * start with the nearest known one, a value that does not parse names its source. Keys only the
 * process environment sets ({@code REALTIME_…}, or the seeds' {@code KAFKA_BROKERS}) are read by
 * {@code RealtimeConfig}'s own environment layer, as without Spring.
 */
final class SpringSettings {
  private static final String PREFIX = "realtime.";

  private SpringSettings() {}

  static RealtimeConfig read(Environment environment) {
    RealtimeConfig.Builder builder = RealtimeConfig.builder();
    keys(environment).forEach((key, source) -> {
      String value = environment.getProperty(key);
      if (value != null) {
        builder.set(key, value, source);
      }
    });
    return builder.build();
  }

  /** Each {@code realtime.*} key a property source names, with the first source naming it. */
  private static Map<String, String> keys(Environment environment) {
    Map<String, String> keys = new LinkedHashMap<>();
    if (environment instanceof ConfigurableEnvironment configurable) {
      for (PropertySource<?> source : configurable.getPropertySources()) {
        if (source instanceof EnumerablePropertySource<?> enumerable) {
          for (String name : enumerable.getPropertyNames()) {
            if (name.startsWith(PREFIX)) {
              keys.putIfAbsent(name, source.getName());
            }
          }
        }
      }
    }
    return keys;
  }
}
