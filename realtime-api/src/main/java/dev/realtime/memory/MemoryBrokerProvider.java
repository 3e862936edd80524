package dev.realtime.memory;

import dev.realtime.Broker;
import dev.realtime.Capabilities;
import dev.realtime.Capability;
import dev.realtime.config.ConfigOption;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.config.RealtimeOptions;
import dev.realtime.spi.BrokerContext;
import dev.realtime.spi.BrokerProvider;
import java.util.List;

/**
 * Provides the in-memory broker, {@code realtime.broker=memory}: the default, for development,
 * tests and single-process applications. Every capability is real here, within one JVM: messages
 * persist across subscriptions and consumer restarts, not across a restart of the process.
 */
public final class MemoryBrokerProvider implements BrokerProvider {
  /** Messages each channel keeps before the oldest are dropped. */
  public static final ConfigOption<Integer> MAX_MESSAGES_PER_CHANNEL = ConfigOption.integer(
      "realtime.memory.max-messages-per-channel", 100_000,
      "Messages each in-memory channel keeps; older ones are dropped, as retention would.")
      .range(1, null);

  static final Capabilities CAPABILITIES = Capabilities.of(Capability.PERSISTENCE,
      Capability.REPLAY, Capability.CONSUMER_GROUPS, Capability.ORDERING_PER_KEY,
      Capability.PATTERN_SUBSCRIBE, Capability.DEAD_LETTER, Capability.PUBLISHER_CONFIRMS,
      Capability.RETENTION);

  @Override
  public String name() {
    return MemoryBroker.NAME;
  }

  @Override
  public Capabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public List<ConfigOption<?>> options() {
    return List.of(MAX_MESSAGES_PER_CHANNEL);
  }

  @Override
  public Broker create(BrokerContext context) {
    RealtimeConfig config = context.config();
    int maxMessages = config.get(MAX_MESSAGES_PER_CHANNEL);
    return new MemoryBroker(maxMessages, config.get(RealtimeOptions.CLOSE_TIMEOUT), context);
  }
}
