package dev.realtime.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import dev.realtime.channel.Channel;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The channels that exist, with their settings: a stream queue, {@code <prefix>.~channels},
 * of records "channel X ensured with these settings" and "channel X deleted", read from the
 * start and folded.
 *
 * <p>Why: AMQP 0-9-1 cannot list queues (that takes the management plugin's HTTP API, which is
 * often off, as on the machines this is tested on), nor read back a queue's arguments. A record
 * is written when a channel's stream is created (first use, or {@link RabbitAdmin#ensure}),
 * when its settings or groups change, and when it is deleted; so the registry grows with those
 * changes, not with traffic.
 */
final class ChannelRegistry {
  private static final String OP = "op";
  private static final String CHANNEL = "channel";
  private static final String MAX_AGE = "max-age-ms";
  private static final String MAX_BYTES = "max-bytes";
  private static final String GROUPS = "groups";
  private static final Duration QUIET = Duration.ofMillis(500);

  private final Connection connection;
  private final Topology topology;
  private final Publisher publisher;
  private final Duration timeout;

  /** What the registry knows of a channel. */
  record Entry(Channel channel, @Nullable Duration maxAge, @Nullable Long maxBytes,
      Set<String> groups) {}

  ChannelRegistry(Connection connection, Topology topology, Publisher publisher,
      Duration timeout) {
    this.connection = connection;
    this.topology = topology;
    this.publisher = publisher;
    this.timeout = timeout;
    topology.declare(amqp -> amqp.queueDeclare(topology.registryQueue(), true, false, false,
        Map.of("x-queue-type", "stream")));
  }

  /** Records that {@code entry}'s channel exists, with these settings and groups. */
  CompletableFuture<Void> ensured(Entry entry) {
    Map<String, Object> headers = new HashMap<>();
    headers.put(OP, "ensure");
    headers.put(CHANNEL, topology.streamOf(entry.channel()));
    if (entry.maxAge() != null) {
      headers.put(MAX_AGE, entry.maxAge().toMillis());
    }
    if (entry.maxBytes() != null) {
      headers.put(MAX_BYTES, entry.maxBytes());
    }
    headers.put(GROUPS, String.join(",", entry.groups()));
    return write(headers);
  }

  /** Records that {@code channel} was deleted. */
  CompletableFuture<Void> deleted(Channel channel) {
    Map<String, Object> headers = new HashMap<>();
    headers.put(OP, "delete");
    headers.put(CHANNEL, topology.streamOf(channel));
    return write(headers);
  }

  private CompletableFuture<Void> write(Map<String, Object> headers) {
    String id = UUID.randomUUID().toString();
    return publisher.publish("", topology.registryQueue(), new Publisher.Outgoing(id,
        new AMQP.BasicProperties.Builder().messageId(id).deliveryMode(2), headers), new byte[0]);
  }

  /** Every channel recorded and not deleted since, in the order first recorded. */
  Map<Channel, Entry> read() {
    Map<Channel, Entry> channels = new LinkedHashMap<>();
    // Longer than history's quiet period: a record missed here hides a channel from list() and
    // keeps delete() from removing a group's queue.
    topology.awaitOpen();
    List<StreamReader.Delivery> records = StreamReader.read(connection,
        topology.registryQueue(), "first", Integer.MAX_VALUE, QUIET, timeout);
    for (StreamReader.Delivery record : records) {
      Map<String, Object> headers = record.properties().getHeaders();
      if (headers == null || headers.get(CHANNEL) == null) {
        continue;
      }
      // The record names the stream queue: the naming turns it back into the channel.
      Optional<Channel> channel = topology.naming().channelOf(headers.get(CHANNEL).toString());
      if (channel.isEmpty()) {
        continue;
      }
      if ("delete".equals(String.valueOf(headers.get(OP)))) {
        channels.remove(channel.get());
        continue;
      }
      Entry known = channels.get(channel.get());
      Set<String> groups = new LinkedHashSet<>(known == null ? Set.of() : known.groups());
      String named = headers.get(GROUPS) == null ? "" : headers.get(GROUPS).toString();
      for (String group : named.split(",")) {
        if (!group.isBlank()) {
          groups.add(group);
        }
      }
      Duration maxAge = headers.get(MAX_AGE) instanceof Number
          ? Duration.ofMillis(((Number) headers.get(MAX_AGE)).longValue())
          : known == null ? null : known.maxAge();
      Long maxBytes = headers.get(MAX_BYTES) instanceof Number
          ? Long.valueOf(((Number) headers.get(MAX_BYTES)).longValue())
          : known == null ? null : known.maxBytes();
      channels.put(channel.get(), new Entry(channel.get(), maxAge, maxBytes, groups));
    }
    return channels;
  }
}
