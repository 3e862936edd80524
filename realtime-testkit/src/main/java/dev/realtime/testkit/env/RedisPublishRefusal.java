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
  private final BrokerUri uri;
  private final ChannelNaming naming;

  RedisPublishRefusal(RealtimeConfig config) {
    this.uri = BrokerUri.parse(config.getString(BrokerKind.REDIS.uriKey()).orElseThrow(),
        BrokerKind.REDIS, "(the environment's settings)");
    this.naming = Brokers.provider("redis").naming(config).orElseThrow();
  }

  @Override
  public AutoCloseable refuse(Channel channel) throws Exception {
    String key = naming.backendName(channel);
    RedisCommands.run(uri, List.of(command("SET", key, "not a stream: publishes refused")));
    return () -> RedisCommands.run(uri, List.of(command("DEL", key)));
  }

  private static List<byte[]> command(String... arguments) {
    List<byte[]> command = new ArrayList<>();
    RedisForeignWriter.add(command, arguments);
    return command;
  }
}
