package dev.realtime.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelNamingTest {
  private final ChannelNaming kafka = ChannelNaming.kafka("realtime");
  private final ChannelNaming redis = ChannelNaming.redis("realtime");
  private final ChannelNaming rabbitmq = ChannelNaming.rabbitmq("realtime");

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
    ChannelNaming bare = ChannelNaming.kafka("");
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
    assertThat(ChannelNaming.kafka("").backendName(channel)).hasSize(244);
  }

  @Test
  void kafkaAcceptsExactly249() {
    // 81 letters and 80 underscores: 161 characters, 241 once escaped.
    Channel channel = Channel.of("a" + "_a".repeat(80));
    assertThat(ChannelNaming.kafka("x".repeat(7)).backendName(channel)).hasSize(249);
    assertThatThrownBy(() -> ChannelNaming.kafka("x".repeat(8)).backendName(channel))
        .hasMessageContaining("of 250 characters; Kafka allows at most 249.");
  }

  @Test
  void kafkaFitsEveryChannelWithoutPrefix() {
    // The longest escaped channel: 83 letters and 81 underscores, 164 characters, 245 escaped.
    Channel longest = Channel.of("aa" + "_a".repeat(81));
    assertThat(ChannelNaming.kafka("").backendName(longest)).hasSize(245);
    assertThat(ChannelNaming.kafka("abc").backendName(longest)).hasSize(249);
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
  void redisPutsTheNameBehindTheKeyPrefix() {
    assertThat(redis.backendName(Channel.of("user.1"))).isEqualTo("realtime:user.1");
    assertThat(redis.channelOf("realtime:user.1")).contains(Channel.of("user.1"));
    assertThat(redis.channelOf("other:user.1")).isEmpty();
    assertThat(redis.channelOf("realtime:user..1")).isEmpty();
    assertThat(redis.channelOf("realtime:")).isEmpty();
    assertThat(ChannelNaming.redis("").backendName(Channel.of("user.1"))).isEqualTo("user.1");
    assertThat(ChannelNaming.redis("app:{rt}").backendName(Channel.of("user.1")))
        .isEqualTo("app:{rt}:user.1");
    assertThat(redis.maxLength()).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void rabbitmqPutsTheNameBehindTheNamePrefix() {
    assertThat(rabbitmq.backendName(Channel.of("user.1"))).isEqualTo("realtime.user.1");
    assertThat(rabbitmq.channelOf("realtime.user.1")).contains(Channel.of("user.1"));
    assertThat(rabbitmq.channelOf("realtime_user.1")).isEmpty();
    assertThat(rabbitmq.channelOf("amq.gen-123")).isEmpty();
    assertThat(rabbitmq.maxLength()).isEqualTo(255);
  }

  @Test
  void rabbitmqRefusesNamesOverItsLimit() {
    String prefix = "p".repeat(100);
    String name = "a".repeat(160);
    assertThatThrownBy(() -> ChannelNaming.rabbitmq(prefix).backendName(Channel.of(name)))
        .isInstanceOf(InvalidChannelException.class)
        .hasMessage(
            "Channel \"%s\" maps to RabbitMQ name \"%s.%s\" of 261 characters; RabbitMQ allows"
                + " at most 255. Use a shorter channel name or a shorter name prefix"
                + " (realtime.rabbitmq.name-prefix).",
            name, prefix, name);
  }

  @Test
  void rabbitmqWithoutPrefixRefusesTheReservedAmqNames() {
    ChannelNaming bare = ChannelNaming.rabbitmq("");
    assertThat(bare.backendName(Channel.of("amqp.x"))).isEqualTo("amqp.x");
    assertThatThrownBy(() -> bare.backendName(Channel.of("amq.x")))
        .isInstanceOf(InvalidChannelException.class)
        .hasMessage(
            "Channel \"amq.x\" maps to RabbitMQ name \"amq.x\", but RabbitMQ reserves"
                + " names starting with \"amq.\". Use another channel name or set a name prefix"
                + " (realtime.rabbitmq.name-prefix).");
    assertThat(bare.channelOf("amq.x")).isEmpty();
    assertThat(bare.backendPattern(ChannelPattern.of("#")).matcher("amq.x").matches()).isFalse();
  }

  @Test
  void kafkaPrefixMustBeALegalTopicName() {
    assertThatThrownBy(() -> ChannelNaming.kafka("real time"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid Kafka topic prefix \"real time\" (realtime.kafka.topic-prefix):"
                + " character ' ' at index 4 is not allowed in a topic name; use letters, digits,"
                + " '.', '_' and '-'");
    assertThatThrownBy(() -> ChannelNaming.kafka("realtime:"))
        .hasMessageContaining("character ':' at index 8");
    assertThatThrownBy(() -> ChannelNaming.kafka("x".repeat(248)))
        .hasMessage(
            "Invalid Kafka topic prefix \"%s\" (realtime.kafka.topic-prefix): it is 248"
                + " characters; at most 247 leave room for a channel in Kafka's 249",
            "x".repeat(248));
    assertThat(ChannelNaming.kafka("x".repeat(247)).backendName(Channel.of("a"))).hasSize(249);
    assertThat(ChannelNaming.kafka("my.app-1_x").backendName(Channel.of("a")))
        .isEqualTo("my.app-1_x_a");
  }

  @Test
  void redisPrefixMustNotHoldWhitespace() {
    assertThatThrownBy(() -> ChannelNaming.redis("real time"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid Redis key prefix \"real time\" (realtime.redis.key-prefix):"
                + " character ' ' at index 4 is whitespace or a control character; remove it");
    assertThatThrownBy(() -> ChannelNaming.redis("a\tb"))
        .hasMessageContaining("character '\\u0009' at index 1");
    assertThatThrownBy(() -> ChannelNaming.redis("\u00a0"))
        .hasMessageContaining("character '\\u00a0' at index 0");
  }

  @Test
  void rabbitmqPrefixMustBePlainAndNotReserved() {
    assertThatThrownBy(() -> ChannelNaming.rabbitmq("real/time"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid RabbitMQ name prefix \"real/time\" (realtime.rabbitmq.name-prefix): character"
                + " '/' at index 4 is not allowed; use letters, digits, '.', '_' and '-'");
    assertThatThrownBy(() -> ChannelNaming.rabbitmq("amq"))
        .hasMessage(
            "Invalid RabbitMQ name prefix \"amq\" (realtime.rabbitmq.name-prefix):"
                + " RabbitMQ reserves names starting with \"amq.\"; choose another prefix");
    assertThatThrownBy(() -> ChannelNaming.rabbitmq("amq.x"))
        .hasMessageContaining("RabbitMQ reserves names starting with \"amq.\"");
    assertThatThrownBy(() -> ChannelNaming.rabbitmq("p".repeat(254)))
        .hasMessageEndingWith(
            "it is 254 characters; at most 253 leave room for a channel in RabbitMQ's 255");
    assertThat(ChannelNaming.rabbitmq("amqp").backendName(Channel.of("x"))).isEqualTo("amqp.x");
  }

  @Test
  void nullsAreNamed() {
    assertThatThrownBy(() -> ChannelNaming.kafka(null)).hasMessage("prefix == null");
    assertThatThrownBy(() -> ChannelNaming.redis(null)).hasMessage("prefix == null");
    assertThatThrownBy(() -> ChannelNaming.rabbitmq(null)).hasMessage("prefix == null");
    assertThatThrownBy(() -> kafka.backendName(null)).hasMessage("channel == null");
    assertThatThrownBy(() -> redis.channelOf(null)).hasMessage("backendName == null");
    assertThatThrownBy(() -> rabbitmq.backendPattern(null)).hasMessage("pattern == null");
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
        ChannelNaming.kafka("a.b").backendPattern(ChannelPattern.of("*"));
    assertThat(prefixWithRegexCharacters.matcher("a.b_x").matches()).isTrue();
    assertThat(prefixWithRegexCharacters.matcher("aXb_x").matches()).isFalse();
  }

  @Test
  void prefixedPatternsQuoteThePrefix() {
    Pattern news = ChannelNaming.redis("app.*").backendPattern(ChannelPattern.of("*.news"));
    assertThat(news.matcher("app.*:public.news").matches()).isTrue();
    assertThat(news.matcher("app.x:public.news").matches()).isFalse();
    assertThat(
            rabbitmq.backendPattern(ChannelPattern.of("user.#")).matcher("realtime.user").matches())
        .isTrue();
  }

  @Test
  void describesItself() {
    assertThat(kafka).hasToString("ChannelNaming.kafka(\"realtime\")");
    assertThat(redis).hasToString("ChannelNaming.redis(\"realtime\")");
    assertThat(rabbitmq).hasToString("ChannelNaming.rabbitmq(\"realtime\")");
    assertThat(kafka.maxLength()).isEqualTo(249);
    assertThat(kafka.channelOf("realtime_user_1")).isEqualTo(Optional.of(Channel.of("user.1")));
  }
}
