package dev.realtime.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.realtime.Brokers;
import dev.realtime.config.ConfigOption;
import dev.realtime.config.RealtimeOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The starter's {@code META-INF/spring-configuration-metadata.json}, which IDEs read to complete
 * and check {@code realtime.*} keys in {@code application.properties}, lists every option that
 * realtime and its three adapters declare, with its type, default, description, choices and
 * former names. The options are declared in code, not in a {@code @ConfigurationProperties}
 * class, so Boot's annotation processor cannot write it: this test does, and fails when the
 * committed file differs. Rewrite it with {@code -Drealtime.metadata.write=true}.
 */
class ConfigurationMetadataTest {
  private static final Path FILE =
      Path.of("src", "main", "resources", "META-INF", "spring-configuration-metadata.json");

  @Test
  void theMetadataListsEveryOptionOfRealtimeAndItsAdapters() throws Exception {
    assertThat(Brokers.providers()).as("the adapters on this test's classpath")
        .containsKeys("memory", "kafka", "redis", "rabbitmq");
    List<ConfigOption<?>> options = new ArrayList<>(Brokers.options());
    options.sort(Comparator.comparing(ConfigOption::name));

    String expected = metadata(options);
    if (Boolean.getBoolean("realtime.metadata.write")) {
      Files.writeString(FILE, expected);
    }
    assertThat(Files.readString(FILE)).as(FILE + " (rewrite it with "
        + "-Drealtime.metadata.write=true)").isEqualTo(expected);
  }

  private static String metadata(List<ConfigOption<?>> options) throws Exception {
    List<Map<String, Object>> properties = new ArrayList<>();
    List<Map<String, Object>> hints = new ArrayList<>();
    for (ConfigOption<?> option : options) {
      Map<String, Object> property = new LinkedHashMap<>();
      property.put("name", option.name());
      property.put("type", javaType(option));
      property.put("description", option.description()
          + (option.choices().isEmpty() && option.min().isEmpty() && option.max().isEmpty()
              ? "" : " Allowed: " + option.allowed() + "."));
      property.put("sourceType", "dev.realtime.config.RealtimeConfig");
      Object defaultValue = defaultValue(option);
      if (defaultValue != null) {
        property.put("defaultValue", defaultValue);
      }
      properties.add(property);
      for (String former : option.formerNames()) {
        properties.add(Map.of("name", former, "type", javaType(option),
            "deprecation", Map.of("level", "error", "replacement", option.name())));
      }
      if (!option.choices().isEmpty()) {
        hints.add(Map.of("name", option.name(), "values",
            option.choices().stream().map(choice -> Map.of("value", choice)).toList()));
      }
    }
    // The adapters an application may name: the four this repository makes.
    hints.add(0, Map.of("name", RealtimeOptions.BROKER.name(), "values",
        Brokers.providers().keySet().stream().sorted()
            .map(broker -> Map.of("value", broker)).toList()));
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("groups", List.of(Map.of("name", "realtime", "type",
        "dev.realtime.config.RealtimeConfig", "description",
        "realtime: the broker and its adapters' settings (docs/configuration.md).")));
    root.put("properties", properties);
    root.put("hints", hints);
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .writeValueAsString(root) + "\n";
  }

  /** The Java type an IDE checks values against; sizes ({@code 1MiB}) are text to it. */
  private static String javaType(ConfigOption<?> option) {
    return switch (option.typeName()) {
      case "integer" -> "java.lang.Integer";
      case "boolean" -> "java.lang.Boolean";
      case "duration" -> "java.time.Duration";
      case "map" -> "java.util.Map<java.lang.String,java.lang.String>";
      default -> "java.lang.String";
    };
  }

  private static Object defaultValue(ConfigOption<?> option) {
    Object value = option.defaultValue();
    if (value == null || option.isPrefix() || "".equals(value)) {
      return null;
    }
    if (value instanceof Duration duration) {
      return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s"
          : duration.toMillis() + "ms";
    }
    return option.typeName().equals("size") ? value.toString() : value;
  }
}
