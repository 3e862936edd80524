package dev.realtime.memory;

import dev.realtime.Position;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelAdmin;
import dev.realtime.channel.ChannelInfo;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.channel.GroupInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Channel management for the in-memory broker. Partitions and replication are accepted and
 * ignored, so that a catalogue written for Kafka applies here too: one in-memory log keeps
 * per-key order without partitions. Compaction is refused.
 */
final class MemoryAdmin implements ChannelAdmin {
  private final MemoryBroker broker;

  MemoryAdmin(MemoryBroker broker) {
    this.broker = broker;
  }

  @Override
  public ChannelInfo ensure(ChannelSpec spec) {
    check(spec);
    ChannelLog log = broker.log(spec.channel());
    log.configure(spec.retention(), spec.retentionBytes(), spec.maxMessages());
    for (String group : spec.groups()) {
      broker.ensureGroup(group, log);
    }
    return info(log);
  }

  @Override
  public void check(ChannelSpec spec) {
    if (spec.compacted()) {
      throw new IllegalArgumentException("the memory broker does not compact channels ("
          + spec.channel() + "); leave compacted unset when running on memory");
    }
  }

  @Override
  public Optional<ChannelInfo> describe(Channel channel) {
    ChannelLog log = broker.existingLog(channel);
    return log == null ? Optional.empty() : Optional.of(info(log));
  }

  @Override
  public List<Channel> list() {
    List<Channel> channels = new ArrayList<>();
    for (ChannelLog log : broker.logs()) {
      channels.add(log.channel);
    }
    channels.sort(null);
    return channels;
  }

  @Override
  public boolean delete(Channel channel) {
    return broker.delete(channel);
  }

  private ChannelInfo info(ChannelLog log) {
    long start = log.startOffset();
    long end = log.endOffset();
    List<GroupInfo> groups = new ArrayList<>();
    for (GroupCursor cursor : broker.groupsOf(log.channel)) {
      groups.add(new GroupInfo(cursor.group(), cursor.pending(), cursor.lag()));
    }
    groups.sort((a, b) -> a.name().compareTo(b.name()));
    return new ChannelInfo(log.channel, log.channel.name(), 1, end - start,
        end > start ? Position.ofOffset(start) : null,
        end > start ? Position.ofOffset(end - 1) : null,
        log.retention(), groups);
  }
}
