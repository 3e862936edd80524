package dev.realtime.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A declared setting: its canonical name, type, default, description, and whether its value is a
 * secret.
 *
 * <p>Names are lowercase, start with {@code realtime.} and use dots between parts and dashes
 * within them, such as {@code realtime.kafka.bootstrap-servers}. The same setting is read from
 * the environment variable {@code REALTIME_KAFKA_BOOTSTRAP_SERVERS} and from any {@linkplain
 * #environmentAliases() alias}; see {@link RealtimeConfig} for every source and their precedence.
 *
 * <p>A {@linkplain #prefix(String, String) prefix option} stands for a family of keys passed
 * through unchanged to a client library, such as {@code realtime.kafka.producer.}.
 *
 * <p>Options are immutable; {@link #secret()} and {@link #withEnvironmentAlias(String)} return new
 * ones. Two options are equal when their names are.
 *
 * @param <T> the type of the parsed value
 */
public final class ConfigOption<T> {
  private static final String PART = "[a-z0-9]+(-[a-z0-9]+)*";
  private static final Pattern NAME = Pattern.compile("realtime(\\." + PART + ")+");
  private static final Pattern PREFIX_NAME = Pattern.compile("realtime(\\." + PART + ")+\\.");
  private static final Pattern ENVIRONMENT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private static final String INTEGER_HINT =
      "Must be a whole number between -2147483648 and 2147483647, such as 8.";
  private static final String BOOLEAN_HINT = "Must be true or false (yes/no and 1/0 also work).";

  private final String name;
  private final String normalisedName;
  private final String description;
  private final T defaultValue;
  private final String typeName;
  private final Function<String, T> parser;
  private final Function<T, String> formatter;
  private final boolean secret;
  private final List<String> environmentAliases;
  private final boolean prefix;

  private ConfigOption(String name, String description, T defaultValue, String typeName,
      Function<String, T> parser, Function<T, String> formatter, boolean secret,
      List<String> environmentAliases, boolean prefix) {
    this.name = name;
    this.normalisedName = KeyNames.normalise(name);
    this.description = description;
    this.defaultValue = defaultValue;
    this.typeName = typeName;
    this.parser = parser;
    this.formatter = formatter;
    this.secret = secret;
    this.environmentAliases = List.copyOf(environmentAliases);
    this.prefix = prefix;
  }

  private static <T> ConfigOption<T> create(String name, T defaultValue, String description,
      String typeName, Function<String, T> parser, Function<T, String> formatter) {
    checkName(name, NAME, "such as realtime.kafka.bootstrap-servers");
    Objects.requireNonNull(description, "description == null");
    return new ConfigOption<>(name, description, defaultValue, typeName, parser, formatter,
        false, List.of(), false);
  }

  /**
   * Declares a text setting. Its value is used as given, surrounding spaces included.
   *
   * @param defaultValue the value when no source sets it, or null for none
   * @throws IllegalArgumentException if the name breaks the naming rule in the class description
   */
  public static ConfigOption<String> string(String name, String defaultValue,
      String description) {
    return create(name, defaultValue, description, "string", raw -> raw, value -> value);
  }

  /**
   * Declares a whole-number setting, such as {@code 8} or {@code -1}.
   *
   * @param defaultValue the value when no source sets it, or null for none
   * @throws IllegalArgumentException if the name breaks the naming rule in the class description
   */
  public static ConfigOption<Integer> integer(String name, Integer defaultValue,
      String description) {
    return create(name, defaultValue, description, "integer", ConfigOption::parseInteger,
        String::valueOf);
  }

  /**
   * Declares a yes/no setting. Accepts {@code true}, {@code false}, {@code yes}, {@code no},
   * {@code 1} and {@code 0}, in any case.
   *
   * @param defaultValue the value when no source sets it, or null for none
   * @throws IllegalArgumentException if the name breaks the naming rule in the class description
   */
  public static ConfigOption<Boolean> bool(String name, Boolean defaultValue,
      String description) {
    return create(name, defaultValue, description, "boolean", ConfigOption::parseBoolean,
        String::valueOf);
  }

  /**
   * Declares a duration setting. Accepts a number with a unit ({@code 500ms}, {@code 10s}, {@code
   * 5m}, {@code 2h}, {@code 1d}, decimals allowed: {@code 1.5s}), ISO-8601 ({@code PT0.5S}), or a
   * plain number of milliseconds. Negative durations are refused.
   *
   * @param defaultValue the value when no source sets it, or null for none
   * @throws IllegalArgumentException if the name breaks the naming rule in the class description,
   *     or the default is negative
   */
  public static ConfigOption<Duration> duration(String name, Duration defaultValue,
      String description) {
    if (defaultValue != null && defaultValue.isNegative()) {
      throw new IllegalArgumentException("Default of " + name + " is negative (" + defaultValue
          + "); durations must be zero or more.");
    }
    return create(name, defaultValue, description, "duration", DurationParser::parse,
        Duration::toString);
  }

  /**
   * Declares a size in bytes. Accepts a plain number of bytes ({@code 1048576}) or a number with
   * a unit: binary {@code KiB}, {@code MiB}, {@code GiB}, {@code TiB} (powers of 1024) or decimal
   * {@code kB}, {@code MB}, {@code GB}, {@code TB} (powers of 1000), in any case, so {@code 1MB}
   * is 1000000 and {@code 1MiB} is 1048576. Negative sizes are refused.
   *
   * @param defaultValue the value in bytes when no source sets it, or null for none
   * @throws IllegalArgumentException if the name breaks the naming rule in the class description,
   *     or the default is negative
   */
  public static ConfigOption<Long> size(String name, Long defaultValue, String description) {
    if (defaultValue != null && defaultValue < 0) {
      throw new IllegalArgumentException("Default of " + name + " is negative (" + defaultValue
          + "); sizes must be zero or more bytes.");
    }
    return create(name, defaultValue, description, "size", SizeParser::parse, String::valueOf);
  }

  /**
   * Declares a passthrough family: every key under {@code namePrefix} is handed to a client
   * library with the prefix removed, unchanged and unchecked. With {@code
   * realtime.kafka.producer.}, the setting {@code realtime.kafka.producer.compression.type=gzip}
   * reads as {@code compression.type=gzip}. Its value is never null; its default is the empty
   * map.
   *
   * @param namePrefix a name that ends with a dot, such as {@code realtime.kafka.producer.}
   * @throws IllegalArgumentException if the name breaks the naming rule in the class description
   *     or does not end with a dot
   */
  public static ConfigOption<Map<String, String>> prefix(String namePrefix, String description) {
    checkName(namePrefix, PREFIX_NAME, "ending with a dot, such as realtime.kafka.producer.");
    Objects.requireNonNull(description, "description == null");
    return new ConfigOption<>(namePrefix, description, Map.of(), "map",
        raw -> {
          throw new IllegalStateException(namePrefix + " is a prefix option and has no single"
              + " value to parse; read it with RealtimeConfig.get().");
        },
        value -> {
          throw new IllegalStateException("unreachable: prefix values are never formatted");
        },
        false, List.of(), true);
  }

  private static void checkName(String name, Pattern pattern, String example) {
    Objects.requireNonNull(name, "name == null");
    if (!pattern.matcher(name).matches()) {
      throw new IllegalArgumentException("Invalid option name " + name + ": names start with"
          + " realtime. and have dot-separated parts of lowercase letters, digits and dashes, "
          + example + ".");
    }
  }

  /** The canonical name, such as {@code realtime.kafka.bootstrap-servers}. */
  public String name() {
    return name;
  }

  /** What the setting does, in one sentence for people. */
  public String description() {
    return description;
  }

  /**
   * The value used when no source sets this option. May be null: check {@link #hasDefault()}.
   * For a prefix option it is the empty map.
   */
  public T defaultValue() {
    return defaultValue;
  }

  /** True when {@link #defaultValue()} is not null. */
  public boolean hasDefault() {
    return defaultValue != null;
  }

  /**
   * True when the value is a secret, so {@link RealtimeConfig} and error messages show {@code
   * ******} instead. Keys with a part naming a password, token, secret, credential or API key
   * are masked even when their option is not declared secret.
   */
  public boolean isSecret() {
    return secret;
  }

  /**
   * Extra environment variables read for this option, in order, after its canonical {@code
   * REALTIME_…} variable: the canonical variable wins when both are set.
   */
  public List<String> environmentAliases() {
    return environmentAliases;
  }

  /** True for a passthrough family declared with {@link #prefix(String, String)}. */
  public boolean isPrefix() {
    return prefix;
  }

  /**
   * The type's name for messages: {@code string}, {@code integer}, {@code boolean}, {@code
   * duration}, {@code size} or {@code map} (prefix options).
   */
  public String typeName() {
    return typeName;
  }

  /**
   * Parses a raw value as this option does when reading it from a source.
   *
   * @throws ConfigurationException if the value is not valid for the type; the message shows the
   *     value masked when the option is secret
   * @throws IllegalStateException if this is a prefix option, which has no single value
   */
  public T parse(String raw) {
    return parse(raw, null);
  }

  /**
   * Returns an option that is the same but secret: {@link RealtimeConfig#toString()} and every
   * message show its value as {@code ******}. For a prefix option, every key under it is secret.
   */
  public ConfigOption<T> secret() {
    // Registered so that RealtimeConfig.toString(), which sees keys without options, masks it.
    SecretMasking.declare(normalisedName);
    return new ConfigOption<>(name, description, defaultValue, typeName, parser, formatter, true,
        environmentAliases, prefix);
  }

  /**
   * Returns an option that is the same but is also read from environment variable {@code
   * environmentVariable}, such as {@code KAFKA_BROKERS}, to accept names that deployments already
   * use. The canonical {@code REALTIME_…} variable wins when both are set; an alias sits in the
   * environment layer, so system properties and code still override it.
   *
   * @throws IllegalArgumentException if the name is not a valid environment variable name
   *     (letters, digits and underscores, not starting with a digit)
   * @throws IllegalStateException if this is a prefix option: an alias names one value
   */
  public ConfigOption<T> withEnvironmentAlias(String environmentVariable) {
    Objects.requireNonNull(environmentVariable, "environmentVariable == null");
    if (prefix) {
      throw new IllegalStateException(name + " is a prefix option; an environment alias names a"
          + " single value, so declare the alias on a non-prefix option.");
    }
    if (!ENVIRONMENT_NAME.matcher(environmentVariable).matches()) {
      throw new IllegalArgumentException("Invalid environment variable name "
          + environmentVariable + ": use letters, digits and underscores, not starting with a"
          + " digit, such as KAFKA_BROKERS.");
    }
    List<String> aliases = new ArrayList<>(environmentAliases);
    if (!aliases.contains(environmentVariable)) {
      aliases.add(environmentVariable);
    }
    return new ConfigOption<>(name, description, defaultValue, typeName, parser, formatter, secret,
        aliases, prefix);
  }

  /** The name in the form in which configuration sources are matched. */
  String normalisedName() {
    return normalisedName;
  }

  /** The environment variable that always sets this option. */
  String environmentVariable() {
    return KeyNames.toEnvironmentVariable(name);
  }

  /**
   * Parses, naming {@code source} in the error.
   *
   * @param source such as {@code environment variable REALTIME_BROKER}, or null when unknown
   */
  T parse(String raw, String source) {
    Objects.requireNonNull(raw, "raw == null");
    try {
      return parser.apply(raw);
    } catch (IllegalArgumentException e) {
      // The parsers' messages are hints that never quote the value; the value is masked here.
      String shown = secret ? SecretMasking.MASK : SecretMasking.mask(name, raw);
      String from = source == null ? "" : " (from " + source + ")";
      throw new ConfigurationException(
          "Invalid value for " + name + "=" + shown + from + ". " + e.getMessage());
    }
  }

  /** The string that {@link #parse(String)} turns back into {@code value}. */
  String format(T value) {
    return formatter.apply(value);
  }

  private static Integer parseInteger(String raw) {
    try {
      return Integer.valueOf(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(INTEGER_HINT);
    }
  }

  private static Boolean parseBoolean(String raw) {
    switch (raw.trim().toLowerCase(Locale.ROOT)) {
      case "true":
      case "yes":
      case "1":
        return Boolean.TRUE;
      case "false":
      case "no":
      case "0":
        return Boolean.FALSE;
      default:
        throw new IllegalArgumentException(BOOLEAN_HINT);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ConfigOption && ((ConfigOption<?>) other).name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  /** Returns the name. */
  @Override
  public String toString() {
    return name;
  }
}
