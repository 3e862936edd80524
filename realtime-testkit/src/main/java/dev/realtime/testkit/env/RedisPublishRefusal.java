package dev.realtime.testkit.env;

import dev.realtime.Brokers;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelNaming;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.PublishRefusal;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes Redis refuse entries to a channel's stream by putting a string where the stream would be:
 * {@code XADD} then fails with {@code WRONGTYPE}, as it does when another application took the
 * key. Deleting the string lets entries through again.
 */
final class RedisPublishRefusal implements PublishRefusal {
  /** The node that holds a key: the one Redis, or a cluster's primary of the key's slot. */
  private final java.util.function.Function<String, BrokerUri> nodeOf;
  private final ChannelNaming naming;

  RedisPublishRefusal(RealtimeConfig config) {
    BrokerUri uri = BrokerUri.parse(config.getString(BrokerKind.REDIS.uriKey()).orElseThrow(),
        BrokerKind.REDIS, "(the environment's settings)");
    this.nodeOf = key -> uri;
    // The adapter declares how it names keys; the writer writes where the adapter reads.
    this.naming = Brokers.provider("redis").naming(config).orElseThrow();
  }

  /** On a cluster: each key written on the node {@code nodeOf} names for it. */
  RedisPublishRefusal(RealtimeConfig config, java.util.function.Function<String, BrokerUri> nodeOf) {
    this.nodeOf = nodeOf;
    this.naming = Brokers.provider("redis").naming(config).orElseThrow();
  }

  @Override
  public AutoCloseable refuse(Channel channel) throws Exception {
    String key = naming.backendName(channel);
    BrokerUri node = nodeOf.apply(key);
    RedisCommands.run(node, List.of(command("SET", key, "not a stream: publishes refused")));
    return () -> RedisCommands.run(node, List.of(command("DEL", key)));
  }

  private static List<byte[]> command(String... arguments) {
    List<byte[]> command = new ArrayList<>();
    RedisForeignWriter.add(command, arguments);
    return command;
  }
}
