package dev.realtime.rabbitmq;

import dev.realtime.Broker;
import dev.realtime.Capabilities;
import dev.realtime.Capability;
import dev.realtime.config.ConfigOption;
import dev.realtime.spi.BrokerContext;
import dev.realtime.spi.BrokerProvider;
import java.util.List;

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

  @Override
  public Broker create(BrokerContext context) {
    return new RabbitBroker(context);
  }
}
