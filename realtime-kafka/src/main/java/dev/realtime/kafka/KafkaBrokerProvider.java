package dev.realtime.kafka;

import dev.realtime.Broker;
import dev.realtime.Capabilities;
import dev.realtime.Capability;
import dev.realtime.channel.ChannelNaming;
import dev.realtime.config.ConfigOption;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.spi.BrokerContext;
import dev.realtime.spi.BrokerProvider;
import java.util.List;
import java.util.Optional;

/**
 * Provides the Kafka adapter, {@code realtime.broker=kafka}. Channels are topics ({@code user.1}
 * is {@code realtime_user_1}); groups are Kafka consumer groups; broadcast subscribers read every
 * partition without a group. See docs/kafka.md.
 */
public final class KafkaBrokerProvider implements BrokerProvider {
  static final Capabilities CAPABILITIES = Capabilities.of(Capability.PERSISTENCE,
      Capability.REPLAY, Capability.CONSUMER_GROUPS, Capability.ORDERING_PER_KEY,
      Capability.PATTERN_SUBSCRIBE, Capability.DEAD_LETTER, Capability.PUBLISHER_CONFIRMS,
      Capability.RETENTION);

  @Override
  public String name() {
    return KafkaBroker.NAME;
  }

  @Override
  public Capabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public List<ConfigOption<?>> options() {
    return KafkaOptions.ALL;
  }

  /** Topics: the prefix, '_', the channel name with '.' as '_' and '_' as "__". */
  @Override
  public Optional<ChannelNaming> naming(RealtimeConfig config) {
    return Optional.of(KafkaTopicNaming.of(config.get(KafkaOptions.TOPIC_PREFIX)));
  }

  @Override
  public Broker create(BrokerContext context) {
    return new KafkaBroker(context);
  }
}
