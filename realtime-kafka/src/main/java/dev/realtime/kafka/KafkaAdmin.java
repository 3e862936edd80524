package dev.realtime.kafka;

import dev.realtime.BrokerUnavailableException;
import dev.realtime.Position;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelAdmin;
import dev.realtime.channel.ChannelInfo;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.channel.GroupInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Channels as Kafka topics, through the Admin client: create with partitions, replication,
 * retention and cleanup policy; grow partitions (never shrink); describe with offsets and group
 * lag; refuse a topic that would collide with an existing one under Kafka's '.'/'_' rule.
 */
final class KafkaAdmin implements ChannelAdmin {
  private final KafkaBroker broker;

  KafkaAdmin(KafkaBroker broker) {
    this.broker = broker;
  }

  @Override
  public void check(ChannelSpec spec) {
    refuseCount(spec);
    refuseCollision(spec, call(() -> broker.adminClient().listTopics().names(),
        "list topics"));
  }

  private static void refuseCount(ChannelSpec spec) {
    if (spec.maxMessages() != null) {
      throw new IllegalArgumentException("Kafka keeps messages by time and size, not by count ("
          + spec.channel() + "): use retention(...) or retentionBytes(...) instead of "
          + "maxMessages(...)");
    }
  }

  private void refuseCollision(ChannelSpec spec, Set<String> existing) {
    String topic = broker.naming().backendName(spec.channel());
    for (String other : existing) {
      if (!other.equals(topic) && other.replace('.', '_').equals(topic.replace('.', '_'))) {
        throw new IllegalArgumentException("topic " + topic + " for channel " + spec.channel()
            + " would collide with existing topic " + other + ": Kafka treats '.' and '_' as "
            + "the same in metric names. Rename or delete " + other + ".");
      }
    }
  }

  @Override
  public ChannelInfo ensure(ChannelSpec spec) {
    refuseCount(spec);
    String topic = broker.naming().backendName(spec.channel());
    Admin admin = broker.adminClient();
    Set<String> existing = call(() -> admin.listTopics().names(), "list topics");
    refuseCollision(spec, existing);
    Map<String, String> configs = new HashMap<>();
    if (spec.retention() != null) {
      configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(spec.retention().toMillis()));
      // Retention applies to closed segments: keep segments short next to a short retention.
      if (spec.retention().compareTo(Duration.ofHours(1)) < 0) {
        configs.put(TopicConfig.SEGMENT_MS_CONFIG, Long.toString(spec.retention().toMillis()));
      }
    }
    if (spec.retentionBytes() != null) {
      configs.put(TopicConfig.RETENTION_BYTES_CONFIG, Long.toString(spec.retentionBytes()));
    }
    if (spec.compacted()) {
      configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    }
    if (!existing.contains(topic)) {
      broker.createTopic(broker.newTopic(topic, spec.partitions(), spec.replicationFactor(),
          configs));
    } else {
      int current = describeTopic(topic).partitions().size();
      if (spec.partitions() != null && spec.partitions() < current) {
        throw new IllegalArgumentException("channel " + spec.channel() + " has " + current
            + " partitions; Kafka cannot reduce them to " + spec.partitions() + " (keys would "
            + "move and lose their order). Keep " + current + " or more.");
      }
      if (spec.partitions() != null && spec.partitions() > current) {
        call(() -> admin.createPartitions(Map.of(topic,
            NewPartitions.increaseTo(spec.partitions()))).all(), "add partitions to " + topic);
      }
      if (!configs.isEmpty()) {
        List<AlterConfigOp> ops = new ArrayList<>();
        configs.forEach((key, value) -> ops.add(
            new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET)));
        call(() -> admin.incrementalAlterConfigs(Map.of(
            new ConfigResource(ConfigResource.Type.TOPIC, topic), ops)).all(),
            "configure " + topic);
      }
    }
    Optional<ChannelInfo> info = describeOnceKnown(spec.channel());
    if (info.isEmpty()) {
      throw broker.unavailable("see topic " + topic + " after creating it",
          new IllegalStateException("not in the topic list"));
    }
    for (String group : spec.groups()) {
      createGroupAtEnd(group, topic);
    }
    return spec.groups().isEmpty() ? info.get() : describe(spec.channel()).orElseThrow();
  }

  /**
   * Describes a topic just created, within the timeout. Kafka's metadata is eventually
   * consistent, and per broker: the topic may not be listed yet, or be listed by one broker
   * while another, asked for its offsets, does not know it yet (UnknownTopicOrPartition: seen
   * on a three-node cluster, in the conformance suite's stress case). Both mean "not yet".
   */
  private Optional<ChannelInfo> describeOnceKnown(Channel channel) {
    long deadline = System.nanoTime() + broker.timeout().toNanos();
    while (true) {
      try {
        Optional<ChannelInfo> info = describe(channel);
        if (info.isPresent() || System.nanoTime() >= deadline) {
          return info;
        }
      } catch (BrokerUnavailableException e) {
        if (!unknownTopic(e) || System.nanoTime() >= deadline) {
          throw e;
        }
      }
    }
  }

  private static boolean unknownTopic(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof UnknownTopicOrPartitionException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Commits the group's offsets at the topic's end, unless it has offsets there: from then on
   * the group keeps what is published, even before its first member attaches.
   */
  private void createGroupAtEnd(String group, String topic) {
    Map<TopicPartition, Long> start = uncommittedEnds(group, partitions(topic));
    if (!start.isEmpty()) {
      commitStart(group, start, "create group " + group + " on " + topic);
    }
  }

  /**
   * Returns, for those of {@code parts} where {@code group} has no committed offset, their end
   * offsets now: where a group from "latest" starts.
   */
  Map<TopicPartition, Long> uncommittedEnds(String group, List<TopicPartition> parts) {
    if (parts.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, OffsetAndMetadata> current = call(() -> broker.adminClient()
        .listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(),
        "read offsets of group " + group);
    Map<TopicPartition, Long> out = new HashMap<>();
    endOffsets(parts).forEach((part, end) -> {
      if (current.get(part) == null) {
        out.put(part, end);
      }
    });
    return out;
  }

  /**
   * Commits {@code offsets} for {@code group} from outside it. Kafka accepts this only while
   * the group has no members.
   *
   * @throws dev.realtime.BrokerUnavailableException if Kafka refused or did not answer
   */
  void commitStart(String group, Map<TopicPartition, Long> offsets, String operation) {
    Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
    offsets.forEach((part, offset) -> start.put(part, new OffsetAndMetadata(offset)));
    call(() -> broker.adminClient().alterConsumerGroupOffsets(group, start).all(), operation);
  }

  @Override
  public Optional<ChannelInfo> describe(Channel channel) {
    String topic = broker.naming().backendName(channel);
    Admin admin = broker.adminClient();
    if (!call(() -> admin.listTopics().names(), "list topics").contains(topic)) {
      return Optional.empty();
    }
    List<TopicPartition> parts = partitions(topic);
    Map<TopicPartition, Long> start = offsets(parts, OffsetSpec.earliest());
    Map<TopicPartition, Long> end = offsets(parts, OffsetSpec.latest());
    long count = 0;
    List<String> first = new ArrayList<>();
    List<String> last = new ArrayList<>();
    for (TopicPartition part : parts) {
      long from = start.get(part);
      long to = end.get(part);
      count += to - from;
      if (to > from) {
        first.add(part.partition() + ":" + from);
        last.add(part.partition() + ":" + (to - 1));
      }
    }
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    ConfigEntry retention = call(() -> admin.describeConfigs(List.of(resource)).all(),
        "describe " + topic).get(resource).get(TopicConfig.RETENTION_MS_CONFIG);
    Duration retained = retention == null || retention.value() == null
        || Long.parseLong(retention.value()) < 0 ? null
        : Duration.ofMillis(Long.parseLong(retention.value()));
    return Optional.of(new ChannelInfo(channel, topic, parts.size(), count,
        first.isEmpty() ? null : Position.of(String.join(",", first)),
        last.isEmpty() ? null : Position.of(String.join(",", last)), retained,
        groups(parts, end)));
  }

  private List<GroupInfo> groups(List<TopicPartition> parts, Map<TopicPartition, Long> end) {
    Admin admin = broker.adminClient();
    List<GroupInfo> out = new ArrayList<>();
    Collection<ConsumerGroupListing> listings = call(() -> admin.listConsumerGroups().all(),
        "list groups");
    for (ConsumerGroupListing listing : listings) {
      Map<TopicPartition, OffsetAndMetadata> offsets = call(() -> admin
          .listConsumerGroupOffsets(listing.groupId()).partitionsToOffsetAndMetadata(),
          "read offsets of group " + listing.groupId());
      long lag = 0;
      boolean reads = false;
      for (TopicPartition part : parts) {
        OffsetAndMetadata offset = offsets.get(part);
        if (offset != null) {
          reads = true;
          lag += Math.max(0, end.get(part) - offset.offset());
        }
      }
      if (reads) {
        out.add(new GroupInfo(listing.groupId(), 0, lag));
      }
    }
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return out;
  }

  @Override
  public List<Channel> list() {
    List<Channel> channels = new ArrayList<>();
    for (String topic : call(() -> broker.adminClient().listTopics().names(), "list topics")) {
      broker.naming().channelOf(topic).ifPresent(channels::add);
    }
    channels.sort(null);
    return channels;
  }

  @Override
  public boolean delete(Channel channel) {
    String topic = broker.naming().backendName(channel);
    broker.forgetTopic(channel);
    try {
      broker.adminClient().deleteTopics(List.of(topic)).all()
          .get(broker.timeout().toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return false;
      }
      throw broker.unavailable("delete topic " + topic, e);
    } catch (Exception e) {
      throw broker.unavailable("delete topic " + topic, e);
    }
  }

  private TopicDescription describeTopic(String topic) {
    return call(() -> broker.adminClient().describeTopics(List.of(topic)).allTopicNames(),
        "describe " + topic).get(topic);
  }

  private List<TopicPartition> partitions(String topic) {
    List<TopicPartition> parts = new ArrayList<>();
    describeTopic(topic).partitions().forEach(p -> parts.add(new TopicPartition(topic,
        p.partition())));
    return parts;
  }

  private Map<TopicPartition, Long> endOffsets(List<TopicPartition> parts) {
    return offsets(parts, OffsetSpec.latest());
  }

  private Map<TopicPartition, Long> offsets(List<TopicPartition> parts, OffsetSpec which) {
    Map<TopicPartition, OffsetSpec> query = new HashMap<>();
    parts.forEach(part -> query.put(part, which));
    Map<TopicPartition, Long> out = new HashMap<>();
    call(() -> broker.adminClient().listOffsets(query).all(), "read offsets")
        .forEach((part, info) -> out.put(part, info.offset()));
    return out;
  }

  /** Runs an admin call within the connect timeout; failures name the operation. */
  private <T> T call(java.util.concurrent.Callable<org.apache.kafka.common.KafkaFuture<T>> call,
      String operation) {
    try {
      return call.call().get(broker.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw broker.unavailable(operation, e);
    }
  }
}
