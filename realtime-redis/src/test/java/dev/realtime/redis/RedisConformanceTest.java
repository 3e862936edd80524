package dev.realtime.redis;

import dev.realtime.channel.Channel;
import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.ConformanceSuite;
import dev.realtime.testkit.ForeignWriter;
import dev.realtime.testkit.env.Environments;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The Redis adapter in streams mode against the machine's Redis (or REALTIME_TEST_REDIS_URI). */
class RedisConformanceTest extends ConformanceSuite {
  @Override
  protected BrokerEnvironment environment() {
    return Environments.redis();
  }

  /** Case 34: entries XADDed as redis-cli or another program would, with Lettuce. */
  @Override
  protected Optional<ForeignWriter> foreignWriter(BrokerEnvironment environment) {
    String uri = environment.config().get(RedisOptions.URI);
    String prefix = environment.config().get(RedisOptions.KEY_PREFIX);
    return Optional.of((Channel channel, ForeignWriter.Form form, byte[] payload) -> {
      Map<String, byte[]> fields = new LinkedHashMap<>();
      switch (form) {
        case PARTIAL_ENVELOPE:
          fields.put(StreamEntries.EVENT, StreamEntries.bytes("foreign.event"));
          fields.put(StreamEntries.CONTENT_TYPE, StreamEntries.bytes("text/plain"));
          break;
        case BAD_TIME:
          fields.put(StreamEntries.ID, StreamEntries.bytes(java.util.UUID.randomUUID()
              .toString()));
          fields.put(StreamEntries.EVENT, StreamEntries.bytes("foreign.event"));
          fields.put(StreamEntries.TIME, StreamEntries.bytes("not-a-time"));
          break;
        default:
          break;
      }
      fields.put(StreamEntries.PAYLOAD, payload);
      RedisClient client = RedisClient.create(uri);
      try (StatefulRedisConnection<String, byte[]> connection = client.connect(
          RedisBroker.CODEC)) {
        connection.sync().xadd((prefix.isEmpty() ? "" : prefix + ":") + channel.name(), fields);
      } finally {
        client.shutdown();
      }
    });
  }
}
