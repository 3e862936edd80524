package dev.realtime.benchmarks.drivers;

import dev.realtime.benchmarks.harness.Driver;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * L2 for Redis Pub/Sub: Lettuce PUBLISH, and SUBSCRIBE with a listener, as the SDK's
 * {@code pubsub} mode does (which frames each message with its id, event and timestamp).
 */
public final class RawRedisPubSubDriver implements Driver {
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final String uri;
  private @Nullable RedisClient client;
  private @Nullable StatefulRedisConnection<String, byte[]> publishing;
  private @Nullable StatefulRedisPubSubConnection<String, byte[]> subscribed;
  private String name = "";

  public RawRedisPubSubDriver(String uri) {
    this.uri = uri;
  }

  @Override
  public void start(String channel, @Nullable Consumer<ByteBuffer> sink) {
    RedisClient opened = RedisClient.create(uri);
    client = opened;
    name = "bench-raw:" + channel;
    publishing = opened.connect(CODEC);
    if (sink == null) {
      return;
    }
    StatefulRedisPubSubConnection<String, byte[]> connection = opened.connectPubSub(CODEC);
    subscribed = connection;
    connection.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String from, byte[] message) {
        sink.accept(ByteBuffer.wrap(message));
      }
    });
    connection.sync().subscribe(name);
  }

  @Override
  public CompletionStage<?> publish(byte[] payload) {
    return java.util.Objects.requireNonNull(publishing).async().publish(name, payload);
  }

  @Override
  public void close() {
    if (subscribed != null) {
      subscribed.close();
    }
    if (publishing != null) {
      publishing.close();
    }
    if (client != null) {
      client.shutdown();
    }
  }
}
