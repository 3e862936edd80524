package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelNaming;
import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The key naming the Redis adapter declares: realtime:user.1, and the prefixes it refuses. */
class RedisNamingTest {
  @Test
  void keysAreThePrefixAColonAndTheChannelName() {
    ChannelNaming naming = new RedisBrokerProvider().naming(RealtimeConfig.of(Map.of()))
        .orElseThrow();
    assertThat(naming.backendName(Channel.of("user.1"))).isEqualTo("realtime:user.1");
    assertThat(naming.channelOf("realtime:user.1")).contains(Channel.of("user.1"));
    assertThat(RedisBrokerProvider.naming("").backendName(Channel.of("user.1")))
        .isEqualTo("user.1");
    assertThat(RedisBrokerProvider.naming("app:{rt}").backendName(Channel.of("user.1")))
        .isEqualTo("app:{rt}:user.1");
    assertThat(naming.maxLength()).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void aPrefixWithWhitespaceIsRefusedNamingItsKey() {
    assertThatThrownBy(() -> RedisBrokerProvider.naming("real time"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid Redis key prefix \"real time\" (realtime.redis.key-prefix):"
            + " character ' ' at index 4 is not allowed; remove it (no whitespace or control"
            + " characters)");
    assertThatThrownBy(() -> RedisBrokerProvider.naming("a\tb"))
        .hasMessageContaining("character '\\u0009' at index 1");
    assertThatThrownBy(() -> RedisBrokerProvider.naming("\u00a0"))
        .hasMessageContaining("character '\\u00a0' at index 0");
    // Set as a setting, it is refused as every invalid setting is.
    assertThatThrownBy(() -> RealtimeConfig.of(Map.of("realtime.redis.key-prefix", "a b"))
        .get(RedisOptions.KEY_PREFIX))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("Invalid value for realtime.redis.key-prefix=a b (from code)."
            + " Invalid Redis key prefix");
  }
}
