package dev.realtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelNaming;
import dev.realtime.channel.ChannelPattern;
import dev.realtime.channel.InvalidChannelException;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Kafka topic names: the escaping, Kafka's limits, and the topics the adapter does not own. */
class KafkaTopicNamingTest {
  private final ChannelNaming kafka = KafkaTopicNaming.of("realtime");

  @Test
  void kafkaKeepsTheSeedsReadableTopics() {
    assertThat(kafka.backendName(Channel.of("user.1"))).isEqualTo("realtime_user_1");
    assertThat(kafka.backendName(Channel.of("public.news"))).isEqualTo("realtime_public_news");
    assertThat(kafka.backendName(Channel.of("presence-chat.42")))
        .isEqualTo("realtime_presence-chat_42");
    assertThat(kafka.backendName(Channel.of("user_1"))).isEqualTo("realtime_user__1");
  }

  @Test
  void kafkaSeparatesUserDot1FromUserUnderscore1() {
    // The seed mapped both to realtime_user_1, so each saw the other's messages.
    String dot = kafka.backendName(Channel.of("user.1"));
    String underscore = kafka.backendName(Channel.of("user_1"));
    assertThat(dot).isNotEqualTo(underscore);
    assertThat(dot.replace('.', '_')).isNotEqualTo(underscore.replace('.', '_'));
    assertThat(kafka.channelOf(dot)).contains(Channel.of("user.1"));
    assertThat(kafka.channelOf(underscore)).contains(Channel.of("user_1"));
  }

  @Test
  void kafkaWithoutPrefixWritesTheEscapedNameAlone() {
    ChannelNaming bare = KafkaTopicNaming.of("");
    assertThat(bare.backendName(Channel.of("user.1"))).isEqualTo("user_1");
    assertThat(bare.backendName(Channel.of("a_b.c"))).isEqualTo("a__b_c");
    assertThat(bare.channelOf("a__b_c")).contains(Channel.of("a_b.c"));
  }

  @Test
  void kafkaRefusesTopicsOverItsLimit() {
    // 82 one-letter segments joined by '_': 163 characters, 244 once escaped, 253 with the prefix.
    String name = "a" + "_a".repeat(81);
    Channel channel = Channel.of(name);
    assertThatThrownBy(() -> kafka.backendName(channel))
        .isInstanceOf(InvalidChannelException.class)
        .hasMessage(
            "Channel \"%s\" maps to Kafka topic \"%s\" of 253 characters; Kafka allows at most"
                + " 249. Use a shorter channel name or a shorter topic prefix"
                + " (realtime.kafka.topic-prefix).",
            name, "realtime_a" + "__a".repeat(81))
        .extracting(e -> ((InvalidChannelException) e).channel())
        .isEqualTo(name);
    assertThat(KafkaTopicNaming.of("").backendName(channel)).hasSize(244);
  }

  @Test
  void kafkaAcceptsExactly249() {
    // 81 letters and 80 underscores: 161 characters, 241 once escaped.
    Channel channel = Channel.of("a" + "_a".repeat(80));
    assertThat(KafkaTopicNaming.of("x".repeat(7)).backendName(channel)).hasSize(249);
    assertThatThrownBy(() -> KafkaTopicNaming.of("x".repeat(8)).backendName(channel))
        .hasMessageContaining("of 250 characters; Kafka allows at most 249.");
  }

  @Test
  void kafkaFitsEveryChannelWithoutPrefix() {
    // The longest escaped channel: 83 letters and 81 underscores, 164 characters, 245 escaped.
    Channel longest = Channel.of("aa" + "_a".repeat(81));
    assertThat(KafkaTopicNaming.of("").backendName(longest)).hasSize(245);
    assertThat(KafkaTopicNaming.of("abc").backendName(longest)).hasSize(249);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "other_user_1", "realtime", "realtime_", "realtimeuser_1", "realtime_user___1",
        "realtime__user", "realtime_user_", "realtime_user.1", "realtime_a b", "realtime_private-",
        "realtime_private-_x_"
      })
  void kafkaDisownsForeignTopics(String topic) {
    assertThat(kafka.channelOf(topic)).isEmpty();
  }

  @Test
  void kafkaOwnsPrivateChannelsWithAnUnderscoreAfterThePrefix() {
    assertThat(kafka.channelOf("realtime_private-__x")).contains(Channel.of("private-_x"));
  }

  @Test
  void kafkaPrefixMustBeALegalTopicName() {
    assertThatThrownBy(() -> KafkaTopicNaming.of("real time"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid Kafka topic prefix \"real time\" (realtime.kafka.topic-prefix):"
                + " character ' ' at index 4 is not allowed in a topic name; use letters, digits,"
                + " '.', '_' and '-'");
    assertThatThrownBy(() -> KafkaTopicNaming.of("realtime:"))
        .hasMessageContaining("character ':' at index 8");
    assertThatThrownBy(() -> KafkaTopicNaming.of("x".repeat(248)))
        .hasMessage(
            "Invalid Kafka topic prefix \"%s\" (realtime.kafka.topic-prefix): it is 248"
                + " characters; at most 247 leave room for a channel in Kafka's 249",
            "x".repeat(248));
    assertThat(KafkaTopicNaming.of("x".repeat(247)).backendName(Channel.of("a"))).hasSize(249);
    assertThat(KafkaTopicNaming.of("my.app-1_x").backendName(Channel.of("a")))
        .isEqualTo("my.app-1_x_a");
  }

  @Test
  void kafkaPatternsFollowTheEscaping() {
    Pattern users = kafka.backendPattern(ChannelPattern.of("user.*"));
    assertThat(users.matcher("realtime_user_1").matches()).isTrue();
    assertThat(users.matcher("realtime_user_a__b").matches()).isTrue();
    assertThat(users.matcher("realtime_user_1_x").matches()).isFalse();
    assertThat(users.matcher("realtime_user").matches()).isFalse();
    assertThat(users.matcher("realtime_user___1").matches()).isFalse();
    assertThat(users.matcher("other_user_1").matches()).isFalse();

    Pattern all = kafka.backendPattern(ChannelPattern.of("#"));
    assertThat(all.matcher("realtime_user_1").matches()).isTrue();
    assertThat(all.matcher("realtime_").matches()).isFalse();
    assertThat(all.matcher("realtime").matches()).isFalse();
    assertThat(all.matcher("realtime_private-").matches()).isFalse();
    assertThat(all.matcher("realtime_private-__x").matches()).isTrue();

    Pattern prefixWithRegexCharacters =
        KafkaTopicNaming.of("a.b").backendPattern(ChannelPattern.of("*"));
    assertThat(prefixWithRegexCharacters.matcher("a.b_x").matches()).isTrue();
    assertThat(prefixWithRegexCharacters.matcher("aXb_x").matches()).isFalse();
  }

  @Test
  void nullsAreNamed() {
    assertThatThrownBy(() -> KafkaTopicNaming.of(null)).hasMessage("prefix == null");
    assertThatThrownBy(() -> kafka.backendName(null)).hasMessage("channel == null");
    assertThatThrownBy(() -> kafka.channelOf(null)).hasMessage("backendName == null");
    assertThatThrownBy(() -> kafka.backendPattern(null)).hasMessage("pattern == null");
  }

  @Test
  void describesItself() {
    assertThat(kafka).hasToString("KafkaTopicNaming(\"realtime\")");
    assertThat(kafka.maxLength()).isEqualTo(249);
    assertThat(kafka.channelOf("realtime_user_1")).isEqualTo(Optional.of(Channel.of("user.1")));
  }

  @Test
  void aPrefixKafkaRefusesIsAnInvalidSettingInTheOneShape() {
    assertThatThrownBy(() -> new KafkaBrokerProvider().naming(
        dev.realtime.config.RealtimeConfig.of(java.util.Map.of(
            "realtime.kafka.topic-prefix", "real time"))))
        .isInstanceOf(dev.realtime.config.ConfigurationException.class)
        .hasMessage("Invalid value for realtime.kafka.topic-prefix=real time (from code). Invalid"
            + " Kafka topic prefix \"real time\" (realtime.kafka.topic-prefix): character ' ' at"
            + " index 4 is not allowed in a topic name; use letters, digits, '.', '_' and '-'");
  }

  @Test
  void theProviderDeclaresItFromTheConfiguredPrefix() {
    ChannelNaming declared = new KafkaBrokerProvider().naming(
        dev.realtime.config.RealtimeConfig.of(java.util.Map.of(
            "realtime.kafka.topic-prefix", "app"))).orElseThrow();
    assertThat(declared.backendName(Channel.of("user.1"))).isEqualTo("app_user_1");
  }
}
