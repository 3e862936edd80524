package dev.realtime.channel;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How one backend names channels: the Kafka topic, Redis key or RabbitMQ queue and exchange names
 * that stand for them.
 *
 * <p>A naming is injective: two different channels never get the same backend name, so no channel
 * ever sees another's messages. It respects the backend's limits, refusing the rare channel whose
 * name would break them, and it can be inverted with {@link #channelOf(String)}.
 *
 * <p>Each adapter declares its own with {@link dev.realtime.spi.BrokerProvider#naming}, from the
 * prefix in its configuration. A backend that takes channel names as they are builds a {@link
 * PrefixedNaming}; one with other rules implements this interface, using {@link
 * ChannelPattern#regex} for {@link #backendPattern}.
 */
public interface ChannelNaming {
  /**
   * Returns the backend's name for {@code channel}. Different channels always get different names.
   *
   * @throws NullPointerException if {@code channel} is null.
   * @throws InvalidChannelException if the backend name would break the backend's limits: longer
   *     than {@link #maxLength()}, or reserved by the backend. The message names the backend, the
   *     limit and the configuration key of the prefix.
   */
  String backendName(Channel channel);

  /**
   * Returns the channel whose backend name is {@code backendName}: the inverse of {@link
   * #backendName(Channel)}. Empty if no channel has that name under this naming, for example a
   * topic with another prefix or one created by hand.
   *
   * @throws NullPointerException if {@code backendName} is null.
   */
  Optional<Channel> channelOf(String backendName);

  /**
   * Returns a regex that matches the backend name of every channel that {@code pattern} matches and
   * of no other channel, for subscribing by regex or filtering a listing of backend names. Use it
   * with {@link java.util.regex.Matcher#matches()}. A name that no channel has (made by hand) may
   * still match; {@link #channelOf(String)} tells those apart.
   *
   * @throws NullPointerException if {@code pattern} is null.
   */
  Pattern backendPattern(ChannelPattern pattern);

  /**
   * The longest backend name the backend accepts, in characters; {@link Integer#MAX_VALUE} when the
   * backend sets no practical limit.
   */
  int maxLength();
}
