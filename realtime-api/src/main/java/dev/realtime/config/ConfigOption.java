package dev.realtime.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
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
 * <p>An option may declare what it accepts beyond its type: a {@linkplain #range range} or a few
 * {@linkplain #choice choices}. Every refused value, whether it does not parse or falls outside,
 * fails in one shape that names the key, the value, its source, what is allowed and the fix, and
 * documentation lists what is allowed from {@link #allowed()}. An option that was renamed keeps
 * its {@linkplain #withFormerName former name}, which validation reports with the new one.
 *
 * <p>Options are immutable; {@link #secret()}, {@link #withEnvironmentAlias(String)}, {@link
 * #range} and {@link #withFormerName} return new ones. Two options are equal when their names
 * are.
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
  /** The declared bounds, inclusive; null leaves that end open. */
  private final T min;
  private final T max;
  /** The accepted spellings of a choice option; empty for any value of the type. */
  private final List<String> choices;
  /** Names this option had before, which validation reports as renamed. */
  private final List<String> formerNames;
  /** Throws IllegalArgumentException for a parsed value its owner refuses. */
  private final Consumer<? super T> check;

  private ConfigOption(String name, String description, T defaultValue, String typeName,
      Function<String, T> parser, Function<T, String> formatter, boolean secret,
      List<String> environmentAliases, boolean prefix, T min, T max, List<String> choices,
      List<String> formerNames, Consumer<? super T> check) {
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
    this.min = min;
    this.max = max;
    this.choices = List.copyOf(choices);
    this.formerNames = List.copyOf(formerNames);
    this.check = check;
  }

  /** A copy with other settings of the same option; every with-method goes through here. */
  private ConfigOption<T> copy(boolean secret, List<String> environmentAliases, T min, T max,
      List<String> formerNames) {
    return new ConfigOption<>(name, description, defaultValue, typeName, parser, formatter,
        secret, environmentAliases, prefix, min, max, choices, formerNames, check);
  }

  private static <T> ConfigOption<T> create(String name, T defaultValue, String description,
      String typeName, Function<String, T> parser, Function<T, String> formatter) {
    checkName(name, NAME, "such as realtime.kafka.bootstrap-servers");
    Objects.requireNonNull(description, "description == null");
    return new ConfigOption<>(name, description, defaultValue, typeName, parser, formatter,
        false, List.of(), false, null, null, List.of(), List.of(), value -> { });
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
   * Declares a setting that takes one of a few words, such as {@code streams} or {@code pubsub}.
   * A value is matched ignoring case and surrounding spaces and read as the word declared here;
   * any other value is refused with the list of choices.
   *
   * @param defaultValue one of the choices, or null for none
   * @throws IllegalArgumentException if the name breaks the naming rule in the class
   *     description, there are no choices, or the default is not one of them
   */
  public static ConfigOption<String> choice(String name, String defaultValue, String description,
      String... choices) {
    List<String> allowed = List.of(choices);
    if (allowed.isEmpty()) {
      throw new IllegalArgumentException(name + " declares no choices; list at least one.");
    }
    if (defaultValue != null && !allowed.contains(defaultValue)) {
      throw new IllegalArgumentException("Default of " + name + " is " + defaultValue
          + ", not one of " + String.join(", ", allowed) + ".");
    }
    checkName(name, NAME, "such as realtime.kafka.bootstrap-servers");
    Objects.requireNonNull(description, "description == null");
    Function<String, String> parser = raw -> {
      for (String choice : allowed) {
        if (choice.equalsIgnoreCase(raw.trim())) {
          return choice;
        }
      }
      throw new IllegalArgumentException("not one of the choices");
    };
    return new ConfigOption<>(name, description, defaultValue, "string", parser, value -> value,
        false, List.of(), false, null, null, allowed, List.of(), value -> { });
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
        false, List.of(), true, null, null, List.of(), List.of(), value -> { });
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
    return copy(true, environmentAliases, min, max, formerNames);
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
    return copy(secret, aliases, min, max, formerNames);
  }

  /**
   * Returns an option that is the same but accepts only values from {@code min} to {@code max},
   * both included; a null bound leaves that end open, so {@code range(1, null)} means at least
   * 1. A value outside is refused, as one that does not parse is, with the range and the fix:
   * {@code Invalid value for realtime.kafka.partitions=0 (from code). Must be a whole number of
   * at least 1, such as 1. Set such a value, or unset realtime.kafka.partitions for the default
   * 1.}
   *
   * @throws IllegalStateException if the option's type has no order (strings, booleans,
   *     choices, prefix options)
   * @throws IllegalArgumentException if both bounds are null, {@code min} is above {@code max},
   *     or the default is outside the range
   */
  public ConfigOption<T> range(T min, T max) {
    if (!isOrdered()) {
      throw new IllegalStateException(name + " is a " + typeName + " option; only integers,"
          + " durations and sizes have a range.");
    }
    if (min == null && max == null) {
      throw new IllegalArgumentException(name + ": give at least one bound of the range.");
    }
    if (min != null && max != null && compare(min, max) > 0) {
      throw new IllegalArgumentException(name + ": the range's minimum " + show(min)
          + " is above its maximum " + show(max) + ".");
    }
    ConfigOption<T> ranged = copy(secret, environmentAliases, min, max, formerNames);
    if (defaultValue != null && !ranged.inRange(defaultValue)) {
      throw new IllegalArgumentException("Default of " + name + " is " + show(defaultValue)
          + ", but it must be " + ranged.allowed() + ".");
    }
    return ranged;
  }

  /**
   * Returns an option that is the same but also refuses a value that {@code check} refuses by
   * throwing an {@link IllegalArgumentException} that says what is wrong and how to fix it: a
   * rule only the option's owner knows, such as the characters a backend refuses in a name
   * prefix. The refusal has the one shape of every refused value, {@code Invalid value for
   * <key>=<value> (from <source>). <the exception's message>}.
   *
   * @throws IllegalStateException if this is a prefix option, which has no single value
   */
  public ConfigOption<T> check(Consumer<? super T> check) {
    Objects.requireNonNull(check, "check == null");
    if (prefix) {
      throw new IllegalStateException(name + " is a prefix option; a check applies to one value.");
    }
    return new ConfigOption<>(name, description, defaultValue, typeName, parser, formatter,
        secret, environmentAliases, prefix, min, max, choices, formerNames, check);
  }

  /**
   * Returns an option that is the same and was called {@code formerName} before: {@link
   * RealtimeConfig#validate} reports a setting of the former name as renamed, naming this one,
   * instead of ignoring it or guessing.
   *
   * @throws IllegalArgumentException if {@code formerName} breaks the naming rule in the class
   *     description
   */
  public ConfigOption<T> withFormerName(String formerName) {
    checkName(formerName, prefix ? PREFIX_NAME : NAME, "such as realtime.kafka.bootstrap-servers");
    List<String> names = new ArrayList<>(formerNames);
    names.add(formerName);
    return copy(secret, environmentAliases, min, max, names);
  }

  /** The smallest value accepted, if the option declares one with {@link #range}. */
  public Optional<T> min() {
    return Optional.ofNullable(min);
  }

  /** The largest value accepted, if the option declares one with {@link #range}. */
  public Optional<T> max() {
    return Optional.ofNullable(max);
  }

  /**
   * The words a {@linkplain #choice choice option} accepts, in declared order; empty for other
   * options.
   */
  public List<String> choices() {
    return choices;
  }

  /** The names this option had before, from {@link #withFormerName(String)}. */
  public List<String> formerNames() {
    return formerNames;
  }

  /**
   * What a value must be, in words, for documentation and messages: such as {@code a whole
   * number}, {@code a whole number of at least 1}, {@code a duration from 100ms to 1h} or {@code
   * one of streams, pubsub}.
   */
  public String allowed() {
    if (!choices.isEmpty()) {
      return "one of " + String.join(", ", choices);
    }
    String kind;
    switch (typeName) {
      case "integer":
        kind = "a whole number";
        break;
      case "size":
        kind = "a size";
        break;
      case "duration":
        kind = "a duration";
        break;
      case "boolean":
        kind = "true or false";
        break;
      case "map":
        kind = "any keys under " + name;
        break;
      default:
        kind = "any text";
    }
    if (min != null && max != null) {
      return kind + " from " + show(min) + " to " + show(max);
    }
    if (min != null) {
      return kind + " of at least " + show(min);
    }
    if (max != null) {
      return kind + " of at most " + show(max);
    }
    return kind;
  }

  /** True when the value is constrained beyond its type: a range or choices. */
  private boolean isConstrained() {
    return min != null || max != null || !choices.isEmpty();
  }

  private boolean isOrdered() {
    return !prefix && choices.isEmpty()
        && (typeName.equals("integer") || typeName.equals("duration") || typeName.equals("size"));
  }

  private boolean inRange(T value) {
    return (min == null || compare(value, min) >= 0) && (max == null || compare(value, max) <= 0);
  }

  @SuppressWarnings("unchecked")
  private static <T> int compare(T a, T b) {
    return ((Comparable<T>) a).compareTo(b);
  }

  /** A value as people write it: {@code 100ms} rather than {@code PT0.1S}, {@code 1MiB}. */
  private String show(T value) {
    if (value instanceof Duration) {
      return DurationParser.describe((Duration) value);
    }
    if (value instanceof Long && typeName.equals("size")) {
      return SizeParser.describe((Long) value);
    }
    return String.valueOf(value);
  }

  /** The sentences that end every refusal of a constrained option: what it must be, the fix. */
  private String constraintHint() {
    T example = defaultValue != null ? defaultValue : min != null ? min : max;
    String hint = "Must be " + allowed()
        + (example == null || !choices.isEmpty() ? "." : ", such as " + show(example) + ".");
    return hint + " Set such a value, or unset " + name
        + (defaultValue == null ? "." : " for the default " + show(defaultValue) + ".");
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
    T value;
    try {
      value = parser.apply(raw);
    } catch (IllegalArgumentException e) {
      throw invalid(raw, source, isConstrained() ? constraintHint() : e.getMessage());
    }
    if (!inRange(value)) {
      throw invalid(raw, source, constraintHint());
    }
    try {
      check.accept(value);
    } catch (IllegalArgumentException e) {
      throw invalid(raw, source, e.getMessage());
    }
    return value;
  }

  /** The one shape of every refused value: the key, the value (masked), its source, the hint. */
  private ConfigurationException invalid(String raw, String source, String hint) {
    // The hints never quote the value; the value is masked here.
    String shown = secret ? SecretMasking.MASK : SecretMasking.mask(name, raw);
    String from = source == null ? "" : " (from " + source + ")";
    return new ConfigurationException(
        "Invalid value for " + name + "=" + shown + from + ". " + hint);
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
