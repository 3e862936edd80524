package dev.realtime.benchmarks.drivers;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.realtime.benchmarks.harness.Driver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * L2 for RabbitMQ: amqp-client with publisher confirms, and a consumer with manual acks and the
 * SDK's prefetch (256). The broker does the SDK's work: each message is published to a topic
 * exchange with the channel's name as routing key, which routes it to the channel's stream
 * queue (its history, what a broadcast subscriber reads from {@code next}) and, on the group
 * path, to the group's quorum queue as well, which the consumer then reads. Without that the
 * raw client would write each message once where the SDK writes it twice, and the ratio would
 * measure the broker's extra write instead of the SDK. Publishing and consuming have
 * connections of their own, as in the SDK.
 */
public final class RawRabbitDriver implements Driver {
  /** The queue the consumer reads. */
  public enum QueueType {
    /** The group's quorum queue: the SDK's group path. */
    QUORUM,
    /** The channel's stream, from {@code next}: the SDK's broadcast path. */
    STREAM
  }

  private static final int PREFETCH = 256;
  /** The raw side's own exchange, durable and shared by its runs as the SDK's is. */
  private static final String EXCHANGE = "bench-raw";

  private final String uri;
  private final QueueType type;
  private final boolean envelope;
  private final ConcurrentNavigableMap<Long, CompletableFuture<Void>> outstanding =
      new ConcurrentSkipListMap<>();
  private final Object writing = new Object();
  private @Nullable Connection publishingConnection;
  private @Nullable Connection consumingConnection;
  private @Nullable Channel publishing;
  private String routingKey = "";
  private String stream = "";
  private String queue = "";

  /**
   * @param envelope whether each message carries the SDK's properties and headers ({@link
   *     SdkEnvelope}: message id, type, content type, timestamp, persistent, the time header),
   *     read back on receipt
   */
  public RawRabbitDriver(String uri, QueueType type, boolean envelope) {
    this.uri = uri;
    this.type = type;
    this.envelope = envelope;
  }

  @Override
  public void start(String channel, @Nullable Consumer<ByteBuffer> sink) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri);
    if (factory.getVirtualHost().isEmpty()) {
      factory.setVirtualHost("/"); // amqp://host/ means "/", as the SDK reads it.
    }
    publishingConnection = factory.newConnection("bench-raw-publish");
    consumingConnection = factory.newConnection("bench-raw-consume");
    routingKey = channel;
    Channel consuming = consumingConnection.createChannel();
    consuming.exchangeDeclare(EXCHANGE, BuiltinExchangeType.TOPIC, true);
    stream = EXCHANGE + "." + channel;
    consuming.queueDeclare(stream, true, false, false, Map.of("x-queue-type", "stream"));
    consuming.queueBind(stream, EXCHANGE, routingKey);
    queue = stream;
    if (type == QueueType.QUORUM) { // The group's queue, beside the stream, as the SDK's.
      queue = EXCHANGE + ".~group.bench~" + channel;
      consuming.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
      consuming.queueBind(queue, EXCHANGE, routingKey);
    }
    if (sink != null) {
      consuming.basicQos(PREFETCH);
      Map<String, Object> arguments = type == QueueType.STREAM
          ? Map.of("x-stream-offset", "next") : Map.of();
      consuming.basicConsume(queue, false, arguments, new DefaultConsumer(consuming) {
        @Override
        public void handleDelivery(String tag, Envelope delivery,
            AMQP.BasicProperties properties, byte[] body) throws IOException {
          if (envelope) { // Read as the SDK reads them (amqp-client decoded them already).
            properties.getMessageId().hashCode();
            properties.getType().hashCode();
            properties.getHeaders().get("realtime-time").toString().hashCode();
          }
          sink.accept(ByteBuffer.wrap(body));
          consuming.basicAck(delivery.getDeliveryTag(), false);
        }
      });
    }
    Channel opened = publishingConnection.createChannel();
    opened.confirmSelect();
    opened.addConfirmListener((tag, multiple) -> settle(tag, multiple, null),
        (tag, multiple) -> settle(tag, multiple, "nacked"));
    publishing = opened;
  }

  private void settle(long tag, boolean multiple, @Nullable String failure) {
    Map<Long, CompletableFuture<Void>> done = multiple ? outstanding.headMap(tag, true)
        : outstanding.subMap(tag, true, tag, true);
    for (Map.Entry<Long, CompletableFuture<Void>> entry : Map.copyOf(done).entrySet()) {
      outstanding.remove(entry.getKey());
      if (failure == null) {
        entry.getValue().complete(null);
      } else {
        entry.getValue().completeExceptionally(new IOException(failure));
      }
    }
  }

  @Override
  public CompletionStage<?> publish(byte[] payload) {
    CompletableFuture<Void> confirmed = new CompletableFuture<>();
    Channel channel = java.util.Objects.requireNonNull(publishing);
    synchronized (writing) {
      long sequence = channel.getNextPublishSeqNo();
      outstanding.put(sequence, confirmed);
      try {
        channel.basicPublish(EXCHANGE, routingKey, true,
            envelope ? envelope(sequence) : null, payload);
      } catch (IOException e) {
        outstanding.remove(sequence);
        confirmed.completeExceptionally(e);
      }
    }
    return confirmed;
  }

  /** As the SDK's (AmqpMessages, Publisher): properties, the time and the publish's number. */
  private static AMQP.BasicProperties envelope(long sequence) {
    String id = SdkEnvelope.id();
    Map<String, Object> headers = new java.util.HashMap<>();
    headers.put("realtime-time", SdkEnvelope.time());
    headers.put("x-realtime-publish", sequence);
    return new AMQP.BasicProperties.Builder().messageId(id).type(SdkEnvelope.EVENT)
        .contentType("application/octet-stream").timestamp(new java.util.Date())
        .deliveryMode(2).headers(headers).build();
  }

  @Override
  public void close() throws Exception {
    if (consumingConnection != null) {
      try (Channel admin = consumingConnection.createChannel()) {
        admin.queueDelete(stream);
        if (!queue.equals(stream)) {
          admin.queueDelete(queue);
        }
      }
      consumingConnection.close();
    }
    if (publishingConnection != null) {
      publishingConnection.close();
    }
  }
}
