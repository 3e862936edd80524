package dev.realtime.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelNaming;
import dev.realtime.channel.InvalidChannelException;
import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The queue naming the RabbitMQ adapter declares: realtime.user.1, within RabbitMQ's rules. */
class RabbitNamingTest {
  @Test
  void queuesAreThePrefixADotAndTheChannelName() {
    ChannelNaming naming = new RabbitBrokerProvider().naming(RealtimeConfig.of(Map.of()))
        .orElseThrow();
    assertThat(naming.backendName(Channel.of("user.1"))).isEqualTo("realtime.user.1");
    assertThat(naming.channelOf("realtime.user.1")).contains(Channel.of("user.1"));
    assertThat(naming.channelOf("amq.gen-123")).isEmpty();
    assertThat(naming.maxLength()).isEqualTo(255);
    assertThat(RabbitBrokerProvider.naming("amqp").backendName(Channel.of("x")))
        .isEqualTo("amqp.x");
  }

  @Test
  void theReservedAmqStartIsRefusedInPrefixesAndInBareNames() {
    assertThatThrownBy(() -> RabbitBrokerProvider.naming("amq"))
        .hasMessage("Invalid RabbitMQ name prefix \"amq\" (realtime.rabbitmq.name-prefix):"
            + " RabbitMQ reserves names starting with \"amq.\"; choose another prefix");
    assertThatThrownBy(() -> RabbitBrokerProvider.naming("").backendName(Channel.of("amq.x")))
        .isInstanceOf(InvalidChannelException.class)
        .hasMessageContaining("RabbitMQ reserves names starting with \"amq.\"")
        .hasMessageContaining("(realtime.rabbitmq.name-prefix)");
  }

  @Test
  void aPrefixMustBePlainAndLeaveRoomForAChannel() {
    assertThatThrownBy(() -> RabbitBrokerProvider.naming("real/time"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid RabbitMQ name prefix \"real/time\" (realtime.rabbitmq.name-prefix):"
            + " character '/' at index 4 is not allowed; use letters, digits, '.', '_' and '-'");
    assertThatThrownBy(() -> RabbitBrokerProvider.naming("p".repeat(254)))
        .hasMessageEndingWith(
            "it is 254 characters; at most 253 leave room for a channel in RabbitMQ's 255");
    // Set as a setting, it is refused as every invalid setting is.
    assertThatThrownBy(() -> RealtimeConfig.of(Map.of("realtime.rabbitmq.name-prefix", "amq"))
        .get(RabbitOptions.NAME_PREFIX))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("Invalid value for realtime.rabbitmq.name-prefix=amq (from code)."
            + " Invalid RabbitMQ name prefix");
  }
}
