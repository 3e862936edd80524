package dev.realtime.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Layered, immutable configuration. Each option is read from the following sources; a source
 * lower in this list overrides those above it:
 *
 * <ol>
 *   <li>the option's {@linkplain ConfigOption#defaultValue() default};
 *   <li>a properties file: {@code realtime.properties} on the classpath (looked up with the
 *       thread's context class loader, then with the class loader of this library), or the file
 *       given to {@link Builder#propertiesFile(Path)}, which replaces the classpath one;
 *   <li>environment variables: those starting with {@code REALTIME_}, and the {@linkplain
 *       ConfigOption#environmentAliases() aliases} an option declares, such as {@code
 *       KAFKA_BROKERS}; the {@code REALTIME_} variable wins over an alias;
 *   <li>system properties starting with {@code realtime.};
 *   <li>values set in code with {@link Builder#set(String, String)}.
 * </ol>
 *
 * <p>Keys are normalised so the sources meet: lowercased, with {@code _} and {@code -} both read
 * as {@code .}. So {@code realtime.kafka.bootstrap-servers} in a file, the environment variable
 * {@code REALTIME_KAFKA_BOOTSTRAP_SERVERS} and {@code -Drealtime.kafka.bootstrap-servers} are one
 * setting. A blank value counts as unset, as in OpenTelemetry, so {@code REALTIME_BROKER=} left
 * by an unfilled deployment template does not override the file or the default.
 *
 * <p>The sources are read once, when the configuration is built: later changes to system
 * properties or to the file are not seen. Instances are immutable and safe to share between
 * threads; {@link #newBuilder()} derives a changed copy.
 *
 * <p>Secrets never leave this class in clear: {@link #toString()} and every exception message
 * show {@code ******} for values of options declared {@linkplain ConfigOption#secret() secret}
 * and of keys with a part that names a credential ({@code password}, {@code passwd}, {@code
 * secret}, {@code token}, {@code credential}, {@code apikey}, {@code api-key}) or that end in
 * {@code sasl.jaas.config}, and hide the password in any URI, such as {@code
 * amqp://guest:******@host:5672/vhost}. Every part of a key is searched, because environment
 * variables lose the dashes that make {@code secret-key} one part.
 */
public final class RealtimeConfig {
  private final Layer file;
  private final Layer environment;
  private final Layer systemProperties;
  private final Layer code;
  /** All of them, because an option's aliases are only known when it is read. */
  private final Map<String, String> environmentVariables;
  /** Only the {@code realtime.} ones, kept for {@link #newBuilder()}. */
  private final Map<String, String> systemPropertyValues;
  private final List<Layer> lowestFirst;
  private final List<Layer> highestFirst;

  private RealtimeConfig(Layer file, Map<String, String> environmentVariables,
      Map<String, String> systemPropertyValues, Collection<Setting> codeSettings) {
    this.file = file;
    this.environmentVariables = Map.copyOf(environmentVariables);
    this.systemPropertyValues = Map.copyOf(systemPropertyValues);
    this.environment = environmentLayer(this.environmentVariables);
    this.systemProperties = systemPropertiesLayer(this.systemPropertyValues);
    this.code = Layer.of(codeSettings, "code");
    this.lowestFirst = List.of(file, environment, systemProperties, code);
    this.highestFirst = List.of(code, systemProperties, environment, file);
  }

  private static Layer environmentLayer(Map<String, String> variables) {
    List<Setting> settings = new ArrayList<>();
    for (Map.Entry<String, String> variable : variables.entrySet()) {
      String name = variable.getKey();
      if (name.startsWith(KeyNames.ENVIRONMENT_PREFIX)
          && name.length() > KeyNames.ENVIRONMENT_PREFIX.length()) {
        settings.add(Setting.of(KeyNames.fromEnvironmentVariable(name), variable.getValue(),
            "environment variable " + name));
      }
    }
    return Layer.of(settings, "the environment");
  }

  private static Layer systemPropertiesLayer(Map<String, String> properties) {
    List<Setting> settings = new ArrayList<>();
    for (Map.Entry<String, String> property : properties.entrySet()) {
      settings.add(Setting.of(property.getKey(), property.getValue(),
          "system property " + property.getKey()));
    }
    return Layer.of(settings, "system properties");
  }

  private static Map<String, String> realtimeOnly(Map<String, String> properties) {
    Map<String, String> result = new HashMap<>();
    properties.forEach((key, value) -> {
      if (KeyNames.normalise(key).startsWith(KeyNames.PREFIX)) {
        result.put(key, value);
      }
    });
    return result;
  }

  /**
   * Reads the standard sources: {@code realtime.properties} on the classpath, the environment
   * and system properties. Same as {@code builder().build()}.
   *
   * @throws ConfigurationException if {@code realtime.properties} exists but cannot be read, or
   *     a source spells one key two ways (such as {@code realtime.a-b} and {@code realtime.a.b})
   */
  public static RealtimeConfig load() {
    return builder().build();
  }

  /**
   * Returns a configuration of the option defaults and these values only, ignoring the
   * properties file, the environment and system properties; for tests and for applications that
   * bring their own configuration system. The values count as set in code.
   */
  public static RealtimeConfig of(Map<String, String> values) {
    return new Builder(Layer.EMPTY, Map.of(), Map.of()).setAll(values).build();
  }

  /**
   * Returns a builder that reads the standard sources, as {@link #load()} does, unless told
   * otherwise.
   */
  public static Builder builder() {
    return new Builder(null, null, null);
  }

  /**
   * Returns a builder holding this configuration's sources as already read, including values set
   * in code, so that more values can be set in code on top.
   */
  public Builder newBuilder() {
    Builder builder = new Builder(file, environmentVariables, systemPropertyValues);
    for (Setting setting : code.settings()) {
      builder.code.put(setting.normalisedKey(), setting);
    }
    return builder;
  }

  /**
   * Returns the value of {@code option} from the highest source that sets it, parsed, else its
   * default. For a {@linkplain ConfigOption#isPrefix() prefix option} returns every key under the
   * prefix, with the prefix removed, merged from all sources: a higher source wins per key, and
   * keys are spelled as that source wrote them ({@code
   * REALTIME_KAFKA_PRODUCER_COMPRESSION_TYPE} gives {@code compression.type}).
   *
   * @return the value; null when no source sets it and the option has no default (see {@link
   *     #require(ConfigOption)}); never null for a prefix option
   * @throws ConfigurationException if the value does not parse as the option's type
   */
  public <T> T get(ConfigOption<T> option) {
    Objects.requireNonNull(option, "option == null");
    if (option.isPrefix()) {
      @SuppressWarnings("unchecked") // Prefix options are ConfigOption<Map<String, String>>.
      T passthrough = (T) passthrough(option);
      return passthrough;
    }
    Setting setting = resolve(option);
    return setting == null
        ? option.defaultValue()
        : option.parse(setting.value(), setting.source());
  }

  /**
   * Returns the value of {@code option} as {@link #get(ConfigOption)} does, refusing to go on
   * without one.
   *
   * @throws ConfigurationException if no source sets it and it has no default (the message says
   *     how to set it), or if the value does not parse
   */
  public <T> T require(ConfigOption<T> option) {
    T value = get(option);
    if (value == null) {
      String aliases = option.environmentAliases().isEmpty()
          ? ""
          : " (or " + String.join(" or ", option.environmentAliases()) + ")";
      throw new ConfigurationException("Missing required setting " + option.name() + ": "
          + withoutFinalPeriod(option.description()) + ". Set it in "
          + PropertiesFiles.CLASSPATH_NAME + ", as " + option.environmentVariable() + aliases
          + ", or as -D" + option.name() + "=...");
    }
    return value;
  }

  /**
   * Returns the raw value of a key from the highest source that sets it. The key is normalised,
   * so {@code realtime.kafka.bootstrap-servers} also finds {@code
   * REALTIME_KAFKA_BOOTSTRAP_SERVERS}. Defaults and environment aliases are not consulted: they
   * belong to options, so use {@link #get(ConfigOption)} for those.
   */
  public Optional<String> getString(String key) {
    Setting setting = find(KeyNames.normalise(Objects.requireNonNull(key, "key == null")));
    return setting == null ? Optional.empty() : Optional.of(setting.value());
  }

  /**
   * Describes where the value of a key comes from: {@code classpath realtime.properties}, {@code
   * properties file /path}, {@code environment variable REALTIME_X}, {@code system property
   * realtime.x}, {@code code}, or {@code unset}. A key knows no default or alias; use {@link
   * #sourceOf(ConfigOption)} to also see {@code default} and aliases.
   */
  public String sourceOf(String key) {
    Setting setting = find(KeyNames.normalise(Objects.requireNonNull(key, "key == null")));
    return setting == null ? "unset" : setting.source();
  }

  /**
   * Describes where the value of {@code option} comes from, as {@link #sourceOf(String)} does,
   * also naming an environment alias that supplied it, or {@code default} when no source sets it
   * and it has a default. For a prefix option names every contributing source, highest first,
   * separated by {@code ", "}.
   */
  public String sourceOf(ConfigOption<?> option) {
    Objects.requireNonNull(option, "option == null");
    if (option.isPrefix()) {
      Set<String> sources = new LinkedHashSet<>();
      for (Layer layer : highestFirst) {
        for (Setting setting : layer.settings()) {
          if (isUnder(setting.normalisedKey(), option.normalisedName())) {
            sources.add(setting.source());
          }
        }
      }
      return sources.isEmpty() ? "default" : String.join(", ", sources);
    }
    Setting setting = resolve(option);
    return setting != null ? setting.source() : option.hasDefault() ? "default" : "unset";
  }

  /**
   * Returns the normalised keys set in any source (lowercase, {@code _} and {@code -} read as
   * {@code .}), sorted. Environment aliases are not included: they are only read for an option.
   */
  public Set<String> keys() {
    Set<String> keys = new TreeSet<>();
    for (Layer layer : lowestFirst) {
      for (Setting setting : layer.settings()) {
        keys.add(setting.normalisedKey());
      }
    }
    return Collections.unmodifiableSet(keys);
  }

  /**
   * Checks that every key set in the properties file, in {@code REALTIME_} environment variables,
   * in {@code realtime.} system properties and in code is one of {@code known} or sits under a
   * known prefix option, so a misspelt setting fails at startup instead of being silently
   * ignored. A key in the file or in code that does not start with {@code realtime.} is unknown
   * too.
   *
   * <p>A key of a family that no option in {@code known} has, such as {@code realtime.nats.url}
   * with no {@code realtime.nats.*} option, is skipped unless it is a near miss of a known key:
   * it belongs to a module that is not on the classpath (an adapter, the testkit's {@code
   * realtime.conformance.*} switches), and a {@code REALTIME_KAFKA_…} variable in a shared
   * environment must not break an application that runs on another broker. A key of an option's
   * {@linkplain ConfigOption#withFormerName(String) former name} is reported as renamed, with
   * the new name.
   *
   * @param known every option the application and its adapters declare, such as {@link
   *     RealtimeOptions#all()} plus the adapters' options
   * @throws ConfigurationException listing every unknown or renamed key with its source and,
   *     when one is close enough, the known key it probably meant, such as {@code Unknown setting
   *     realtime.brokr (from environment variable REALTIME_BROKR). Did you mean realtime.broker?}
   */
  public void validate(Collection<? extends ConfigOption<?>> known) {
    Objects.requireNonNull(known, "known == null");
    Set<String> exact = new HashSet<>();
    List<String> prefixes = new ArrayList<>();
    Set<String> families = new HashSet<>();
    Map<String, ConfigOption<?>> formerNames = new HashMap<>();
    for (ConfigOption<?> option : known) {
      (option.isPrefix() ? prefixes : exact).add(option.normalisedName());
      families.add(family(option.normalisedName()));
      for (String former : option.formerNames()) {
        formerNames.put(KeyNames.normalise(former), option);
      }
    }
    List<String> problems = new ArrayList<>();
    for (Layer layer : lowestFirst) {
      for (Setting setting : layer.settings()) {
        String key = setting.normalisedKey();
        if (exact.contains(key) || prefixes.stream().anyMatch(prefix -> isUnder(key, prefix))) {
          continue;
        }
        String renamed = renamed(setting, formerNames);
        if (renamed != null) {
          problems.add(renamed);
          continue;
        }
        String suggestion = KeySuggestions.suggest(setting.key(), known);
        // A family nothing here declares belongs to a module that is not on the classpath (an
        // adapter, the testkit): its keys are not this application's to check, unless one is a
        // near miss of a known key.
        if (suggestion != null || !isForeign(key, families)) {
          problems.add(unknown(setting, suggestion));
        }
      }
    }
    if (problems.size() == 1) {
      throw new ConfigurationException(problems.get(0));
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(
          problems.size() + " unknown settings:\n  " + String.join("\n  ", problems));
    }
  }

  private static String unknown(Setting setting, String suggestion) {
    String line = "Unknown setting " + setting.key() + " (from " + setting.source() + ").";
    if (suggestion != null) {
      return line + " Did you mean " + suggestion + "?";
    }
    if (!setting.normalisedKey().startsWith(KeyNames.PREFIX)) {
      return line + " Settings start with realtime.; rename or remove it.";
    }
    return line + " Rename it to a declared setting or remove it.";
  }

  /** The message for a setting of an option's former name, or null if it is none. */
  private static String renamed(Setting setting, Map<String, ConfigOption<?>> formerNames) {
    String key = setting.normalisedKey();
    for (Map.Entry<String, ConfigOption<?>> former : formerNames.entrySet()) {
      ConfigOption<?> option = former.getValue();
      String newKey = null;
      if (key.equals(former.getKey())) {
        newKey = option.name();
      } else if (option.isPrefix() && isUnder(key, former.getKey())) {
        newKey = option.name() + setting.key().substring(former.getKey().length());
      }
      if (newKey != null) {
        return "Setting " + setting.key() + " (from " + setting.source() + ") was renamed to "
            + newKey + ": rename it (environment variable "
            + KeyNames.toEnvironmentVariable(newKey) + ").";
      }
    }
    return null;
  }

  /**
   * The first part after {@code realtime.} of a normalised name, such as {@code kafka} in {@code
   * realtime.kafka.partitions} and {@code broker} in {@code realtime.broker}; null for a name
   * outside {@code realtime.}.
   */
  private static String family(String normalisedName) {
    if (!normalisedName.startsWith(KeyNames.PREFIX)) {
      return null;
    }
    int end = normalisedName.indexOf('.', KeyNames.PREFIX.length());
    return normalisedName.substring(KeyNames.PREFIX.length(),
        end < 0 ? normalisedName.length() : end);
  }

  /** True for a key of a family no known option has: three parts or more, the first unknown. */
  private static boolean isForeign(String normalisedKey, Set<String> families) {
    String family = family(normalisedKey);
    return family != null
        && normalisedKey.length() > KeyNames.PREFIX.length() + family.length()
        && !families.contains(family);
  }

  /**
   * Lists every key set in any source, one per line and sorted, in lowercase, with its effective
   * value and source, such as {@code realtime.broker=kafka (environment variable
   * REALTIME_BROKER)}. Secret values are shown as {@code ******} (see the class description), so
   * the result is safe to log. Defaults are not listed.
   */
  @Override
  public String toString() {
    Map<String, Setting> effective = new TreeMap<>();
    for (Layer layer : lowestFirst) {
      for (Setting setting : layer.settings()) {
        effective.put(setting.normalisedKey(), setting);
      }
    }
    if (effective.isEmpty()) {
      return "(no settings: every option uses its default)";
    }
    List<String> lines = new ArrayList<>();
    for (Setting setting : effective.values()) {
      // Escaped so that each setting stays on one line of a log.
      String shown = SecretMasking.mask(setting.key(), setting.value())
          .replace("\r", "\\r")
          .replace("\n", "\\n");
      lines.add(setting.key().toLowerCase(Locale.ROOT) + "=" + shown + " (" + setting.source()
          + ")");
    }
    return String.join("\n", lines);
  }

  private Setting find(String normalisedKey) {
    for (Layer layer : highestFirst) {
      Setting setting = layer.get(normalisedKey);
      if (setting != null) {
        return setting;
      }
    }
    return null;
  }

  /** Like {@link #find}, with the option's environment aliases just below REALTIME_ variables. */
  private Setting resolve(ConfigOption<?> option) {
    String key = option.normalisedName();
    for (Layer layer : List.of(code, systemProperties, environment)) {
      Setting setting = layer.get(key);
      if (setting != null) {
        return setting;
      }
    }
    for (String alias : option.environmentAliases()) {
      String value = environmentVariables.get(alias);
      if (value != null && !value.isBlank()) {
        return Setting.of(option.name(), value, "environment variable " + alias);
      }
    }
    return file.get(key);
  }

  private Map<String, String> passthrough(ConfigOption<?> option) {
    String prefix = option.normalisedName();
    Map<String, Setting> bySubKey = new HashMap<>();
    for (Layer layer : lowestFirst) {
      for (Setting setting : layer.settings()) {
        if (isUnder(setting.normalisedKey(), prefix)) {
          bySubKey.put(setting.normalisedKey().substring(prefix.length()), setting);
        }
      }
    }
    Map<String, String> result = new TreeMap<>();
    for (Setting setting : bySubKey.values()) {
      // Normalising keeps lengths, so the prefix's length also cuts the key as written.
      result.put(setting.key().substring(prefix.length()), setting.value());
    }
    return Collections.unmodifiableMap(result);
  }

  private static boolean isUnder(String normalisedKey, String normalisedPrefix) {
    return normalisedKey.startsWith(normalisedPrefix)
        && normalisedKey.length() > normalisedPrefix.length();
  }

  private static String withoutFinalPeriod(String text) {
    return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
  }

  /**
   * Assembles a {@link RealtimeConfig}. Unless told otherwise it reads the standard sources when
   * {@link #build()} runs. Not thread-safe; the configuration it builds is.
   */
  public static final class Builder {
    /** Null until read by {@link #build()}, unless kept from an existing configuration. */
    private Layer file;
    private Path propertiesFile;
    private Map<String, String> environment;
    private Map<String, String> systemProperties;
    private final Map<String, Setting> code = new LinkedHashMap<>();

    private Builder(Layer file, Map<String, String> environment,
        Map<String, String> systemProperties) {
      this.file = file;
      this.environment = environment;
      this.systemProperties = systemProperties;
    }

    /**
     * Reads this properties file (UTF-8) instead of {@code realtime.properties} from the
     * classpath. The file is read by {@link #build()}.
     */
    public Builder propertiesFile(Path file) {
      this.propertiesFile = Objects.requireNonNull(file, "file == null");
      this.file = null;
      return this;
    }

    /**
     * Uses these environment variables instead of {@link System#getenv()}, for tests. Only names
     * starting with {@code REALTIME_}, and options' aliases, are read.
     */
    public Builder environment(Map<String, String> environment) {
      this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment == null"));
      return this;
    }

    /**
     * Uses these system properties instead of {@link System#getProperties()}, for tests. Only
     * names starting with {@code realtime.} are read.
     */
    public Builder systemProperties(Map<String, String> systemProperties) {
      this.systemProperties = Map.copyOf(
          Objects.requireNonNull(systemProperties, "systemProperties == null"));
      return this;
    }

    /**
     * Sets a value in code, the highest source. Setting a key again, in any spelling that
     * normalises the same, replaces it; a blank value unsets it.
     *
     * @throws IllegalArgumentException if the key is blank
     */
    public Builder set(String key, String value) {
      return set(key, value, "code");
    }

    /**
     * Sets a value in code, as {@link #set(String, String)} does, telling where it came from:
     * {@link #sourceOf} and error messages name {@code source}, such as {@code "--set"} for a
     * tool's command-line option, instead of {@code "code"}.
     *
     * @throws IllegalArgumentException if the key or the source is blank
     */
    public Builder set(String key, String value, String source) {
      Objects.requireNonNull(key, "key == null");
      Objects.requireNonNull(value, "value == null");
      Objects.requireNonNull(source, "source == null");
      if (key.isBlank()) {
        throw new IllegalArgumentException("Setting key is blank; use an option name such as "
            + RealtimeOptions.BROKER.name() + ".");
      }
      if (source.isBlank()) {
        throw new IllegalArgumentException("Setting source is blank; say where " + key
            + " came from, such as \"--set\".");
      }
      code.put(KeyNames.normalise(key), Setting.of(key, value, source));
      return this;
    }

    /**
     * Sets an option in code, stored as the string that the option parses back to {@code
     * value}. For a prefix option, sets each entry under the prefix, keeping other entries.
     *
     * @throws IllegalArgumentException if a prefix option's entry has a blank key
     */
    public <T> Builder set(ConfigOption<T> option, T value) {
      Objects.requireNonNull(option, "option == null");
      Objects.requireNonNull(value, "value == null");
      if (option.isPrefix()) {
        Map<?, ?> entries = (Map<?, ?>) value;
        entries.forEach((subKey, subValue) -> set(option.name() + subKey, (String) subValue));
      } else {
        set(option.name(), option.format(value));
      }
      return this;
    }

    /**
     * Sets every entry in code, as {@link #set(String, String)} does.
     *
     * @throws IllegalArgumentException if a key is blank
     */
    public Builder setAll(Map<String, String> values) {
      Objects.requireNonNull(values, "values == null").forEach(this::set);
      return this;
    }

    /**
     * Reads the sources not given yet and returns the configuration.
     *
     * @throws ConfigurationException if the {@linkplain #propertiesFile(Path) properties file} is
     *     missing, unreadable or malformed (the message names its path), if {@code
     *     realtime.properties} on the classpath is unreadable or malformed, or if a source spells
     *     one key two ways (such as {@code realtime.a-b} and {@code realtime.a.b})
     */
    public RealtimeConfig build() {
      Layer fileLayer = file != null ? file
          : propertiesFile != null ? PropertiesFiles.read(propertiesFile)
          : PropertiesFiles.readClasspath();
      Map<String, String> env = environment != null ? environment : System.getenv();
      Map<String, String> props = systemProperties != null
          ? systemProperties
          : currentSystemProperties();
      return new RealtimeConfig(fileLayer, env, realtimeOnly(props), code.values());
    }

    private static Map<String, String> currentSystemProperties() {
      Properties properties = System.getProperties();
      Map<String, String> result = new HashMap<>();
      for (String name : properties.stringPropertyNames()) {
        String value = properties.getProperty(name);
        if (value != null) {
          result.put(name, value);
        }
      }
      return result;
    }
  }
}
