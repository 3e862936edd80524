package dev.realtime.rabbitmq;

import dev.realtime.Position;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelAdmin;
import dev.realtime.channel.ChannelInfo;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.channel.GroupInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Channels on RabbitMQ: a stream queue per channel, a quorum queue per group, and the {@link
 * ChannelRegistry} that remembers them, since AMQP can neither list queues nor read their
 * arguments back.
 *
 * <p>A queue's arguments are fixed when it is declared: {@code ensure} with other retention
 * than an existing stream's is refused with RabbitMQ's reason, which names the argument (change
 * it with a policy, or delete the channel and ensure it again). Count-based retention and
 * compaction do not exist for streams, and one stream is one ordered log (no partitions).
 */
final class RabbitAdmin implements ChannelAdmin {
  /** The most of a stream's last chunk describe() reads to find its end. */
  private static final int LAST_CHUNK_LIMIT = 10_000;

  private final RabbitBroker broker;
  private final Topology topology;

  RabbitAdmin(RabbitBroker broker) {
    this.broker = broker;
    this.topology = broker.topology();
  }

  @Override
  public ChannelInfo ensure(ChannelSpec spec) {
    Channel channel = spec.channel();
    refuseWhatRabbitCannotDo(spec); // A changed retention: RabbitMQ's own 406 says it.
    topology.declareStream(channel, new Topology.StreamArguments(spec.retention(),
        spec.retentionBytes(), spec.replicationFactor() == null ? null
            : Integer.valueOf(spec.replicationFactor())));
    for (String group : spec.groups()) {
      topology.declareGroupQueue(group, channel.name());
    }
    try {
      broker.registry().ensured(new ChannelRegistry.Entry(channel, spec.retention(),
          spec.retentionBytes(), new LinkedHashSet<>(spec.groups())))
          .get(broker.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new dev.realtime.BrokerUnavailableException("channel " + channel + " is declared, "
          + "but recording it in the registry failed: " + e.getMessage()
          + "; ensure it again", e);
    }
    return describe(channel).orElseThrow();
  }

  /**
   * Also refuses a retention other than the one an existing stream was declared with: RabbitMQ
   * keeps a queue's arguments as declared, and refuses to redeclare it with others.
   */
  @Override
  public void check(ChannelSpec spec) {
    refuseWhatRabbitCannotDo(spec);
    ChannelRegistry.Entry now = broker.registry().read().get(spec.channel());
    if (now != null && (!Objects.equals(now.maxAge(), spec.retention())
        || !Objects.equals(now.maxBytes(), spec.retentionBytes()))) {
      throw new IllegalArgumentException("channel " + spec.channel() + ": RabbitMQ keeps a "
          + "stream's retention as it was declared (retention " + now.maxAge()
          + ", retentionBytes " + now.maxBytes() + "), and this asks for retention "
          + spec.retention() + ", retentionBytes " + spec.retentionBytes() + ". Keep the "
          + "declared values, or delete the channel and ensure it again (its messages go).");
    }
  }

  private static void refuseWhatRabbitCannotDo(ChannelSpec spec) {
    String channel = "channel " + spec.channel() + ": ";
    if (spec.partitions() != null && spec.partitions() > 1) {
      throw new IllegalArgumentException(channel + "RabbitMQ has no partitions (partitions="
          + spec.partitions() + "); a channel is one stream, ordered as a whole. Leave "
          + "partitions unset, or use the Kafka adapter to spread a channel.");
    }
    if (spec.maxMessages() != null) {
      throw new IllegalArgumentException(channel + "RabbitMQ streams keep by age and size, not "
          + "by count (maxMessages); use retention or retentionBytes.");
    }
    if (spec.compacted()) {
      throw new IllegalArgumentException(channel + "RabbitMQ streams cannot be compacted; "
          + "leave compacted false.");
    }
  }

  @Override
  public Optional<ChannelInfo> describe(Channel channel) {
    if (!topology.exists(topology.streamOf(channel))) {
      return Optional.empty();
    }
    ChannelRegistry.Entry entry = broker.registry().read().get(channel);
    List<GroupInfo> groups = new ArrayList<>();
    for (String group : entry == null ? Set.<String>of() : entry.groups()) {
      Integer ready = topology.messageCount(topology.groupQueue(group, channel.name()));
      if (ready != null) {
        // RabbitMQ tells the messages ready for the group, not those delivered and unacked.
        groups.add(new GroupInfo(group, 0, (long) ready));
      }
    }
    groups.sort(Comparator.comparing(GroupInfo::name));
    long[] extent = extent(topology.streamOf(channel));
    return Optional.of(new ChannelInfo(channel, topology.streamOf(channel), 1,
        extent == null ? ChannelInfo.UNKNOWN : extent.length == 0 ? 0
            : extent[1] - extent[0] + 1,
        extent == null || extent.length == 0 ? null : Position.ofOffset(extent[0]),
        extent == null || extent.length == 0 ? null : Position.ofOffset(extent[1]),
        entry == null ? null : entry.maxAge(), groups));
  }

  /**
   * The first and last offset of {@code queue}, a stream, read from it: its first message, and
   * its last chunk to the end; an empty array if RabbitMQ sent nothing from the start within a
   * second (the rule history uses), null if the end could not be read. AMQP tells neither a
   * stream's length (queue.declare-ok counts 0 for a stream) nor its offsets, and a stream's
   * offsets are consecutive, so the count is last - first + 1.
   */
  private long @Nullable [] extent(String queue) {
    try {
      topology.awaitOpen();
      List<StreamReader.Delivery> head = StreamReader.read(broker.connection(), queue, "first",
          1, StreamReader.QUIET, broker.timeout());
      if (head.isEmpty()) {
        return new long[0];
      }
      long first = AmqpMessages.streamOffset(head.get(0).properties());
      List<StreamReader.Delivery> tail = StreamReader.read(broker.connection(), queue, "last",
          LAST_CHUNK_LIMIT, StreamReader.QUIET, broker.timeout());
      long last = -1;
      for (StreamReader.Delivery delivery : tail) {
        last = Math.max(last, AmqpMessages.streamOffset(delivery.properties()));
      }
      // A last chunk longer than the limit (or still growing) was not read to its end.
      return first < 0 || last < first || tail.size() >= LAST_CHUNK_LIMIT ? null
          : new long[] {first, last};
    } catch (RuntimeException e) {
      return null; // Unknown, rather than a describe that fails for want of a count.
    }
  }

  @Override
  public List<Channel> list() {
    List<Channel> channels = new ArrayList<>();
    for (Map.Entry<Channel, ChannelRegistry.Entry> entry : broker.registry().read().entrySet()) {
      channels.add(entry.getKey());
    }
    channels.sort(Comparator.comparing(Channel::name));
    return channels;
  }

  /** Deletes the stream, the groups' queues the registry knows, and records the deletion. */
  @Override
  public boolean delete(Channel channel) {
    ChannelRegistry.Entry entry = broker.registry().read().get(channel);
    boolean existed = topology.delete(topology.streamOf(channel));
    if (entry != null) {
      for (String group : entry.groups()) {
        topology.delete(topology.groupQueue(group, channel.name()));
      }
    }
    topology.forget(channel);
    if (existed || entry != null) {
      broker.registry().deleted(channel);
    }
    return existed;
  }
}
