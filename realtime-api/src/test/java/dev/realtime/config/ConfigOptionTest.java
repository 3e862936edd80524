package dev.realtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigOptionTest {
  private static final ConfigOption<Integer> COUNT =
      ConfigOption.integer("realtime.test.count", 4, "How many.");
  private static final ConfigOption<Boolean> ENABLED =
      ConfigOption.bool("realtime.test.enabled", null, "Whether.");
  private static final ConfigOption<Duration> LINGER =
      ConfigOption.duration("realtime.test.linger", Duration.ofMillis(5), "How long.");
  private static final ConfigOption<Long> BUFFER =
      ConfigOption.size("realtime.test.buffer", 1024L, "How big.");

  @Test
  void exposesWhatWasDeclared() {
    ConfigOption<String> option =
        ConfigOption.string("realtime.kafka.bootstrap-servers", null, "Kafka brokers.");

    assertThat(option.name()).isEqualTo("realtime.kafka.bootstrap-servers");
    assertThat(option.description()).isEqualTo("Kafka brokers.");
    assertThat(option.defaultValue()).isNull();
    assertThat(option.hasDefault()).isFalse();
    assertThat(option.isSecret()).isFalse();
    assertThat(option.isPrefix()).isFalse();
    assertThat(option.environmentAliases()).isEmpty();
    assertThat(option.typeName()).isEqualTo("string");
    assertThat(option).hasToString("realtime.kafka.bootstrap-servers");

    assertThat(COUNT.defaultValue()).isEqualTo(4);
    assertThat(COUNT.hasDefault()).isTrue();
    assertThat(COUNT.typeName()).isEqualTo("integer");
    assertThat(ENABLED.typeName()).isEqualTo("boolean");
    assertThat(LINGER.typeName()).isEqualTo("duration");
    assertThat(BUFFER.typeName()).isEqualTo("size");
  }

  @Test
  void prefixOptionDefaultsToAnEmptyMap() {
    ConfigOption<Map<String, String>> producer =
        ConfigOption.prefix("realtime.kafka.producer.", "Passed to the Kafka producer.");

    assertThat(producer.isPrefix()).isTrue();
    assertThat(producer.typeName()).isEqualTo("map");
    assertThat(producer.defaultValue()).isEmpty();
    assertThat(producer.hasDefault()).isTrue();
    assertThatThrownBy(() -> producer.parse("x"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("prefix option");
    assertThatThrownBy(() -> producer.withEnvironmentAlias("KAFKA_PRODUCER"))
        .isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"kafka.brokers", "realtime", "realtime.", "realtime.Kafka",
      "realtime..x", "realtime.x.", "realtime.x_y", "realtime.-x", "realtime.x-", "Realtime.x",
      "realtime.x y"})
  void rejectsBadNames(String name) {
    assertThatThrownBy(() -> ConfigOption.string(name, null, "d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid option name " + name + ": names start with realtime. and have"
            + " dot-separated parts of lowercase letters, digits and dashes, such as"
            + " realtime.kafka.bootstrap-servers.");
  }

  @Test
  void prefixNamesMustEndWithADot() {
    assertThatThrownBy(() -> ConfigOption.prefix("realtime.kafka.producer", "d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("ending with a dot, such as realtime.kafka.producer..");
  }

  @Test
  void withersReturnNewOptionsAndLeaveTheOriginalAlone() {
    ConfigOption<String> plain = ConfigOption.string("realtime.test.wither", null, "d");
    ConfigOption<String> secret = plain.secret();
    ConfigOption<String> aliased =
        plain.withEnvironmentAlias("KAFKA_BROKERS").withEnvironmentAlias("BROKERS")
            .withEnvironmentAlias("KAFKA_BROKERS");

    assertThat(plain.isSecret()).isFalse();
    assertThat(secret.isSecret()).isTrue();
    assertThat(plain.environmentAliases()).isEmpty();
    assertThat(aliased.environmentAliases()).containsExactly("KAFKA_BROKERS", "BROKERS");
    assertThat(secret).isEqualTo(plain).hasSameHashCodeAs(plain);
    assertThat(aliased).isEqualTo(plain);
    assertThat(plain).isNotEqualTo(ConfigOption.string("realtime.test.other", null, "d"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1BROKERS", "KAFKA-BROKERS", "KAFKA BROKERS"})
  void rejectsBadAliasNames(String alias) {
    assertThatThrownBy(() -> COUNT.withEnvironmentAlias(alias))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid environment variable name " + alias + ": use letters, digits and"
            + " underscores, not starting with a digit, such as KAFKA_BROKERS.");
  }

  @Test
  void rejectsNegativeDefaults() {
    assertThatThrownBy(() -> ConfigOption.duration("realtime.test.d", Duration.ofSeconds(-1), "d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Default of realtime.test.d is negative (PT-1S); durations must be zero or"
            + " more.");
    assertThatThrownBy(() -> ConfigOption.size("realtime.test.s", -1L, "d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Default of realtime.test.s is negative (-1); sizes must be zero or more"
            + " bytes.");
  }

  @Test
  void stringsAreTakenAsGiven() {
    ConfigOption<String> option = ConfigOption.string("realtime.test.s", null, "d");

    assertThat(option.parse(" a b ")).isEqualTo(" a b ");
  }

  @ParameterizedTest
  @CsvSource({"8, 8", "' -1 ', -1", "+3, 3", "2147483647, 2147483647",
      "-2147483648, -2147483648"})
  void parsesIntegers(String raw, int expected) {
    assertThat(COUNT.parse(raw)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "1.5", "2147483648", "", "8 items"})
  void rejectsBadIntegers(String raw) {
    assertThatThrownBy(() -> COUNT.parse(raw))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Invalid value for realtime.test.count=" + raw + ". Must be a whole number"
            + " between -2147483648 and 2147483647, such as 8.");
  }

  @ParameterizedTest
  @CsvSource({"true, true", "TRUE, true", "yes, true", "Yes, true", "1, true", "false, false",
      "False, false", "no, false", "NO, false", "0, false", "' true ', true"})
  void parsesBooleans(String raw, boolean expected) {
    assertThat(ENABLED.parse(raw)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"maybe", "on", "2", "", "t"})
  void rejectsBadBooleans(String raw) {
    assertThatThrownBy(() -> ENABLED.parse(raw))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Invalid value for realtime.test.enabled=" + raw + ". Must be true or false"
            + " (yes/no and 1/0 also work).");
  }

  @ParameterizedTest
  @CsvSource({"500ms, PT0.5S", "10s, PT10S", "5m, PT5M", "2h, PT2H", "1d, PT24H",
      "PT0.5S, PT0.5S", "pt0.5s, PT0.5S", "P1D, PT24H", "1500, PT1.5S", "0, PT0S",
      "1.5s, PT1.5S", "10 s, PT10S", "10S, PT10S", "' 250ms ', PT0.25S", "0.5ms, PT0.0005S"})
  void parsesDurations(String raw, String expectedIso) {
    assertThat(LINGER.parse(raw)).isEqualTo(Duration.parse(expectedIso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "5x", "1.5", "ms", "", "1h30m", "P1M", "10 seconds",
      "99999999999999999999999d"})
  void rejectsBadDurations(String raw) {
    assertThatThrownBy(() -> LINGER.parse(raw))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Invalid value for realtime.test.linger=" + raw + ". Must be a duration such"
            + " as 500ms, 10s or PT0.5S.");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-5s", "-1", "PT-5S", " -PT1S"})
  void rejectsNegativeDurations(String raw) {
    assertThatThrownBy(() -> LINGER.parse(raw))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Invalid value for realtime.test.linger=" + raw + ". Must not be negative;"
            + " use a duration such as 0ms, 500ms, 10s or PT0.5S.");
  }

  @ParameterizedTest
  @CsvSource({"1048576, 1048576", "512KiB, 524288", "1MiB, 1048576", "1MB, 1000000",
      "2GiB, 2147483648", "10kb, 10000", "10KB, 10000", "1.5KiB, 1536", "0, 0", "7b, 7",
      "1 TiB, 1099511627776", "1tb, 1000000000000", "' 3MiB ', 3145728", "1mib, 1048576"})
  void parsesSizes(String raw, long expected) {
    assertThat(BUFFER.parse(raw)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "10m", "1k", "0.5B", "1.5", "MiB", "", "99999999999TiB",
      "1 MiB extra"})
  void rejectsBadSizes(String raw) {
    assertThatThrownBy(() -> BUFFER.parse(raw))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Invalid value for realtime.test.buffer=" + raw + ". Must be a size in bytes"
            + " such as 1048576, 512KiB, 1MiB or 1MB (1000000 bytes).");
  }

  @Test
  void rejectsNegativeSizes() {
    assertThatThrownBy(() -> BUFFER.parse("-1KiB"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Invalid value for realtime.test.buffer=-1KiB. Must not be negative; use a"
            + " size such as 0, 1048576, 512KiB or 1MiB.");
  }

  @Test
  void parseErrorsOfDeclaredSecretsDoNotEchoTheValue() {
    ConfigOption<Integer> pin = ConfigOption.integer("realtime.test.pin", null, "d").secret();

    assertThatThrownBy(() -> pin.parse("hunter2"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Invalid value for realtime.test.pin=******. Must be a whole number between"
            + " -2147483648 and 2147483647, such as 8.")
        .hasNoCause();
  }

  @Test
  void parseErrorsOfSecretSoundingKeysDoNotEchoTheValue() {
    ConfigOption<Duration> tokenTtl =
        ConfigOption.duration("realtime.test.session-token", null, "d");

    assertThatThrownBy(() -> tokenTtl.parse("hunter2"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageNotContaining("hunter2")
        .hasMessageContaining("realtime.test.session-token=******.");
  }

  @Test
  void parseErrorsMaskUriPasswordsUnderAnyKey() {
    assertThatThrownBy(() -> COUNT.parse("amqp://guest:hunter2@host:5672/vhost"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageNotContaining("hunter2")
        .hasMessageStartingWith(
            "Invalid value for realtime.test.count=amqp://guest:******@host:5672/vhost. ");
  }

  private static final ConfigOption<Integer> PARTITIONS = ConfigOption.integer(
      "realtime.test.partitions", 1, "Partitions.").range(1, null);

  @ParameterizedTest
  @ValueSource(strings = {"0", "-3", "many", "1.5", ""})
  void aValueOutsideTheRangeOrOfAnotherTypeGetsOneMessageWithTheRangeAndTheFix(String raw) {
    assertThatThrownBy(() -> PARTITIONS.parse(raw, "environment variable X"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Invalid value for realtime.test.partitions=" + raw + " (from environment"
            + " variable X). Must be a whole number of at least 1, such as 1. Set such a value,"
            + " or unset realtime.test.partitions for the default 1.");
  }

  @Test
  void rangesBoundBothEndsAndAreDeclaredForDocumentation() {
    ConfigOption<Duration> wait = ConfigOption.duration("realtime.test.wait", null, "Waits.")
        .range(Duration.ofMillis(100), Duration.ofHours(1));
    ConfigOption<Long> buffer = ConfigOption.size("realtime.test.buffer", 1024L, "Buffer.")
        .range(null, 1024L * 1024L);

    assertThat(wait.parse("100ms")).isEqualTo(Duration.ofMillis(100));
    assertThat(wait.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(wait.min()).contains(Duration.ofMillis(100));
    assertThat(wait.allowed()).isEqualTo("a duration from 100ms to 1h");
    assertThatThrownBy(() -> wait.parse("99ms"))
        .hasMessage("Invalid value for realtime.test.wait=99ms. Must be a duration from 100ms to"
            + " 1h, such as 100ms. Set such a value, or unset realtime.test.wait.");
    assertThat(buffer.allowed()).isEqualTo("a size of at most 1MiB");
    assertThatThrownBy(() -> buffer.parse("2MiB"))
        .hasMessageContaining("Must be a size of at most 1MiB, such as 1KiB.");
    assertThat(COUNT.allowed()).isEqualTo("a whole number");
    assertThat(COUNT.min()).isEmpty();
  }

  @Test
  void aRangeMustFitItsDefaultAndItsType() {
    assertThatThrownBy(() -> ConfigOption.integer("realtime.test.n", 0, "N.").range(1, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Default of realtime.test.n is 0, but it must be a whole number of at least"
            + " 1.");
    assertThatThrownBy(() -> ConfigOption.integer("realtime.test.n", 5, "N.").range(9, 2))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConfigOption.string("realtime.test.s", "a", "S.").range("a", "b"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aChoiceIsMatchedIgnoringCaseAndReadAsDeclared() {
    ConfigOption<String> mode = ConfigOption.choice("realtime.test.mode", "streams", "Mode.",
        "streams", "pubsub");

    assertThat(mode.parse(" PubSub ")).isEqualTo("pubsub");
    assertThat(mode.choices()).containsExactly("streams", "pubsub");
    assertThat(mode.allowed()).isEqualTo("one of streams, pubsub");
    assertThatThrownBy(() -> mode.parse("durable"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Invalid value for realtime.test.mode=durable. Must be one of streams,"
            + " pubsub. Set such a value, or unset realtime.test.mode for the default streams.");
    assertThatThrownBy(() -> ConfigOption.choice("realtime.test.mode", "other", "Mode.", "a"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constraintsAndFormerNamesSurviveTheOtherWithMethods() {
    ConfigOption<Integer> option = ConfigOption.integer("realtime.test.n", 2, "N.")
        .range(1, 9).withFormerName("realtime.test.count").secret()
        .withEnvironmentAlias("N");

    assertThat(option.max()).contains(9);
    assertThat(option.formerNames()).containsExactly("realtime.test.count");
    assertThatThrownBy(() -> option.parse("10")).hasMessageContaining("=******.");
  }

  @Test
  void aCheckOfTheOwnersRefusesInTheOneShape() {
    ConfigOption<String> prefix = ConfigOption.string("realtime.test.prefix", "app", "Prefix.")
        .check(value -> {
          if (value.contains(" ")) {
            throw new IllegalArgumentException("a prefix has no spaces; remove them");
          }
        });

    assertThat(prefix.parse("my-app")).isEqualTo("my-app");
    assertThatThrownBy(() -> prefix.parse("my app", "code"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Invalid value for realtime.test.prefix=my app (from code). a prefix has no"
            + " spaces; remove them");
  }
}
