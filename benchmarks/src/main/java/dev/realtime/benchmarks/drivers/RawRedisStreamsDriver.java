package dev.realtime.benchmarks.drivers;

import dev.realtime.benchmarks.harness.Driver;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * L2 for Redis Streams: Lettuce, XADD with one binary field, and a blocking XREAD loop that
 * follows the last id, as a hand-written Redis consumer does. The SDK's broadcast path does the
 * same, plus its own fields (id, event, timestamp) and dispatch. A URI with several nodes
 * ({@code redis://h1:p1,h2:p2}) is a Redis Cluster, reached through Lettuce's cluster client.
 */
public final class RawRedisStreamsDriver implements Driver {
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final String uri;
  private final @Nullable String group;
  private final boolean envelope;
  private @Nullable AbstractRedisClient client;
  private @Nullable StatefulConnection<String, byte[]> publishing;
  private @Nullable StatefulConnection<String, byte[]> reading;
  private @Nullable Thread reader;
  private volatile boolean running;
  private String key = "";

  /**
   * @param group the consumer group to read as (XREADGROUP, then XACK of each batch once
   *     handled), as the SDK's group subscription does; null to follow the stream with XREAD
   * @param envelope whether each entry carries the SDK's fields ({@link SdkEnvelope}: id, event,
   *     time), read back as text on receipt
   */
  public RawRedisStreamsDriver(String uri, @Nullable String group, boolean envelope) {
    this.uri = uri;
    this.group = group;
    this.envelope = envelope;
  }

  @Override
  public void start(String channel, @Nullable Consumer<ByteBuffer> sink) {
    boolean cluster = uri.contains(",");
    AbstractRedisClient opened = cluster ? RedisClusterClient.create(uri) : RedisClient.create(uri);
    client = opened;
    key = "bench-raw:" + channel;
    publishing = connect(opened);
    if (sink == null) {
      return;
    }
    StatefulConnection<String, byte[]> connection = connect(opened);
    reading = connection;
    running = true;
    if (group != null) {
      sync(connection).xgroupCreate(XReadArgs.StreamOffset.from(key, "$"), group,
          XGroupCreateArgs.Builder.mkstream());
    }
    Thread thread = new Thread(() -> {
      if (group != null) {
        readGroup(connection, group, sink);
        return;
      }
      String last = "$"; // Until the first entry: from then on, exactly after the last one.
      while (running) {
        List<StreamMessage<String, byte[]>> entries = sync(connection).xread(
            XReadArgs.Builder.block(Duration.ofMillis(100)).count(500),
            XReadArgs.StreamOffset.from(key, last));
        for (StreamMessage<String, byte[]> entry : entries) {
          receive(entry, sink);
          last = entry.getId();
        }
      }
    }, "raw-redis-reader");
    thread.setDaemon(true);
    reader = thread;
    thread.start();
  }

  private static StatefulConnection<String, byte[]> connect(AbstractRedisClient client) {
    return client instanceof RedisClusterClient cluster ? cluster.connect(CODEC)
        : ((RedisClient) client).connect(CODEC);
  }

  private static RedisClusterCommands<String, byte[]> sync(
      StatefulConnection<String, byte[]> connection) {
    return connection instanceof StatefulRedisClusterConnection<String, byte[]> cluster
        ? cluster.sync() : ((StatefulRedisConnection<String, byte[]>) connection).sync();
  }

  private static RedisClusterAsyncCommands<String, byte[]> async(
      StatefulConnection<String, byte[]> connection) {
    return connection instanceof StatefulRedisClusterConnection<String, byte[]> cluster
        ? cluster.async() : ((StatefulRedisConnection<String, byte[]>) connection).async();
  }

  private void readGroup(StatefulConnection<String, byte[]> connection, String name,
      Consumer<ByteBuffer> sink) {
    io.lettuce.core.Consumer<String> member = io.lettuce.core.Consumer.from(name, "raw");
    while (running) {
      List<StreamMessage<String, byte[]>> entries = sync(connection).xreadgroup(member,
          XReadArgs.Builder.block(Duration.ofMillis(100)).count(500),
          XReadArgs.StreamOffset.lastConsumed(key));
      if (entries.isEmpty()) {
        continue;
      }
      String[] ids = new String[entries.size()];
      for (int i = 0; i < ids.length; i++) {
        receive(entries.get(i), sink);
        ids[i] = entries.get(i).getId();
      }
      async(connection).xack(key, name, ids); // Handled: acknowledged, pipelined.
    }
  }

  private void receive(StreamMessage<String, byte[]> entry, Consumer<ByteBuffer> sink) {
    Map<String, byte[]> fields = entry.getBody();
    if (envelope) {
      SdkEnvelope.text(fields.get("id"));
      SdkEnvelope.text(fields.get("event"));
      SdkEnvelope.text(fields.get("time"));
    }
    sink.accept(ByteBuffer.wrap(fields.get(envelope ? "payload" : "p")));
  }

  @Override
  public CompletionStage<?> publish(byte[] payload) {
    Map<String, byte[]> fields;
    if (envelope) { // As the SDK writes them (StreamEntries), in its order.
      fields = new java.util.LinkedHashMap<>();
      fields.put("id", SdkEnvelope.bytes(SdkEnvelope.id()));
      fields.put("event", SdkEnvelope.bytes(SdkEnvelope.EVENT));
      fields.put("time", SdkEnvelope.bytes(SdkEnvelope.time()));
      fields.put("payload", payload);
    } else {
      fields = Map.of("p", payload);
    }
    return async(java.util.Objects.requireNonNull(publishing)).xadd(key, fields);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    if (reader != null) {
      reader.join(5000);
    }
    if (publishing != null) {
      sync(publishing).del(key);
      publishing.close();
    }
    if (reading != null) {
      reading.close();
    }
    if (client != null) {
      client.shutdown();
    }
  }
}
