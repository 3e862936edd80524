package dev.realtime.benchmarks.drivers;

import com.rabbitmq.client.AMQP;
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
 * L2 for RabbitMQ: amqp-client with publisher confirms into one queue, and a consumer with
 * manual acks and the SDK's prefetch (256). A quorum queue is the SDK's group path; a stream
 * queue, read from {@code next}, its broadcast path. Publishing and consuming have connections
 * of their own, as in the SDK.
 */
public final class RawRabbitDriver implements Driver {
  /** The queue types compared. */
  public enum QueueType {
    QUORUM("quorum"), STREAM("stream");

    final String argument;

    QueueType(String argument) {
      this.argument = argument;
    }
  }

  private static final int PREFETCH = 256;

  private final String uri;
  private final QueueType type;
  private final boolean envelope;
  private final ConcurrentNavigableMap<Long, CompletableFuture<Void>> outstanding =
      new ConcurrentSkipListMap<>();
  private final Object writing = new Object();
  private @Nullable Connection publishingConnection;
  private @Nullable Connection consumingConnection;
  private @Nullable Channel publishing;
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
    queue = "bench-raw." + type.argument + "." + channel;
    Channel consuming = consumingConnection.createChannel();
    consuming.queueDeclare(queue, true, false, false, Map.of("x-queue-type", type.argument));
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
        channel.basicPublish("", queue, true, envelope ? envelope(sequence) : null, payload);
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
        admin.queueDelete(queue);
      }
      consumingConnection.close();
    }
    if (publishingConnection != null) {
      publishingConnection.close();
    }
  }
}
