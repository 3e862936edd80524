package dev.realtime.testkit.env;

import dev.realtime.Brokers;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelNaming;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.ForeignWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Writes stream entries with a bare {@code XADD} over RESP, as a Redis client that knows
 * nothing of the SDK would: the payload in the {@code payload} field, and of the SDK's other
 * fields ({@code id}, {@code event}, {@code time}, {@code content-type}) only what the form says.
 * The testkit does not depend on Lettuce, and a few bytes of RESP need no client.
 */
final class RedisForeignWriter implements ForeignWriter {
  /** The node that holds a key: the one Redis, or a cluster's primary of the key's slot. */
  private final java.util.function.Function<String, BrokerUri> nodeOf;
  private final ChannelNaming naming;

  RedisForeignWriter(RealtimeConfig config) {
    BrokerUri uri = BrokerUri.parse(config.getString(BrokerKind.REDIS.uriKey()).orElseThrow(),
        BrokerKind.REDIS, "(the environment's settings)");
    this.nodeOf = key -> uri;
    // The adapter declares how it names keys; the writer writes where the adapter reads.
    this.naming = Brokers.provider("redis").naming(config).orElseThrow();
  }

  /** On a cluster: each key written on the node {@code nodeOf} names for it. */
  RedisForeignWriter(RealtimeConfig config, java.util.function.Function<String, BrokerUri> nodeOf) {
    this.nodeOf = nodeOf;
    this.naming = Brokers.provider("redis").naming(config).orElseThrow();
  }

  @Override
  public void write(Channel channel, Form form, byte[] payload) throws IOException {
    List<byte[]> xadd = new ArrayList<>();
    String key = naming.backendName(channel);
    add(xadd, "XADD", key, "*");
    switch (form) {
      case NO_ENVELOPE:
        break;
      case PARTIAL_ENVELOPE:
        add(xadd, "event", "foreign.partial", "content-type", "application/json");
        break;
      case BAD_TIME:
        add(xadd, "id", UUID.randomUUID().toString(), "event", "foreign.bad-time", "time",
            "not-a-time", "content-type", "application/json");
        break;
      default:
        throw new IllegalArgumentException("form " + form);
    }
    add(xadd, "payload");
    xadd.add(payload);
    RedisCommands.run(nodeOf.apply(key), List.of(xadd));
  }

  static void add(List<byte[]> command, String... arguments) {
    for (String argument : arguments) {
      command.add(argument.getBytes(StandardCharsets.UTF_8));
    }
  }
}
