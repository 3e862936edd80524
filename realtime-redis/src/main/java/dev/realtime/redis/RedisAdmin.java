package dev.realtime.redis;

import dev.realtime.Position;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelAdmin;
import dev.realtime.channel.ChannelInfo;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.channel.GroupInfo;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Channels on Redis: a stream per channel plus its entry in the {@link ChannelRegistry}, which
 * holds the retention every publisher applies.
 *
 * <p>What Redis cannot do is refused by name rather than ignored: a stream has no partitions (a
 * channel is one ordered log), no per-key replication (that is the server's {@code replicaof}),
 * no size limit in bytes and no compaction. In Pub/Sub mode a channel keeps nothing, so every
 * setting but the name is refused.
 */
final class RedisAdmin implements ChannelAdmin {
  private final RedisBroker broker;
  private final RedisClusterAsyncCommands<String, byte[]> commands;

  RedisAdmin(RedisBroker broker) {
    this.broker = broker;
    this.commands = broker.commands();
  }

  @Override
  public ChannelInfo ensure(ChannelSpec spec) {
    Channel channel = spec.channel();
    String key = broker.naming().backendName(channel);
    check(spec);
    if (broker.isPubSub()) {
      broker.await(broker.registry().register(channel), "register " + channel);
      return describe(channel).orElseThrow();
    }
    Retention known = broker.await(broker.registry().read(channel), "read " + channel)
        .orElse(Retention.NONE);
    // A spec that says nothing of a limit keeps the one set before: ensure(groups) alone must
    // not wipe a retention.
    Retention retention = new Retention(
        spec.maxMessages() != null ? spec.maxMessages() : known.maxMessages(),
        spec.retention() != null ? spec.retention() : known.maxAge());
    broker.await(broker.registry().put(channel, retention), "register " + channel);
    for (String group : spec.groups()) {
      try {
        broker.await(commands.xgroupCreate(StreamOffset.latest(key), group,
            new XGroupCreateArgs().mkstream(true)), "create group " + group + " on " + key);
      } catch (dev.realtime.RealtimeException e) {
        if (!StreamSubscription.isBusyGroup(e.getCause())) {
          throw e;
        }
      }
    }
    trimNow(key, retention);
    return describe(channel).orElseThrow();
  }

  @Override
  public void check(ChannelSpec spec) {
    String channel = "channel " + spec.channel() + ": ";
    if (spec.partitions() != null && spec.partitions() > 1) {
      throw new IllegalArgumentException(channel + "Redis has no partitions (partitions="
          + spec.partitions() + "); a channel is one stream, ordered as a whole. Leave "
          + "partitions unset, or use the Kafka adapter to spread a channel.");
    }
    if (spec.replicationFactor() != null && spec.replicationFactor() > 1) {
      throw new IllegalArgumentException(channel + "Redis replicates the whole server "
          + "(replicaof), not a channel; leave replicationFactor unset.");
    }
    if (spec.retentionBytes() != null) {
      throw new IllegalArgumentException(channel + "Redis cannot trim a stream by size "
          + "(retentionBytes); use retention (an age) or maxMessages.");
    }
    if (spec.compacted()) {
      throw new IllegalArgumentException(channel + "Redis streams cannot be compacted; "
          + "leave compacted false.");
    }
    if (broker.isPubSub() && (spec.retention() != null || spec.maxMessages() != null
        || !spec.groups().isEmpty())) {
      throw new IllegalArgumentException(channel + "in pubsub mode (realtime.redis.mode) a "
          + "channel keeps nothing, so retention, maxMessages and groups do not apply; use "
          + "realtime.redis.mode=streams for them.");
    }
  }

  /** Applies a lowered retention at once, not only at the next publish. */
  private void trimNow(String key, Retention retention) {
    if (retention.isNone()) {
      return;
    }
    XTrimArgs trim = new XTrimArgs();
    if (retention.maxAge() != null) {
      trim.minId(Math.max(0, System.currentTimeMillis() - retention.maxAge().toMillis()) + "-0");
    } else {
      trim.maxlen(retention.maxMessages());
    }
    broker.await(commands.xtrim(key, trim.approximateTrimming()), "trim " + key);
    XTrimArgs extra = retention.extraTrim(false);
    if (extra != null) {
      broker.await(commands.xtrim(key, extra), "trim " + key);
    }
  }

  /**
   * In pubsub mode a channel exists once ensured (it keeps nothing, so there is nothing else to
   * show), and a stream of the same name, which belongs to streams mode, is not looked at.
   */
  @Override
  public Optional<ChannelInfo> describe(Channel channel) {
    String key = broker.naming().backendName(channel);
    Optional<Retention> registered = broker.await(broker.registry().read(channel),
        "read " + channel);
    if (broker.isPubSub()) {
      return registered.map(r -> new ChannelInfo(channel, key, 1, 0, null, null, null,
          List.of()));
    }
    long exists = broker.await(commands.exists(key), "look for " + key);
    if (registered.isEmpty() && exists == 0) {
      return Optional.empty();
    }
    Duration retention = registered.map(Retention::maxAge).orElse(null);
    if (exists == 0) {
      return Optional.of(new ChannelInfo(channel, key, 1, 0, null, null, retention, List.of()));
    }
    long length = broker.await(commands.xlen(key), "count " + key);
    Position first = position(broker.await(commands.xrange(key, Range.create("-", "+"),
        Limit.from(1)), "read " + key));
    Position last = position(broker.await(commands.xrevrange(key, Range.create("-", "+"),
        Limit.from(1)), "read " + key));
    List<GroupInfo> groups = new ArrayList<>();
    for (GroupInfos.Group group : GroupInfos.read(broker.await(commands.xinfoGroups(key),
        "read groups of " + key))) {
      groups.add(new GroupInfo(group.name(), group.pending(), group.lag()));
    }
    groups.sort(Comparator.comparing(GroupInfo::name));
    return Optional.of(new ChannelInfo(channel, key, 1, length, first, last, retention, groups));
  }

  private static @Nullable Position position(List<StreamMessage<String, byte[]>> entries) {
    return entries.isEmpty() ? null : Position.of(entries.get(0).getId());
  }

  @Override
  public List<Channel> list() {
    List<Channel> channels = new ArrayList<>(broker.await(broker.registry().channels(),
        "list channels"));
    channels.sort(Comparator.comparing(Channel::name));
    return channels;
  }

  /**
   * Deletes the stream (its groups go with it) and the registry entry. In pubsub mode only the
   * entry: a stream of the same name is streams mode's.
   */
  @Override
  public boolean delete(Channel channel) {
    String key = broker.naming().backendName(channel);
    boolean registered = broker.await(broker.registry().remove(channel), "delete " + channel);
    if (broker.isPubSub()) {
      return registered;
    }
    long deleted = broker.await(commands.del(key), "delete " + key);
    return registered || deleted > 0;
  }
}
