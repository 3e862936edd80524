package dev.realtime.redis;

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
 * Provides the Redis adapter, {@code realtime.broker=redis}. Channels are Redis Streams ({@code
 * user.1} is stream {@code realtime:user.1}); groups are stream consumer groups, and a dead
 * member's pending entries are taken over with XAUTOCLAIM. With {@code realtime.redis.mode=pubsub}
 * channels are Pub/Sub channels instead: ephemeral, and the broker's {@link Broker#capabilities()}
 * say so. See docs/redis.md.
 */
public final class RedisBrokerProvider implements BrokerProvider {
  /**
   * Not ORDERING_PER_KEY: a consumer group hands entries to its members in turn, with no notion
   * of key, so two members can handle one key's entries at once. A broadcast subscriber, or a
   * group of one member, does get one stream in order, and the dispatcher keeps each key's
   * messages in that order (docs/redis.md says so); the capability promises it for groups too.
   */
  static final Capabilities STREAMS_CAPABILITIES = Capabilities.of(Capability.PERSISTENCE,
      Capability.REPLAY, Capability.CONSUMER_GROUPS, Capability.PATTERN_SUBSCRIBE, Capability.DEAD_LETTER, Capability.PUBLISHER_CONFIRMS,
      Capability.RETENTION);

  /**
   * Pub/Sub delivers to the subscribers of the moment, in the order Redis ran the PUBLISHes, and
   * keeps nothing: no persistence, replay, groups, retention, nor a confirm that means "stored".
   * Dead letters are published like any message, so only a subscriber of the dead-letter
   * channel at that moment sees them.
   */
  static final Capabilities PUBSUB_CAPABILITIES = Capabilities.of(Capability.ORDERING_PER_KEY,
      Capability.PATTERN_SUBSCRIBE, Capability.DEAD_LETTER);

  @Override
  public String name() {
    return RedisBroker.NAME;
  }

  /** What the default streams mode does; a broker in pubsub mode does less, as it reports. */
  @Override
  public Capabilities capabilities() {
    return STREAMS_CAPABILITIES;
  }

  @Override
  public List<ConfigOption<?>> options() {
    return RedisOptions.ALL;
  }

  /** Keys and Pub/Sub channels: the prefix, ':', the channel name, as in realtime:user.1. */
  @Override
  public Optional<ChannelNaming> naming(RealtimeConfig config) {
    return Optional.of(naming(config.get(RedisOptions.KEY_PREFIX)));
  }

  /**
   * The naming under {@code prefix}: Redis keys may hold any byte and be 512 MiB long, but a key
   * with whitespace needs quoting in redis-cli and in every log line that shows it.
   *
   * @throws IllegalArgumentException if {@code prefix} holds whitespace or a control character
   */
  static ChannelNaming naming(String prefix) {
    return PrefixedNaming.builder("Redis", "key")
        .prefix(prefix, RedisOptions.KEY_PREFIX.name())
        .separator(":")
        .prefixCharacters(c -> !Character.isWhitespace(c) && !Character.isSpaceChar(c)
            && !Character.isISOControl(c), "remove it (no whitespace or control characters)")
        .build();
  }

  @Override
  public Broker create(BrokerContext context) {
    return new RedisBroker(context);
  }
}
