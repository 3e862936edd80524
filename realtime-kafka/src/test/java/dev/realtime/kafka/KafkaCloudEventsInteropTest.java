package dev.realtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.kafka.EmbeddedKafka;
import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code realtime.kafka.wire-format=cloudevents} against the CloudEvents SDK's own Kafka binding
 * ({@code io.cloudevents:cloudevents-kafka}), both ways: its deserializer reads every attribute
 * of what the adapter writes, and the adapter reads what its serializer writes in binary mode.
 * docs/kafka.md states what does not cross (application headers are no CloudEvents extensions;
 * structured mode is not read).
 */
class KafkaCloudEventsInteropTest {
  private static EmbeddedKafka kafka;
  private static Broker broker;
  private final String run = "ce" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void open() {
    kafka = EmbeddedKafka.shared();
    broker = Brokers.open(RealtimeConfig.of(Map.of("realtime.broker", "kafka",
        "realtime.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "realtime.kafka.wire-format", "cloudevents")));
  }

  @AfterAll
  static void close() {
    broker.close();
  }

  @Test
  void theCloudEventsSdkReadsEveryAttributeTheAdapterWrites() throws Exception {
    Channel channel = Channel.of(run + ".orders");
    byte[] payload = "{\"order\":42}".getBytes(StandardCharsets.UTF_8);
    Message sent = Message.builder().channel(channel).event("order.created").id("order-42")
        .key("customer-7").payload(payload).contentType("application/json")
        .header("tenant", "acme").timestamp(Instant.parse("2026-12-05T09:10:11.123456789Z"))
        .build();
    broker.publish(sent).toCompletableFuture().get(30, TimeUnit.SECONDS);

    ConsumerRecord<String, CloudEvent> record = readOne(topic("orders"));
    CloudEvent event = record.value();

    assertThat(event.getSpecVersion()).isEqualTo(SpecVersion.V1);
    assertThat(event.getId()).isEqualTo("order-42");
    assertThat(event.getType()).isEqualTo("order.created");
    assertThat(event.getSource()).isEqualTo(URI.create("/realtime/" + channel.name()));
    assertThat(event.getTime().toInstant()).isEqualTo(sent.timestamp());
    assertThat(event.getDataContentType()).isEqualTo("application/json");
    assertThat(event.getData().toBytes()).isEqualTo(payload);
    assertThat(record.key()).isEqualTo("customer-7");
    // Not an extension (CloudEvents names are [a-z0-9]{1,20}; headers are not so bound), but a
    // plain Kafka header beside them, which a CloudEvents reader can still see on the record.
    assertThat(event.getExtensionNames()).isEmpty();
    assertThat(new String(record.headers().lastHeader("tenant").value(), StandardCharsets.UTF_8))
        .isEqualTo("acme");
  }

  @Test
  void theAdapterReadsWhatTheCloudEventsSdkWritesInBinaryMode() throws Exception {
    Channel channel = Channel.of(run + ".invoices");
    // The adapter creates the topic, as a deployment's provisioning would.
    Message first = Message.builder().channel(channel).event("opened").build();
    broker.publish(first).toCompletableFuture().get(30, TimeUnit.SECONDS);
    byte[] data = "{\"paid\":true}".getBytes(StandardCharsets.UTF_8);
    CloudEvent event = CloudEventBuilder.v1().withId("invoice-9").withType("invoice.paid")
        .withSource(URI.create("/billing")).withSubject("invoice/9")
        .withTime(OffsetDateTime.parse("2026-12-05T10:00:00.5+01:00"))
        .withDataContentType("application/json").withData(data)
        .withExtension("tenant", "acme").build();
    try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(
        Map.of("bootstrap.servers", kafka.bootstrapServers(),
            CloudEventSerializer.ENCODING_CONFIG, Encoding.BINARY.name()),
        new StringSerializer(), new CloudEventSerializer())) {
      producer.send(new ProducerRecord<>(topic("invoices"), "customer-7", event))
          .get(30, TimeUnit.SECONDS);
    }

    List<Message> read = broker.history(channel, HistoryQuery.earliest().limit(10));

    assertThat(read).hasSize(2);
    Message message = read.get(1);
    assertThat(message.id()).isEqualTo("invoice-9");
    assertThat(message.event()).isEqualTo("invoice.paid");
    assertThat(message.timestamp()).isEqualTo(Instant.parse("2026-12-05T09:00:00.5Z"));
    assertThat(message.contentType()).isEqualTo("application/json");
    assertThat(message.payload()).isEqualTo(data);
    assertThat(message.key()).isEqualTo("customer-7");
    // Attributes the message has no field for arrive as headers, under their Kafka names.
    assertThat(message.headers()).containsEntry("ce_subject", "invoice/9")
        .containsEntry("ce_tenant", "acme");
  }

  @Test
  void aStructuredModeRecordArrivesWholeAsThePayload() throws Exception {
    Channel channel = Channel.of(run + ".structured");
    broker.publish(Message.builder().channel(channel).event("opened").build())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    byte[] json = ("{\"specversion\":\"1.0\",\"id\":\"s-1\",\"type\":\"invoice.paid\","
        + "\"source\":\"/billing\"}").getBytes(StandardCharsets.UTF_8);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
        Map.of("bootstrap.servers", kafka.bootstrapServers()), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      ProducerRecord<byte[], byte[]> record =
          new ProducerRecord<>(topic("structured"), null, json);
      record.headers().add("content-type",
          "application/cloudevents+json".getBytes(StandardCharsets.UTF_8));
      producer.send(record).get(30, TimeUnit.SECONDS);
    }

    Message message = broker.history(channel, HistoryQuery.earliest().limit(10)).get(1);

    assertThat(message.event()).isEqualTo("kafka.record");
    assertThat(message.payload()).isEqualTo(json);
    assertThat(message.contentType()).isEqualTo("application/cloudevents+json");
  }

  /** The topic of channel {@code run.name}, as the adapter names it by default. */
  private String topic(String name) {
    return "realtime_" + run + "_" + name;
  }

  private ConsumerRecord<String, CloudEvent> readOne(String topic) {
    try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(
        Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringDeserializer(),
        new CloudEventDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(topic).forEach(p -> partitions.add(
          new TopicPartition(topic, p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, CloudEvent> record : consumer.poll(Duration.ofMillis(200))) {
          return record;
        }
      }
    }
    throw new AssertionError("no record on " + topic + " within 30 s");
  }
}
