package dev.realtime.testkit;

import dev.realtime.config.RealtimeConfig;

/**
 * A real broker that the conformance suite (or a user's own test) runs against: the settings
 * that point {@link dev.realtime.Brokers#open} at it, and the fault hooks it offers.
 *
 * <p>Fault hooks are optional. {@link #restart()} stops the broker and starts it again on the
 * same address with its data (the embedded Kafka broker really restarts; for a shared local
 * Redis or RabbitMQ it is an outage made by cutting every connection through the testkit's TCP
 * proxy, because restarting the machine's own server would disturb everything else on it).
 * {@link #cutConnections()} drops every open connection and refuses new ones until {@link
 * #restoreConnections()}.
 */
public interface BrokerEnvironment extends AutoCloseable {
  /** A short description for reports, such as {@code kafka (embedded KRaft 4.1.1)}. */
  String description();

  /** Settings for {@link dev.realtime.Brokers#open}, {@code realtime.broker} included. */
  RealtimeConfig config();

  /** Returns true if {@link #restart()} works here. */
  default boolean canRestart() {
    return false;
  }

  /**
   * Stops the broker and starts it again on the same address, keeping its data; returns once it
   * answers again.
   *
   * @throws UnsupportedOperationException if {@link #canRestart()} is false
   */
  default void restart() {
    throw new UnsupportedOperationException(description() + " cannot be restarted");
  }

  /** Returns true if {@link #cutConnections()} works here. */
  default boolean canCutConnections() {
    return false;
  }

  /**
   * Drops every connection to the broker and refuses new ones, until {@link
   * #restoreConnections()}.
   *
   * @throws UnsupportedOperationException if {@link #canCutConnections()} is false
   */
  default void cutConnections() {
    throw new UnsupportedOperationException(description() + " cannot cut connections");
  }

  /** Accepts connections again after {@link #cutConnections()}. */
  default void restoreConnections() {
    throw new UnsupportedOperationException(description() + " cannot cut connections");
  }

  /**
   * Settings that name this environment's broker at an address where nothing answers, for the
   * "unreachable broker" check of the bad-input case; empty where there is no address (memory).
   */
  default java.util.Optional<RealtimeConfig> unreachableConfig() {
    return java.util.Optional.empty();
  }

  /**
   * The largest payload, in bytes, that this environment's broker itself accepts, where that
   * limit is low enough for a test to exceed (for case 33, broker limits): the adapter must
   * refuse a larger payload before sending it, naming this limit and {@code
   * realtime.max-payload-bytes}. Empty where the broker's limit is out of a test's reach, such
   * as the machine's shared Redis and RabbitMQ, which nobody reconfigures; an environment over a
   * broker process of its own, started with a low limit, returns it.
   */
  default java.util.OptionalLong brokerPayloadLimit() {
    return java.util.OptionalLong.empty();
  }

  /**
   * Returns true where the broker keeps by bytes message by message: after more than {@code
   * ChannelSpec.retentionBytes} was written, it holds exactly the newest messages whose payloads
   * fit, and nothing older (case 27 then checks that). False by default: Kafka and RabbitMQ
   * streams drop whole closed segments, 1 GiB and 500 MB by default, so after a test's few
   * kilobytes they still hold everything, and case 27 checks only that the newest that fit stay.
   */
  default boolean keepsExactlyByBytes() {
    return false;
  }

  /**
   * Writes records as another client of this broker would (for case 34, foreign records);
   * empty where the environment cannot (the in-memory broker has no other clients).
   */
  default java.util.Optional<ForeignWriter> foreignWriter() {
    return java.util.Optional.empty();
  }

  /**
   * Makes the broker refuse publishes to a channel (for case 37, a failed dead-letter publish);
   * empty where the environment cannot (the in-memory broker always accepts, Redis Pub/Sub
   * publishes to no key).
   */
  default java.util.Optional<PublishRefusal> publishRefusal() {
    return java.util.Optional.empty();
  }

  /**
   * A new client that can die without closing (for case 38, a member that dies), with a fault
   * proxy of its own; empty where the environment has none (the in-memory broker lives inside
   * its one client: nothing of it can die alone).
   */
  default java.util.Optional<MemberDeath> memberDeath() {
    return java.util.Optional.empty();
  }

  /** Releases what this environment started (a proxy, a broker process); never a shared broker. */
  @Override
  default void close() {}
}
