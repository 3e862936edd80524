package dev.realtime.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link PrefixedNaming}, the naming an adapter builds when its backend takes channel names as
 * they are. The adapters' own rules (which prefix characters, which limit) are tested with them.
 */
class ChannelNamingTest {
  /** A backend of keys joined with ':', no limit: as Redis. */
  static PrefixedNaming keys(String prefix) {
    return PrefixedNaming.builder("Store", "key").prefix(prefix, "realtime.store.key-prefix")
        .separator(":").prefixCharacters(c -> !Character.isWhitespace(c), "remove it").build();
  }

  /** A backend of names joined with '.', at most 255, 'amq.' reserved: as RabbitMQ. */
  static PrefixedNaming queues(String prefix) {
    return PrefixedNaming.builder("Queue", "name").prefix(prefix, "realtime.queue.name-prefix")
        .maxLength(255).reserved("amq.")
        .prefixCharacters(c -> c != '/', "use letters, digits, '.', '_' and '-'").build();
  }

  private final ChannelNaming keys = keys("realtime");
  private final ChannelNaming queues = queues("realtime");

  @Test
  void putsTheNameBehindThePrefixAndSeparator() {
    assertThat(keys.backendName(Channel.of("user.1"))).isEqualTo("realtime:user.1");
    assertThat(keys.channelOf("realtime:user.1")).contains(Channel.of("user.1"));
    assertThat(keys.channelOf("other:user.1")).isEmpty();
    assertThat(keys.channelOf("realtime:user..1")).isEmpty();
    assertThat(keys.channelOf("realtime:")).isEmpty();
    assertThat(keys("").backendName(Channel.of("user.1"))).isEqualTo("user.1");
    assertThat(keys("app:{rt}").backendName(Channel.of("user.1"))).isEqualTo("app:{rt}:user.1");
    assertThat(keys.maxLength()).isEqualTo(Integer.MAX_VALUE);
    assertThat(queues.backendName(Channel.of("user.1"))).isEqualTo("realtime.user.1");
    assertThat(queues.channelOf("realtime_user.1")).isEmpty();
    assertThat(queues.channelOf("amq.gen-123")).isEmpty();
    assertThat(queues.maxLength()).isEqualTo(255);
  }

  @Test
  void refusesNamesOverTheLimitNamingThePrefixKey() {
    String prefix = "p".repeat(100);
    String name = "a".repeat(160);
    assertThatThrownBy(() -> queues(prefix).backendName(Channel.of(name)))
        .isInstanceOf(InvalidChannelException.class)
        .hasMessage(
            "Channel \"%s\" maps to Queue name \"%s.%s\" of 261 characters; Queue allows"
                + " at most 255. Use a shorter channel name or a shorter name prefix"
                + " (realtime.queue.name-prefix).",
            name, prefix, name);
  }

  @Test
  void withoutPrefixRefusesTheReservedStart() {
    ChannelNaming bare = queues("");
    assertThat(bare.backendName(Channel.of("amqp.x"))).isEqualTo("amqp.x");
    assertThatThrownBy(() -> bare.backendName(Channel.of("amq.x")))
        .isInstanceOf(InvalidChannelException.class)
        .hasMessage(
            "Channel \"amq.x\" maps to Queue name \"amq.x\", but Queue reserves"
                + " names starting with \"amq.\". Use another channel name or set a name prefix"
                + " (realtime.queue.name-prefix).");
    assertThat(bare.channelOf("amq.x")).isEmpty();
    assertThat(bare.backendPattern(ChannelPattern.of("#")).matcher("amq.x").matches()).isFalse();
  }

  @Test
  void thePrefixFollowsTheBackendsRules() {
    assertThatThrownBy(() -> keys("real time"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid Store key prefix \"real time\" (realtime.store.key-prefix):"
            + " character ' ' at index 4 is not allowed; remove it");
    assertThatThrownBy(() -> keys("a\tb"))
        .hasMessageContaining("character '\\u0009' at index 1");
    assertThatThrownBy(() -> queues("amq"))
        .hasMessage("Invalid Queue name prefix \"amq\" (realtime.queue.name-prefix):"
            + " Queue reserves names starting with \"amq.\"; choose another prefix");
    assertThatThrownBy(() -> queues("amq.x"))
        .hasMessageContaining("Queue reserves names starting with \"amq.\"");
    assertThatThrownBy(() -> queues("p".repeat(254)))
        .hasMessageEndingWith(
            "it is 254 characters; at most 253 leave room for a channel in Queue's 255");
    assertThat(queues("p".repeat(253)).backendName(Channel.of("x"))).hasSize(255);
    assertThat(queues("amqp").backendName(Channel.of("x"))).isEqualTo("amqp.x");
    assertThatThrownBy(() -> PrefixedNaming.builder("Store", "key").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("prefixKey");
  }

  @Test
  void nullsAreNamed() {
    assertThatThrownBy(() -> keys(null)).hasMessage("prefix == null");
    assertThatThrownBy(() -> keys.backendName(null)).hasMessage("channel == null");
    assertThatThrownBy(() -> keys.channelOf(null)).hasMessage("backendName == null");
    assertThatThrownBy(() -> queues.backendPattern(null)).hasMessage("pattern == null");
  }

  @Test
  void patternsQuoteThePrefix() {
    Pattern news = keys("app.*").backendPattern(ChannelPattern.of("*.news"));
    assertThat(news.matcher("app.*:public.news").matches()).isTrue();
    assertThat(news.matcher("app.x:public.news").matches()).isFalse();
    assertThat(queues.backendPattern(ChannelPattern.of("user.#")).matcher("realtime.user")
        .matches()).isTrue();
  }

  @Test
  void describesItself() {
    assertThat(keys).hasToString("PrefixedNaming{Store keys, prefix \"realtime\"}");
  }
}
