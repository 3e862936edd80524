package dev.realtime.benchmarks.drivers;

import dev.realtime.benchmarks.harness.Driver;
import dev.realtime.kafka.CompactEnvelopes;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

/**
 * L2 for Kafka: a KafkaProducer with the SDK's producer settings (acks=all, idempotence,
 * linger.ms=1, batch.size=64 KiB) and a KafkaConsumer assigned the topic's one partition from
 * its end, as the SDK's broadcast subscriber is.
 */
public final class RawKafkaDriver implements Driver {
  private static final String OCTET_STREAM_TYPE = "application/octet-stream";
  private static final byte[] SPEC_VERSION = SdkEnvelope.bytes("1.0");
  private static final byte[] OCTET_STREAM = SdkEnvelope.bytes(OCTET_STREAM_TYPE);

  /** What each record carries beside the payload: realtime.kafka.wire-format's choices. */
  public enum Envelope {
    /** The bare record. */
    NONE,
    /** The SDK's default: one binary header, written and read by the SDK's own code. */
    COMPACT,
    /** CloudEvents binary mode: six text headers, read back as text. */
    CLOUDEVENTS
  }

  private final String bootstrapServers;
  private final boolean group;
  private final Envelope envelope;
  private final short replicas;
  private @Nullable Admin admin;
  private @Nullable KafkaProducer<byte[], byte[]> producer;
  private @Nullable Thread poller;
  private volatile boolean running;
  private String topic = "";

  /**
   * @param group whether to consume as a consumer group (subscribe, commit after each batch is
   *     handled), as the SDK's group subscription does, instead of by assignment
   * @param envelope what each record carries of the SDK's envelope ({@link SdkEnvelope}: a
   *     fresh id, the event, the time, the content type), in the SDK's wire format, read back on
   *     receipt as the SDK reads it
   */
  public RawKafkaDriver(String bootstrapServers, boolean group, Envelope envelope) {
    this(bootstrapServers, group, envelope, (short) 1);
  }

  /**
   * @param replicas the topic's replication factor, as the SDK is set to create its topics (on
   *     a cluster: its {@code min.insync.replicas} is the broker's)
   */
  public RawKafkaDriver(String bootstrapServers, boolean group, Envelope envelope,
      short replicas) {
    this.bootstrapServers = bootstrapServers;
    this.group = group;
    this.envelope = envelope;
    this.replicas = replicas;
  }

  @Override
  public void start(String channel, @Nullable Consumer<ByteBuffer> sink) throws Exception {
    topic = "bench-raw_" + channel.replace('.', '_') + (group ? "_group" : "");
    Admin opened = Admin.create(Map.of("bootstrap.servers", bootstrapServers));
    admin = opened;
    opened.createTopics(List.of(new NewTopic(topic, 1, replicas))).all()
        .get(30, TimeUnit.SECONDS);
    Properties producerProps = new Properties();
    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
    producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
        new ByteArraySerializer());
    if (sink == null) {
      return;
    }

    Properties consumerProps = new Properties();
    consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    if (group) {
      consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, topic);
      consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    }
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps,
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    if (group) {
      consumer.subscribe(List.of(topic)); // Assigned on a later poll; the probes wait for it.
    } else {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToEnd(List.of(partition));
      consumer.position(partition); // Fixes the start now, as the SDK does.
    }
    running = true;
    Thread thread = new Thread(() -> {
      try (consumer) {
        while (running) {
          var records = consumer.poll(Duration.ofMillis(100));
          for (ConsumerRecord<byte[], byte[]> record : records) {
            if (envelope == Envelope.COMPACT) {
              CompactEnvelopes.decode(record.headers().lastHeader(CompactEnvelopes.HEADER)
                  .value());
            } else if (envelope == Envelope.CLOUDEVENTS) {
              for (Header header : record.headers()) {
                SdkEnvelope.text(header.value());
              }
            }
            sink.accept(ByteBuffer.wrap(record.value()));
          }
          if (group && !records.isEmpty()) {
            consumer.commitAsync(); // What this poll returned is handled: at-least-once.
          }
        }
      }
    }, "raw-kafka-poll");
    thread.setDaemon(true);
    poller = thread;
    thread.start();
  }

  @Override
  public CompletionStage<?> publish(byte[] payload) {
    CompletableFuture<Object> sent = new CompletableFuture<>();
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, payload);
    if (envelope == Envelope.COMPACT) { // As the SDK writes it (KafkaRecords).
      record.headers().add(CompactEnvelopes.HEADER, CompactEnvelopes.encode(SdkEnvelope.id(),
          SdkEnvelope.EVENT, Instant.now(), OCTET_STREAM_TYPE));
    } else if (envelope == Envelope.CLOUDEVENTS) { // As the SDK writes them (KafkaRecords).
      record.headers().add("ce_specversion", SPEC_VERSION)
          .add("ce_id", SdkEnvelope.bytes(SdkEnvelope.id()))
          .add("ce_type", SdkEnvelope.bytes(SdkEnvelope.EVENT))
          .add("ce_source", SdkEnvelope.bytes("/realtime/" + topic))
          .add("ce_time", SdkEnvelope.bytes(SdkEnvelope.time()))
          .add("content-type", OCTET_STREAM);
    }
    java.util.Objects.requireNonNull(producer).send(record,
        (metadata, failure) -> {
          if (failure != null) {
            sent.completeExceptionally(failure);
          } else {
            sent.complete(metadata);
          }
        });
    return sent;
  }

  @Override
  public void close() throws Exception {
    running = false;
    if (poller != null) {
      poller.join(5000);
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
    if (admin != null) {
      admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      admin.close();
    }
  }
}
