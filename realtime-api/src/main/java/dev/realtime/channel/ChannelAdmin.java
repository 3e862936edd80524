package dev.realtime.channel;

import java.util.List;
import java.util.Optional;

/**
 * Creates, inspects and deletes channels on a broker. Obtained from {@link
 * dev.realtime.Broker#admin()}.
 *
 * <p>Publishing and subscribing create channels with the broker's defaults when they do not
 * exist; use {@link #ensure} to choose partitions, retention and groups first.
 */
public interface ChannelAdmin {
  /**
   * Creates the channel if it does not exist, or brings it to {@code spec}: retention raised or
   * lowered, partitions added, groups created. Idempotent.
   *
   * @return the channel as it is now
   * @throws IllegalArgumentException if the spec would reduce partitions, or asks for what the
   *     broker cannot do (naming the setting)
   * @throws dev.realtime.BrokerUnavailableException if the broker cannot be reached
   */
  ChannelInfo ensure(ChannelSpec spec);

  /**
   * Checks, without changing anything on the broker, that {@link #ensure} would not refuse
   * {@code spec}: for asking what this broker cannot do (partitions on Redis, compaction on
   * RabbitMQ), or what it cannot do to the channel as it is (a new retention on an existing
   * RabbitMQ stream, a Kafka topic name that collides with another). A tool that applies many
   * specs checks them all first, so that a bad one does not leave the rest half applied. It may
   * read the broker's state; that partitions only grow is left to the caller, who can compare
   * {@link #describe}.
   *
   * @throws IllegalArgumentException as {@link #ensure} would, naming the setting
   * @throws dev.realtime.BrokerUnavailableException if the broker cannot be reached
   */
  default void check(ChannelSpec spec) {}

  /** Returns the channel's state, or empty if the channel does not exist. */
  Optional<ChannelInfo> describe(Channel channel);

  /** Returns the channels that exist on the broker (of this library's naming), sorted. */
  List<Channel> list();

  /**
   * Deletes the channel, its messages and its groups' positions. Returns false if it did not
   * exist.
   */
  boolean delete(Channel channel);
}
