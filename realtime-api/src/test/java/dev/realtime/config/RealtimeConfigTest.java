package dev.realtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealtimeConfigTest {
  private static final ConfigOption<String> VALUE =
      ConfigOption.string("realtime.test.value", "from-default", "A test value.");
  private static final ConfigOption<String> BOOTSTRAP_SERVERS = ConfigOption
      .string("realtime.kafka.bootstrap-servers", null, "Kafka brokers to connect to, host:port.")
      .withEnvironmentAlias("KAFKA_BROKERS");
  private static final ConfigOption<Duration> LINGER =
      ConfigOption.duration("realtime.kafka.linger", Duration.ZERO, "How long to batch.");
  private static final ConfigOption<Map<String, String>> PRODUCER =
      ConfigOption.prefix("realtime.kafka.producer.", "Passed to the Kafka producer.");

  @TempDir
  Path dir;

  private Path file(String... lines) throws IOException {
    Path file = dir.resolve("realtime-" + System.nanoTime() + ".properties");
    Files.write(file, List.of(lines), StandardCharsets.UTF_8);
    return file;
  }

  /** A builder that reads nothing from this JVM, so tests do not depend on the machine. */
  private RealtimeConfig.Builder isolated() throws IOException {
    return RealtimeConfig.builder()
        .propertiesFile(file())
        .environment(Map.of())
        .systemProperties(Map.of());
  }

  @Test
  void eachLayerOverridesTheOnesBelowIt() throws IOException {
    Path file = file("realtime.test.value=from-file");
    Map<String, String> env = Map.of("REALTIME_TEST_VALUE", "from-env");
    Map<String, String> props = Map.of("realtime.test.value", "from-sysprop");

    RealtimeConfig none = isolated().build();
    RealtimeConfig fromFile = isolated().propertiesFile(file).build();
    RealtimeConfig fromEnv = isolated().propertiesFile(file).environment(env).build();
    RealtimeConfig fromProps =
        isolated().propertiesFile(file).environment(env).systemProperties(props).build();
    RealtimeConfig fromCode = fromProps.newBuilder().set("realtime.test.value", "from-code")
        .build();

    assertThat(none.get(VALUE)).isEqualTo("from-default");
    assertThat(none.sourceOf(VALUE)).isEqualTo("default");
    assertThat(none.sourceOf("realtime.test.value")).isEqualTo("unset");
    assertThat(fromFile.get(VALUE)).isEqualTo("from-file");
    assertThat(fromFile.sourceOf("realtime.test.value"))
        .isEqualTo("properties file " + file.toAbsolutePath());
    assertThat(fromEnv.get(VALUE)).isEqualTo("from-env");
    assertThat(fromEnv.sourceOf("realtime.test.value"))
        .isEqualTo("environment variable REALTIME_TEST_VALUE");
    assertThat(fromProps.get(VALUE)).isEqualTo("from-sysprop");
    assertThat(fromProps.sourceOf(VALUE)).isEqualTo("system property realtime.test.value");
    assertThat(fromCode.get(VALUE)).isEqualTo("from-code");
    assertThat(fromCode.sourceOf(VALUE)).isEqualTo("code");
    assertThat(fromCode.getString("realtime.test.value")).contains("from-code");
    RealtimeConfig fromTool = fromProps.newBuilder()
        .set("realtime.test.value", "from-flag", "--set realtime.test.value").build();
    assertThat(fromTool.get(VALUE)).isEqualTo("from-flag");
    assertThat(fromTool.sourceOf(VALUE)).isEqualTo("--set realtime.test.value");
  }

  @Test
  void newBuilderKeepsEveryLayerAndEarlierCodeValues() throws IOException {
    RealtimeConfig base = isolated()
        .propertiesFile(file("realtime.a=file"))
        .environment(Map.of("REALTIME_B", "env"))
        .systemProperties(Map.of("realtime.c", "prop"))
        .set("realtime.d", "code")
        .build();

    RealtimeConfig derived = base.newBuilder().set("realtime.e", "more").build();

    assertThat(derived.keys())
        .containsExactly("realtime.a", "realtime.b", "realtime.c", "realtime.d", "realtime.e");
    assertThat(derived.sourceOf("realtime.a")).startsWith("properties file ");
    assertThat(base.keys()).doesNotContain("realtime.e");
  }

  @Test
  void environmentVariableNamesMapToKeys() throws IOException {
    RealtimeConfig config = isolated()
        .environment(Map.of(
            "REALTIME_KAFKA_BOOTSTRAP_SERVERS", "k1:9092",
            "BROKER", "ignored: no REALTIME_ prefix",
            "realtime_broker", "ignored: lowercase prefix",
            "REALTIME_", "ignored: no name"))
        .systemProperties(Map.of("broker", "ignored", "java.version", "ignored"))
        .build();

    assertThat(config.get(BOOTSTRAP_SERVERS)).isEqualTo("k1:9092");
    assertThat(config.getString("realtime.kafka.bootstrap-servers")).contains("k1:9092");
    assertThat(config.getString("REALTIME_KAFKA_BOOTSTRAP_SERVERS")).contains("k1:9092");
    assertThat(config.getString("realtime.kafka.bootstrap_servers")).contains("k1:9092");
    assertThat(config.keys()).containsExactly("realtime.kafka.bootstrap.servers");
    assertThat(config.get(RealtimeOptions.BROKER)).isEqualTo("memory");
    assertThat(config.getString("broker")).isEmpty();
  }

  @Test
  void keysFromFileAndCodeMeetWhateverTheirSpelling() throws IOException {
    RealtimeConfig config = isolated()
        .propertiesFile(file("Realtime.Kafka.Bootstrap_Servers=k1:9092"))
        .build();

    assertThat(config.get(BOOTSTRAP_SERVERS)).isEqualTo("k1:9092");
  }

  @Test
  void seedAliasIsReadWhenNoRealtimeVariableIsSet() throws IOException {
    RealtimeConfig config = isolated()
        .propertiesFile(file("realtime.kafka.bootstrap-servers=from-file:9092"))
        .environment(Map.of("KAFKA_BROKERS", "seed:9092"))
        .build();

    assertThat(config.get(BOOTSTRAP_SERVERS)).isEqualTo("seed:9092");
    assertThat(config.sourceOf(BOOTSTRAP_SERVERS)).isEqualTo("environment variable KAFKA_BROKERS");
    // A key alone knows no alias.
    assertThat(config.getString("realtime.kafka.bootstrap-servers")).contains("from-file:9092");
    assertThat(config.keys()).containsExactly("realtime.kafka.bootstrap.servers");
  }

  @Test
  void canonicalVariableBeatsTheAliasAndSystemPropertiesBeatBoth() throws IOException {
    Map<String, String> env = Map.of(
        "KAFKA_BROKERS", "seed:9092",
        "REALTIME_KAFKA_BOOTSTRAP_SERVERS", "canonical:9092");

    RealtimeConfig fromEnv = isolated().environment(env).build();
    RealtimeConfig fromProps = isolated().environment(env)
        .systemProperties(Map.of("realtime.kafka.bootstrap-servers", "prop:9092"))
        .build();

    assertThat(fromEnv.get(BOOTSTRAP_SERVERS)).isEqualTo("canonical:9092");
    assertThat(fromEnv.sourceOf(BOOTSTRAP_SERVERS))
        .isEqualTo("environment variable REALTIME_KAFKA_BOOTSTRAP_SERVERS");
    assertThat(fromProps.get(BOOTSTRAP_SERVERS)).isEqualTo("prop:9092");
  }

  @Test
  void blankValuesCountAsUnset() throws IOException {
    RealtimeConfig config = isolated()
        .propertiesFile(file("realtime.test.value=from-file"))
        .environment(Map.of("REALTIME_TEST_VALUE", "", "KAFKA_BROKERS", " "))
        .systemProperties(Map.of("realtime.test.value", "  "))
        .build();

    assertThat(config.get(VALUE)).isEqualTo("from-file");
    assertThat(config.get(BOOTSTRAP_SERVERS)).isNull();
    assertThat(config.newBuilder().set("realtime.test.value", "").build().get(VALUE))
        .isEqualTo("from-file");
  }

  @Test
  void prefixOptionsPassEveryLayerThrough() throws IOException {
    RealtimeConfig config = isolated()
        .propertiesFile(file(
            "realtime.kafka.producer.compression.type=gzip",
            "realtime.kafka.producer.acks=1",
            "realtime.kafka.producer.batch.size=16384"))
        .environment(Map.of(
            "REALTIME_KAFKA_PRODUCER_LINGER_MS", "5",
            "REALTIME_KAFKA_PRODUCER_COMPRESSION_TYPE", "zstd"))
        .systemProperties(Map.of("realtime.kafka.producer.acks", "all"))
        .set("realtime.kafka.producer.client.id", "app")
        .set("realtime.kafka.consumer.group.id", "not-the-producer")
        .set("realtime.kafka.producer.", "no sub-key, not passed")
        .build();

    assertThat(config.get(PRODUCER)).containsExactly(
        Map.entry("acks", "all"),
        Map.entry("batch.size", "16384"),
        Map.entry("client.id", "app"),
        Map.entry("compression.type", "zstd"),
        Map.entry("linger.ms", "5"));
    assertThat(config.sourceOf(PRODUCER)).isEqualTo("code, system property"
        + " realtime.kafka.producer.acks, environment variable"
        + " REALTIME_KAFKA_PRODUCER_COMPRESSION_TYPE, environment variable"
        + " REALTIME_KAFKA_PRODUCER_LINGER_MS, properties file "
        + config.sourceOf("realtime.kafka.producer.batch.size").substring(16));
    assertThat(RealtimeConfig.of(Map.of()).get(PRODUCER)).isEmpty();
    assertThat(RealtimeConfig.of(Map.of()).sourceOf(PRODUCER)).isEqualTo("default");
  }

  @Test
  void prefixSubKeysKeepTheSpellingOfTheWinningLayer() throws IOException {
    RealtimeConfig config = isolated()
        .propertiesFile(file("realtime.kafka.producer.max.in.flight.requests.per.connection=1"))
        .set("realtime.kafka.producer.Max.In.Flight.Requests.Per.Connection", "5")
        .build();

    assertThat(config.get(PRODUCER))
        .containsExactly(Map.entry("Max.In.Flight.Requests.Per.Connection", "5"));
  }

  @Test
  void setsTypedValuesInCode() {
    ConfigOption<Boolean> flag = ConfigOption.bool("realtime.test.flag", false, "d");
    RealtimeConfig config = RealtimeConfig.builder()
        .environment(Map.of())
        .systemProperties(Map.of())
        .set(RealtimeOptions.PUBLISH_TIMEOUT, Duration.ofMillis(1500))
        .set(RealtimeOptions.MAX_PAYLOAD_BYTES, 2048L)
        .set(flag, true)
        .set(PRODUCER, Map.of("acks", "all"))
        .build();

    assertThat(config.get(RealtimeOptions.PUBLISH_TIMEOUT)).isEqualTo(Duration.ofMillis(1500));
    assertThat(config.getString("realtime.publish-timeout")).contains("PT1.5S");
    assertThat(config.get(RealtimeOptions.MAX_PAYLOAD_BYTES)).isEqualTo(2048L);
    assertThat(config.get(flag)).isTrue();
    assertThat(config.get(PRODUCER)).containsExactly(Map.entry("acks", "all"));
  }

  @Test
  void ofUsesOnlyTheGivenValuesAndDefaults() {
    RealtimeConfig config = RealtimeConfig.of(Map.of("realtime.broker", "kafka"));

    assertThat(config.get(RealtimeOptions.BROKER)).isEqualTo("kafka");
    assertThat(config.sourceOf(RealtimeOptions.BROKER)).isEqualTo("code");
    assertThat(config.get(RealtimeOptions.CLOSE_TIMEOUT)).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.keys()).containsExactly("realtime.broker");
  }

  @Test
  void readsRealSystemPropertiesWhenNotReplaced() throws IOException {
    System.setProperty("realtime.test.real-sysprop", "yes");
    try {
      RealtimeConfig config = RealtimeConfig.builder()
          .propertiesFile(file())
          .environment(Map.of())
          .build();

      assertThat(config.getString("realtime.test.real-sysprop")).contains("yes");
      assertThat(config.keys()).allMatch(key -> key.startsWith("realtime."));
    } finally {
      System.clearProperty("realtime.test.real-sysprop");
    }
  }

  @Test
  void loadReadsTheStandardSources() {
    assertThat(RealtimeConfig.load().get(RealtimeOptions.BROKER)).isNotNull();
  }

  @Test
  void readsRealtimePropertiesFromTheContextClassLoader() throws IOException {
    Path classpathDir = Files.createDirectories(dir.resolve("classpath"));
    Files.writeString(classpathDir.resolve("realtime.properties"),
        "realtime.test.value=from-classpath\nrealtime.broker=kafka\n");
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {classpathDir.toUri().toURL()}, null)) {
      thread.setContextClassLoader(loader);

      RealtimeConfig fromClasspath =
          RealtimeConfig.builder().environment(Map.of()).systemProperties(Map.of()).build();
      RealtimeConfig fromFile = RealtimeConfig.builder().environment(Map.of())
          .systemProperties(Map.of())
          .propertiesFile(file("realtime.test.value=from-file"))
          .build();

      assertThat(fromClasspath.get(VALUE)).isEqualTo("from-classpath");
      assertThat(fromClasspath.sourceOf(VALUE)).isEqualTo("classpath realtime.properties");
      // An explicit file replaces the classpath one entirely, not key by key.
      assertThat(fromFile.get(VALUE)).isEqualTo("from-file");
      assertThat(fromFile.get(RealtimeOptions.BROKER)).isEqualTo("memory");
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  @Test
  void missingPropertiesFileNamesThePath() {
    Path missing = dir.resolve("nope.properties");

    assertThatThrownBy(() -> RealtimeConfig.builder().propertiesFile(missing).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Cannot read properties file " + missing.toAbsolutePath()
            + " (NoSuchFileException: " + missing.toAbsolutePath() + "). Check that the file"
            + " exists, is readable and is UTF-8 properties, or do not pass it to"
            + " RealtimeConfig.Builder.propertiesFile().");
  }

  @Test
  void malformedPropertiesFileNamesThePath() throws IOException {
    Path bad = file("realtime.test.value=\\uZZZZ");

    assertThatThrownBy(() -> isolated().propertiesFile(bad).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("Cannot read properties file " + bad.toAbsolutePath() + " (");
  }

  @Test
  void twoSpellingsOfOneKeyInOneSourceAreRefused() throws IOException {
    assertThatThrownBy(() -> isolated()
        .systemProperties(Map.of("realtime.a-b", "1", "realtime.a.b", "2"))
        .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Settings realtime.a-b and realtime.a.b in system properties name the same"
            + " setting (case, '-', '_' and '.' do not tell keys apart). Keep one of them.");
  }

  @Test
  void laterCodeValuesReplaceEarlierOnesInAnySpelling() {
    RealtimeConfig config = RealtimeConfig.builder().environment(Map.of())
        .systemProperties(Map.of())
        .set("realtime.test.value", "first")
        .set("REALTIME_TEST_VALUE", "second")
        .build();

    assertThat(config.get(VALUE)).isEqualTo("second");
  }

  @Test
  void parseErrorsNameTheSource() throws IOException {
    RealtimeConfig config = isolated()
        .environment(Map.of("REALTIME_KAFKA_LINGER", "abc"))
        .build();

    assertThatThrownBy(() -> config.get(LINGER))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Invalid value for realtime.kafka.linger=abc (from environment variable"
            + " REALTIME_KAFKA_LINGER). Must be a duration such as 500ms, 10s or PT0.5S.");
  }

  @Test
  void requireReturnsValuesAndDefaults() {
    RealtimeConfig config = RealtimeConfig.of(Map.of("realtime.kafka.bootstrap-servers", "k:1"));

    assertThat(config.require(BOOTSTRAP_SERVERS)).isEqualTo("k:1");
    assertThat(config.require(RealtimeOptions.BROKER)).isEqualTo("memory");
  }

  @Test
  void requireExplainsHowToSetAMissingValue() {
    ConfigOption<String> region =
        ConfigOption.string("realtime.test.region", null, "The region to publish in.");

    assertThatThrownBy(() -> RealtimeConfig.of(Map.of()).require(region))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Missing required setting realtime.test.region: The region to publish in."
            + " Set it in realtime.properties, as REALTIME_TEST_REGION, or as"
            + " -Drealtime.test.region=...");
    assertThatThrownBy(() -> RealtimeConfig.of(Map.of()).require(BOOTSTRAP_SERVERS))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Missing required setting realtime.kafka.bootstrap-servers: Kafka brokers to"
            + " connect to, host:port. Set it in realtime.properties, as"
            + " REALTIME_KAFKA_BOOTSTRAP_SERVERS (or KAFKA_BROKERS), or as"
            + " -Drealtime.kafka.bootstrap-servers=...");
    assertThat(RealtimeConfig.of(Map.of()).sourceOf(region)).isEqualTo("unset");
  }

  @Test
  void validateAcceptsKnownKeysAndKeysUnderKnownPrefixes() throws IOException {
    RealtimeConfig config = isolated()
        .propertiesFile(file("realtime.broker=kafka", "realtime.kafka.producer.acks=all"))
        .environment(Map.of("REALTIME_KAFKA_BOOTSTRAP_SERVERS", "k:1"))
        .systemProperties(Map.of("realtime.publish-timeout", "5s"))
        .set("realtime.kafka.linger", "5ms")
        .build();

    assertThatCode(() -> config.validate(known())).doesNotThrowAnyException();
  }

  private static List<ConfigOption<?>> known() {
    return List.of(RealtimeOptions.BROKER, RealtimeOptions.MAX_PAYLOAD_BYTES,
        RealtimeOptions.PUBLISH_TIMEOUT, RealtimeOptions.CLOSE_TIMEOUT, BOOTSTRAP_SERVERS, LINGER,
        PRODUCER);
  }

  @Test
  void unknownEnvironmentVariableSuggestsTheNearestKey() throws IOException {
    RealtimeConfig config = isolated().environment(Map.of("REALTIME_BROKR", "kafka")).build();

    assertThatThrownBy(() -> config.validate(RealtimeOptions.all()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Unknown setting realtime.brokr (from environment variable REALTIME_BROKR)."
            + " Did you mean realtime.broker?");
  }

  @Test
  void unknownKeysFromEveryLayerAreListedTogether() throws IOException {
    Path file = file("realtime.max-payload-byte=1MiB", "broker=kafka");
    RealtimeConfig config = isolated()
        .propertiesFile(file)
        .environment(Map.of("REALTIME_KAFKA_BOOTSTRAP_SERVRS", "k:1"))
        .systemProperties(Map.of("realtime.publish-timout", "5s"))
        .set("realtime.kafka.producr.acks", "all")
        .set("realtime.different", "x")
        .set("app.name", "demo")
        .build();
    String source = "properties file " + file.toAbsolutePath();

    assertThatThrownBy(() -> config.validate(known()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("7 unknown settings:\n"
            + "  Unknown setting broker (from " + source + ")."
            + " Did you mean realtime.broker?\n"
            + "  Unknown setting realtime.max-payload-byte (from " + source + ")."
            + " Did you mean realtime.max-payload-bytes?\n"
            + "  Unknown setting realtime.kafka.bootstrap.servrs (from environment variable"
            + " REALTIME_KAFKA_BOOTSTRAP_SERVRS). Did you mean realtime.kafka.bootstrap-servers?\n"
            + "  Unknown setting realtime.publish-timout (from system property"
            + " realtime.publish-timout). Did you mean realtime.publish-timeout?\n"
            + "  Unknown setting app.name (from code). Settings start with realtime.; rename or"
            + " remove it.\n"
            + "  Unknown setting realtime.different (from code). Rename it to a"
            + " declared setting or remove it.\n"
            + "  Unknown setting realtime.kafka.producr.acks (from code)."
            + " Did you mean realtime.kafka.producer.acks?");
  }

  @Test
  void adapterFamiliesAreIgnoredWhileTheAdapterIsAbsent() throws IOException {
    RealtimeConfig config = isolated()
        .propertiesFile(file("realtime.redis.uri=redis://localhost"))
        .environment(Map.of(
            "REALTIME_KAFKA_BOOTSTRAP_SERVERS", "k:1",
            "REALTIME_RABBITMQ_URI", "amqp://localhost"))
        .systemProperties(Map.of("realtime.kafka.producer.acks", "all",
            // The testkit's switch, set on a build that also runs the application's tests.
            "realtime.conformance.report", "../docs/conformance.md"))
        .build();

    assertThatCode(() -> config.validate(RealtimeOptions.all())).doesNotThrowAnyException();
    // Once an option of the family is known, its typos are reported again.
    assertThatThrownBy(() -> config.validate(List.of(RealtimeOptions.BROKER,
        ConfigOption.string("realtime.redis.url", null, "Redis URL."))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Unknown setting realtime.redis.uri (from properties file "
            + config.sourceOf("realtime.redis.uri").substring(16) + ")."
            + " Did you mean realtime.redis.url?");
  }

  @Test
  void anyFamilyThatNothingDeclaresIsIgnoredUnlessANearMiss() throws IOException {
    // A third-party adapter's family gets what this project's adapters get: a shared
    // environment's REALTIME_NATS_URL does not break an application without that adapter.
    RealtimeConfig config = isolated()
        .environment(Map.of("REALTIME_NATS_URL", "nats://localhost",
            "REALTIME_MEMORY_MAX_MESSAGES", "5"))
        .build();
    ConfigOption<Integer> maxMessages =
        ConfigOption.integer("realtime.memory.max-messages-per-channel", 1, "Kept.");

    assertThatCode(() -> config.validate(RealtimeOptions.all())).doesNotThrowAnyException();
    assertThatThrownBy(() -> config.validate(List.of(RealtimeOptions.BROKER, maxMessages)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("Unknown setting realtime.memory.max.messages (from environment"
            + " variable REALTIME_MEMORY_MAX_MESSAGES).");
  }

  @Test
  void aFormerNameIsReportedAsRenamedWithTheNewName() throws IOException {
    ConfigOption<Duration> timeout = ConfigOption.duration("realtime.test.timeout",
        Duration.ofSeconds(10), "Waits.").withFormerName("realtime.test.connect-timeout");
    ConfigOption<Map<String, String>> client = ConfigOption.prefix("realtime.test.client.",
        "Passed on.").withFormerName("realtime.test.common.");
    RealtimeConfig config = isolated()
        .environment(Map.of("REALTIME_TEST_CONNECT_TIMEOUT", "5s"))
        .set("realtime.test.common.acks", "all")
        .build();

    assertThatThrownBy(() -> config.validate(List.of(timeout, client)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("2 unknown settings:\n"
            + "  Setting realtime.test.connect.timeout (from environment variable"
            + " REALTIME_TEST_CONNECT_TIMEOUT) was renamed to realtime.test.timeout: rename it"
            + " (environment variable REALTIME_TEST_TIMEOUT).\n"
            + "  Setting realtime.test.common.acks (from code) was renamed to"
            + " realtime.test.client.acks: rename it (environment variable"
            + " REALTIME_TEST_CLIENT_ACKS).");
  }

  @Test
  void toStringListsEffectiveSettingsOnePerLine() throws IOException {
    RealtimeConfig config = isolated()
        .propertiesFile(file("realtime.broker=redis", "realtime.max-payload-bytes=2MiB"))
        .environment(Map.of("REALTIME_BROKER", "kafka"))
        .set("realtime.Publish-Timeout", "5s")
        .build();

    assertThat(config).hasToString(
        "realtime.broker=kafka (environment variable REALTIME_BROKER)\n"
            + "realtime.max-payload-bytes=2MiB (" + config.sourceOf("realtime.max-payload-bytes")
            + ")\n"
            + "realtime.publish-timeout=5s (code)");
    assertThat(RealtimeConfig.of(Map.of()))
        .hasToString("(no settings: every option uses its default)");
  }

  @Test
  void toStringMasksSecrets() throws IOException {
    ConfigOption.string("realtime.test.innocent-name", null, "A secret by declaration.").secret();
    RealtimeConfig config = isolated()
        .propertiesFile(file(
            "realtime.kafka.producer.sasl.jaas.config=org.Plain required password=\"jaas-pw\";",
            "realtime.redis.password=redis-pw"))
        .environment(Map.of(
            "REALTIME_SERVICE_API_KEY", "api-key-value",
            "REALTIME_RABBITMQ_URI", "amqp://guest:amqp-pw@host:5672/vhost"))
        .systemProperties(Map.of(
            "realtime.auth.access-token", "token-value",
            "realtime.redis.uri", "redis://:redis-uri-pw@host:6379,rediss://user:tls-pw@h2"))
        .set("realtime.test.innocent-name", "declared-value")
        .set("realtime.aws.secretKey", "aws-secret")
        .set("realtime.db.credentials", "cred-value")
        .set("realtime.broker", "rabbitmq")
        .build();

    String shown = config.toString();

    assertThat(shown).doesNotContain("jaas-pw", "redis-pw", "api-key-value", "amqp-pw",
        "token-value", "redis-uri-pw", "tls-pw", "declared-value", "aws-secret", "cred-value");
    assertThat(shown.split("\n")).contains(
        "realtime.service.api.key=****** (environment variable REALTIME_SERVICE_API_KEY)",
        "realtime.rabbitmq.uri=amqp://guest:******@host:5672/vhost"
            + " (environment variable REALTIME_RABBITMQ_URI)",
        "realtime.redis.uri=redis://:******@host:6379,rediss://user:******@h2"
            + " (system property realtime.redis.uri)",
        "realtime.test.innocent-name=****** (code)",
        "realtime.broker=rabbitmq (code)");
  }

  @Test
  void parseErrorsOfSecretsNameTheSourceButNotTheValue() {
    ConfigOption<Integer> port = ConfigOption.integer("realtime.test.secret-port", null, "d");
    ConfigOption<Integer> declared =
        ConfigOption.integer("realtime.test.plain-looking", null, "d").secret();
    RealtimeConfig config = RealtimeConfig.builder()
        .environment(Map.of("REALTIME_TEST_SECRET_PORT", "hunter2"))
        .systemProperties(Map.of("realtime.test.plain-looking", "hunter3"))
        .build();

    assertThatThrownBy(() -> config.get(port))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Invalid value for realtime.test.secret-port=****** (from environment"
            + " variable REALTIME_TEST_SECRET_PORT). Must be a whole number between -2147483648"
            + " and 2147483647, such as 8.");
    assertThatThrownBy(() -> config.get(declared))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageNotContaining("hunter3")
        .hasMessageStartingWith("Invalid value for realtime.test.plain-looking=****** (from"
            + " system property realtime.test.plain-looking).");
  }

  @Test
  void setRejectsBlankKeys() {
    assertThatThrownBy(() -> RealtimeConfig.builder().set(" ", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Setting key is blank; use an option name such as realtime.broker.");
  }
}
