package dev.realtime.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A catalogue of channels, the YAML table that {@code realtime channels apply} brings a broker
 * to: each channel's partitions, retention and groups, kept in version control instead of the
 * hand-kept topic tables of the seed systems.
 *
 * <pre>
 * channels:
 *   orders:
 *     partitions: 6          # Kafka only
 *     retention: 7d          # 500ms, 10s, 5m, 2h, 7d, ISO-8601
 *     retention-bytes: 1GiB  # Kafka and RabbitMQ
 *     max-messages: 100000   # Redis and memory
 *     groups: [billing, audit]
 *   user.1: {}               # the broker's defaults
 * </pre>
 *
 * <p>The whole file is read and checked before anything is applied: an unknown field, a bad
 * value or a bad channel name is reported with the file, the channel and the field, and nothing
 * changes.
 */
final class Catalogue {
  private static final Set<String> FIELDS = Set.of("partitions", "replication-factor",
      "retention", "retention-bytes", "max-messages", "compacted", "groups");

  private Catalogue() {}

  /**
   * Reads {@code file}.
   *
   * @throws IllegalArgumentException naming the file, channel and field of the first problem
   */
  static List<ChannelSpec> read(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .readTree(Files.readAllBytes(file));
    } catch (JsonProcessingException e) {
      // file:line:column, as compilers write it (editors jump there): the line and column
      // where the YAML stops parsing, and the parser's reason without its excerpt.
      JsonLocation where = e.getLocation();
      String reason = String.valueOf(e.getOriginalMessage()).lines().findFirst()
          .orElse("not YAML").strip();
      throw new IllegalArgumentException(file + (where == null || where.getLineNr() < 1 ? ""
          : ":" + where.getLineNr() + ":" + where.getColumnNr()) + ": not valid YAML: " + reason);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": " + (e instanceof java.nio.file.NoSuchFileException
          ? "no such file" : e.getMessage().lines().findFirst().orElse("unreadable")));
    }
    if (root == null || !root.isObject() || !root.has("channels") || root.size() != 1
        || !root.get("channels").isObject()) {
      throw new IllegalArgumentException(file + ": expected a map \"channels:\" of channel "
          + "names to their settings, and nothing else (see realtime channels apply --help)");
    }
    List<ChannelSpec> specs = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.get("channels").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      try {
        specs.add(spec(entry.getKey(), entry.getValue()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": channel " + entry.getKey() + ": "
            + e.getMessage());
      }
    }
    return specs;
  }

  private static ChannelSpec spec(String name, JsonNode settings) {
    ChannelSpec.Builder spec = ChannelSpec.builder(Channel.of(name));
    if (settings == null || settings.isNull()) {
      return spec.build();
    }
    if (!settings.isObject()) {
      throw new IllegalArgumentException("expected a map of settings (or {}), not " + settings);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = settings.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = field.getKey();
      JsonNode value = field.getValue();
      switch (key) {
        case "partitions":
          spec.partitions(integer(key, value));
          break;
        case "replication-factor":
          spec.replicationFactor(integer(key, value));
          break;
        case "retention":
          spec.retention(parse(Converters::duration, key, value));
          break;
        case "retention-bytes":
          spec.retentionBytes(parse(Converters::size, key, value));
          break;
        case "max-messages":
          spec.maxMessages(whole(key, value));
          break;
        case "compacted":
          if (!value.isBoolean()) {
            throw new IllegalArgumentException("compacted must be true or false");
          }
          spec.compacted(value.asBoolean());
          break;
        case "groups":
          if (!value.isArray()) {
            throw new IllegalArgumentException("groups must be a list: groups: [billing, audit]");
          }
          List<String> groups = new ArrayList<>();
          value.forEach(group -> groups.add(group.asText()));
          spec.groups(groups.toArray(new String[0]));
          break;
        default:
          throw new IllegalArgumentException("unknown field \"" + key + "\"; a channel may have "
              + String.join(", ", new java.util.TreeSet<>(FIELDS)));
      }
    }
    return spec.build();
  }

  private static int integer(String key, JsonNode value) {
    if (!value.canConvertToInt() || !value.isIntegralNumber()) {
      throw new IllegalArgumentException(key + " must be a whole number, not " + value);
    }
    return value.asInt();
  }

  private static long whole(String key, JsonNode value) {
    if (!value.canConvertToLong() || !value.isIntegralNumber()) {
      throw new IllegalArgumentException(key + " must be a whole number, not " + value);
    }
    return value.asLong();
  }

  private static <T> T parse(java.util.function.Function<String, T> parser, String key,
      JsonNode value) {
    try {
      return parser.apply(value.asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage());
    }
  }


  /** The catalogue fields {@code spec} sets, by their YAML names, in the file's order of them. */
  static List<String> fieldsOf(ChannelSpec spec) {
    List<String> fields = new ArrayList<>();
    if (spec.partitions() != null) {
      fields.add("partitions");
    }
    if (spec.replicationFactor() != null) {
      fields.add("replication-factor");
    }
    if (spec.retention() != null) {
      fields.add("retention");
    }
    if (spec.retentionBytes() != null) {
      fields.add("retention-bytes");
    }
    if (spec.maxMessages() != null) {
      fields.add("max-messages");
    }
    if (spec.compacted()) {
      fields.add("compacted");
    }
    if (!spec.groups().isEmpty()) {
      fields.add("groups");
    }
    return fields;
  }

  /** {@code spec}'s settings for {@code channel}, only the fields {@code keep} names. */
  static ChannelSpec copy(ChannelSpec spec, Channel channel, Set<String> keep) {
    ChannelSpec.Builder copy = ChannelSpec.builder(channel);
    if (keep.contains("partitions") && spec.partitions() != null) {
      copy.partitions(spec.partitions());
    }
    if (keep.contains("replication-factor") && spec.replicationFactor() != null) {
      copy.replicationFactor(spec.replicationFactor());
    }
    if (keep.contains("retention") && spec.retention() != null) {
      copy.retention(spec.retention());
    }
    if (keep.contains("retention-bytes") && spec.retentionBytes() != null) {
      copy.retentionBytes(spec.retentionBytes());
    }
    if (keep.contains("max-messages") && spec.maxMessages() != null) {
      copy.maxMessages(spec.maxMessages());
    }
    if (keep.contains("compacted")) {
      copy.compacted(spec.compacted());
    }
    if (keep.contains("groups")) {
      copy.groups(spec.groups().toArray(new String[0]));
    }
    return copy.build();
  }

  /** The value of {@code field} in {@code spec}, as the file writes it. */
  static String value(ChannelSpec spec, String field) {
    switch (field) {
      case "partitions":
        return String.valueOf(spec.partitions());
      case "replication-factor":
        return String.valueOf(spec.replicationFactor());
      case "retention":
        return spec.retention() == null ? "" : show(spec.retention());
      case "retention-bytes":
        return String.valueOf(spec.retentionBytes());
      case "max-messages":
        return String.valueOf(spec.maxMessages());
      case "compacted":
        return String.valueOf(spec.compacted());
      default:
        return String.valueOf(spec.groups());
    }
  }

  private static final java.util.regex.Pattern JAVA_NAMES = java.util.regex.Pattern.compile(
      "\\b(retentionBytes|maxMessages|replicationFactor|retention|partitions|compacted|groups)"
          + "(\\(\\.\\.\\.\\))?");

  /**
   * An adapter's refusal in the catalogue's words: the adapters name ChannelSpec's methods
   * ({@code maxMessages(...)}), a catalogue user knows the fields ({@code max-messages}).
   */
  static String inYamlNames(String message) {
    return JAVA_NAMES.matcher(message).replaceAll(match -> switch (match.group(1)) {
      case "retentionBytes" -> "retention-bytes";
      case "maxMessages" -> "max-messages";
      case "replicationFactor" -> "replication-factor";
      default -> match.group(1);
    });
  }

  /** {@code 7d}, {@code 12h}, {@code 30m}, {@code 45s}, {@code 500ms}: the largest exact unit. */
  static String show(Duration duration) {
    long millis = duration.toMillis();
    long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L};
    String[] names = {"d", "h", "m", "s"};
    for (int i = 0; i < units.length; i++) {
      if (millis % units[i] == 0 && millis >= units[i]) {
        return millis / units[i] + names[i];
      }
    }
    return millis + "ms";
  }
}
