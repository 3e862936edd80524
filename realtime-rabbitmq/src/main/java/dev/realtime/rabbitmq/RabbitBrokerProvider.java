package dev.realtime.rabbitmq;

import dev.realtime.Broker;
import dev.realtime.Capabilities;
import dev.realtime.Capability;
import dev.realtime.channel.ChannelNaming;
import dev.realtime.channel.PrefixedNaming;
import dev.realtime.config.ConfigOption;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.spi.BrokerContext;
import dev.realtime.spi.BrokerProvider;
import java.util.List;
import java.util.Optional;

/**
 * Provides the RabbitMQ adapter, {@code realtime.broker=rabbitmq}: a topic exchange whose routing
 * key is the channel, a stream queue per channel (persistence and replay), a quorum queue per
 * group. See docs/rabbitmq.md.
 */
public final class RabbitBrokerProvider implements BrokerProvider {
  /**
   * Not ORDERING_PER_KEY: a quorum queue hands messages to its consumers in turn, with no notion
   * of key, so two group members can handle one key's messages at once. A broadcast subscriber
   * reads a stream in order, and the dispatcher keeps each key in that order.
   */
  static final Capabilities CAPABILITIES = Capabilities.of(Capability.PERSISTENCE,
      Capability.REPLAY, Capability.CONSUMER_GROUPS, Capability.PATTERN_SUBSCRIBE,
      Capability.DEAD_LETTER, Capability.PUBLISHER_CONFIRMS, Capability.RETENTION);

  @Override
  public String name() {
    return RabbitBroker.NAME;
  }

  @Override
  public Capabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public List<ConfigOption<?>> options() {
    return RabbitOptions.ALL;
  }

  /** Stream queues: the prefix, '.', the channel name, as in realtime.user.1. */
  @Override
  public Optional<ChannelNaming> naming(RealtimeConfig config) {
    return Optional.of(naming(config.get(RabbitOptions.NAME_PREFIX)));
  }

  /**
   * The naming under {@code prefix}: RabbitMQ allows 255 bytes and reserves names starting with
   * {@code amq.}; the prefix keeps to the characters channel names use.
   *
   * @throws IllegalArgumentException if {@code prefix} holds anything but ASCII letters, digits,
   *     '.', '_' and '-'; is {@code amq} or starts with {@code amq.}; or leaves no room for a
   *     channel in 255 characters
   */
  static ChannelNaming naming(String prefix) {
    return PrefixedNaming.builder("RabbitMQ", "name")
        .prefix(prefix, RabbitOptions.NAME_PREFIX.name())
        .separator(".")
        // Names are ASCII here, one byte each, so characters count bytes.
        .maxLength(255)
        .reserved("amq.")
        .prefixCharacters(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-',
            "use letters, digits, '.', '_' and '-'")
        .build();
  }

  @Override
  public Broker create(BrokerContext context) {
    return new RabbitBroker(context);
  }
}
