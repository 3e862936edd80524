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
 * {@code pubsub} mode does (which frames each message with its id, event and timestamp: the
 * driver's envelope variant frames them the same way).
 */
public final class RawRedisPubSubDriver implements Driver {
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final String uri;
  private final boolean envelope;
  private @Nullable RedisClient client;
  private @Nullable StatefulRedisConnection<String, byte[]> publishing;
  private @Nullable StatefulRedisPubSubConnection<String, byte[]> subscribed;
  private String name = "";

  /**
   * @param envelope whether each message is the SDK's frame ({@link SdkEnvelope#frame}: id,
   *     event, time and payload), unframed on receipt
   */
  public RawRedisPubSubDriver(String uri, boolean envelope) {
    this.uri = uri;
    this.envelope = envelope;
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
        sink.accept(ByteBuffer.wrap(envelope ? SdkEnvelope.unframe(message) : message));
      }
    });
    connection.sync().subscribe(name);
  }

  @Override
  public CompletionStage<?> publish(byte[] payload) {
    return java.util.Objects.requireNonNull(publishing).async().publish(name,
        envelope ? SdkEnvelope.frame(payload) : payload);
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
