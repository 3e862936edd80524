package dev.realtime.channel;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How one backend names channels: the Kafka topic, Redis key or RabbitMQ queue and exchange names
 * that stand for them.
 *
 * <p>A naming is injective: two different channels never get the same backend name, so no channel
 * ever sees another's messages. It respects the backend's limits, refusing the rare channel whose
 * name would break them, and it can be inverted with {@link #channelOf(String)}. Adapters get one
 * from the factories below with the prefix from their configuration.
 */
public interface ChannelNaming {
  /**
   * Returns the naming for Kafka topics: the prefix, an {@code '_'}, then the channel name with
   * {@code '.'} written as {@code '_'} and {@code '_'} as {@code "__"}. With prefix {@code
   * realtime}, {@code user.1} is topic {@code realtime_user_1} and {@code user_1} is topic {@code
   * realtime_user__1}. With an empty prefix the topic is the escaped name alone.
   *
   * @param prefix the value of {@code realtime.kafka.topic-prefix}.
   * @throws NullPointerException if {@code prefix} is null.
   * @throws IllegalArgumentException if {@code prefix} holds a character Kafka does not allow in a
   *     topic name (anything but ASCII letters, digits, {@code '.'}, {@code '_'} and {@code '-'}),
   *     or is so long that no channel would fit in Kafka's 249 characters.
   */
  static ChannelNaming kafka(String prefix) {
    return new KafkaTopicNaming(prefix, KafkaTopicNaming.PREFIX_KEY);
  }

  /**
   * Returns the naming for Redis keys and Pub/Sub channels: the prefix, a {@code ':'}, then the
   * channel name, as in {@code realtime:user.1}. With an empty prefix the key is the name alone.
   *
   * @param prefix the value of {@code realtime.redis.key-prefix}.
   * @throws NullPointerException if {@code prefix} is null.
   * @throws IllegalArgumentException if {@code prefix} holds whitespace or a control character.
   */
  static ChannelNaming redis(String prefix) {
    return PrefixedNaming.redis(prefix, PrefixedNaming.REDIS_PREFIX_KEY);
  }

  /**
   * Returns the naming for RabbitMQ queues and exchanges: the prefix, a {@code '.'}, then the
   * channel name, as in {@code realtime.user.1}. With an empty prefix the name is the channel name
   * alone, and channels starting with {@code amq.} are refused: RabbitMQ reserves those.
   *
   * @param prefix the value of {@code realtime.rabbitmq.name-prefix}.
   * @throws NullPointerException if {@code prefix} is null.
   * @throws IllegalArgumentException if {@code prefix} holds anything but ASCII letters, digits,
   *     {@code '.'}, {@code '_'} and {@code '-'}; is {@code amq} or starts with {@code amq.}
   *     (reserved by RabbitMQ); or is so long that no channel would fit in 255 characters.
   */
  static ChannelNaming rabbitmq(String prefix) {
    return PrefixedNaming.rabbitmq(prefix, PrefixedNaming.RABBITMQ_PREFIX_KEY);
  }

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
