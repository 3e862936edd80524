package dev.realtime.spi;

import dev.realtime.Broker;
import dev.realtime.Capabilities;
import dev.realtime.channel.ChannelNaming;
import dev.realtime.config.ConfigOption;
import dev.realtime.config.RealtimeConfig;
import java.util.List;
import java.util.Optional;

/**
 * The service provider interface of a broker adapter: how realtime finds and opens a broker.
 *
 * <p>An adapter registers its provider with one line, the implementing class's name, in {@code
 * META-INF/services/dev.realtime.spi.BrokerProvider}; {@link dev.realtime.Brokers#open} finds it
 * with {@link java.util.ServiceLoader} and picks the one whose {@link #name()} equals {@code
 * realtime.broker}. Implementations need a public no-argument constructor and must be cheap to
 * construct: every provider on the classpath is instantiated during discovery.
 *
 * <p>What {@link #create} returns is wrapped by {@link dev.realtime.Brokers}: argument checks,
 * the payload size limit, capability checks, the closed state and publish metrics are done once
 * there, so adapters need not repeat them. An adapter proves itself by running the conformance
 * suite of {@code realtime-testkit}.
 */
public interface BrokerProvider {
  /** The name chosen by {@code realtime.broker}: lowercase, such as {@code kafka}. */
  String name();

  /** What brokers made by this provider can do; checked by the conformance suite. */
  Capabilities capabilities();

  /**
   * The settings this adapter reads, under {@code realtime.<name>.}. Declaring them lets
   * configuration report unknown keys with the nearest known one, and lets documentation list
   * them.
   */
  default List<ConfigOption<?>> options() {
    return List.of();
  }

  /**
   * How this adapter names channels on its backend under {@code config}'s prefix, for tools and
   * tests that reach the backend directly (a foreign producer, an operator's listing); empty for
   * a backend without names of its own, such as the in-memory broker.
   *
   * @throws IllegalArgumentException if the configured prefix breaks the backend's rules
   */
  default Optional<ChannelNaming> naming(RealtimeConfig config) {
    return Optional.empty();
  }

  /**
   * Opens a broker.
   *
   * @throws dev.realtime.config.ConfigurationException if a setting is missing or invalid
   * @throws dev.realtime.BrokerUnavailableException if the broker cannot be reached within the
   *     adapter's connect timeout
   */
  Broker create(BrokerContext context);
}
