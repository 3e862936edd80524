package dev.realtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import dev.realtime.testkit.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * realtime.kafka.wire-format: both formats carry every field of a message exactly, each is read
 * whatever the reader's setting, and a compact envelope that is no valid message is skipped.
 */
class KafkaWireFormatTest {
  private static EmbeddedKafka kafka;
  private static Broker compact;
  private static Broker cloudEvents;
  private final String run = "w" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void open() {
    kafka = EmbeddedKafka.shared();
    compact = Brokers.open(config("compact"));
    cloudEvents = Brokers.open(config("cloudevents"));
  }

  @AfterAll
  static void close() {
    compact.close();
    cloudEvents.close();
  }

  private static RealtimeConfig config(String wireFormat) {
    Map<String, String> values = new HashMap<>();
    values.put("realtime.broker", "kafka");
    values.put("realtime.kafka.bootstrap-servers", kafka.bootstrapServers());
    if (wireFormat != null) {
      values.put("realtime.kafka.wire-format", wireFormat);
    }
    return RealtimeConfig.of(values);
  }

  @Test
  void compactIsTheDefault() {
    assertThat(KafkaSettings.wireFormat(config(null))).isEqualTo(KafkaRecords.WireFormat.COMPACT);
    assertThat(KafkaSettings.wireFormat(config(" CloudEvents ")))
        .isEqualTo(KafkaRecords.WireFormat.CLOUDEVENTS);
  }

  @Test
  void aWireFormatThatIsNeitherIsRefusedNamingBoth() {
    assertThatThrownBy(() -> Brokers.open(config("json")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("Invalid value for realtime.kafka.wire-format=json (from code).")
        .hasMessageContaining("Must be one of compact, cloudevents.");
  }

  @Test
  void everyFieldTravelsExactlyInEitherFormatAndEitherReaderReadsIt() {
    List<Broker> brokers = List.of(compact, cloudEvents);
    for (int w = 0; w < brokers.size(); w++) {
      Broker writer = brokers.get(w);
      Channel channel = Channel.of(run + ".written" + w);
      List<Message> sent = messages(channel);
      for (Message message : sent) {
        writer.publish(message).toCompletableFuture().join();
      }
      for (Broker reader : brokers) {
        List<Message> read = reader.history(channel, HistoryQuery.earliest().limit(100));
        assertThat(read).hasSameSizeAs(sent);
        for (int i = 0; i < sent.size(); i++) {
          assertSameMessage(read.get(i), sent.get(i));
        }
      }
    }
  }

  @Test
  void eachFormatWritesWhatItSaysAndCompactIsTheSmaller() throws Exception {
    Channel channel = Channel.of(run + ".shape");
    Message message = Message.builder().channel(channel).event("order.created")
        .payload(new byte[100]).header("tenant", "acme").key("k").build();
    compact.publish(message).toCompletableFuture().join();
    cloudEvents.publish(message).toCompletableFuture().join();
    List<ConsumerRecord<byte[], byte[]>> records = readBack("realtime_" + run + "_shape", 2);

    assertThat(names(records.get(0))).containsExactly("rt_envelope", "tenant");
    assertThat(names(records.get(1))).containsExactly("ce_specversion", "ce_id", "ce_type",
        "ce_source", "ce_time", "content-type", "tenant");
    assertThat(records.get(0).timestamp()).isEqualTo(message.timestamp().toEpochMilli());
    int compactSize = records.get(0).serializedValueSize() + headerBytes(records.get(0));
    int cloudEventsSize = records.get(1).serializedValueSize() + headerBytes(records.get(1));
    // 2 + 16 (the UUID id) + 14 (event) + 10 (time) + 11 (name) + 2 (lengths) + tenant header.
    assertThat(compactSize - 100).isLessThan(80);
    assertThat(cloudEventsSize - 100).isGreaterThan(200);
  }

  @Test
  void aCompactEnvelopeThatIsNoValidMessageIsSkippedAndTheNextOnesFlow() throws Exception {
    Channel channel = Channel.of(run + ".corrupt");
    byte[] valid = CompactEnvelope.encode(UUID.randomUUID().toString(), "good", Instant.now(),
        "text/plain");
    List<byte[]> bad = List.of(new byte[0], Arrays.copyOf(valid, valid.length - 3),
        new byte[] {2, 0}, new byte[] {1, (byte) 0x80});
    List<String> received = new CopyOnWriteArrayList<>();
    try (Subscription subscription = compact.subscribe(SubscriptionSpec.builder()
        .channel(channel).start(StartPosition.earliest()).build(),
        message -> received.add(message.event()))) {
      try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers",
          kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
        for (byte[] envelope : bad) {
          ProducerRecord<byte[], byte[]> record =
              new ProducerRecord<>("realtime_" + run + "_corrupt", new byte[0]);
          record.headers().add("rt_envelope", envelope);
          raw.send(record).get(10, TimeUnit.SECONDS);
        }
      }
      compact.publish(Message.builder().channel(channel).event("after").build())
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> received.contains("after"));
    }
    assertThat(received).containsExactly("after");
  }

  @Test
  void aCompactEnvelopeSaysWhatIsWrongWithIt() {
    byte[] valid = CompactEnvelope.encode("id-1", "e", Instant.EPOCH, "text/plain");
    for (int length = 0; length < valid.length; length++) {
      byte[] cut = Arrays.copyOf(valid, length);
      assertThatThrownBy(() -> CompactEnvelope.decode(cut))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("rt_envelope header")
          .hasMessageContaining("truncated or corrupt");
    }
    assertThatThrownBy(() -> CompactEnvelope.decode(new byte[] {9, 0}))
        .hasMessageContaining("format version 9")
        .hasMessageContaining("upgrade realtime-kafka");
    assertThatThrownBy(() -> CompactEnvelope.decode(new byte[] {1, 4}))
        .hasMessageContaining("unknown flags 100");
    // Fields a later writer appends are skipped, so the format can grow without a new version.
    byte[] longer = Arrays.copyOf(valid, valid.length + 5);
    assertThat(CompactEnvelope.decode(longer).event).isEqualTo("e");
  }

  /**
   * Messages that use every field at its edges: unicode everywhere, an id that is no UUID and
   * one that is a UUID in capitals (both must come back as written), times with nanoseconds, an
   * empty payload, no key and an empty key, the default content type, many headers, an empty
   * header value. In time order, as history returns them.
   */
  private static List<Message> messages(Channel channel) {
    List<Message> messages = new ArrayList<>();
    Map<String, String> many = new LinkedHashMap<>();
    for (int i = 0; i < 60; i++) {
      many.put("h" + i, "v" + i);
    }
    messages.add(Message.builder().channel(channel).event("commande.créée ✓")
        .id("ид-🙂-1").key("clé-κλειδί-🔑").payload("données ☃".getBytes(StandardCharsets.UTF_8))
        .contentType("text/plain; charset=utf-8").header("zone", "東京").header("empty", "")
        .timestamp(Instant.parse("2026-12-05T09:10:11.123456789Z")).build());
    messages.add(Message.builder().channel(channel).event("e").payload(new byte[0])
        .timestamp(Instant.parse("2026-12-05T09:10:11.123456790Z")).build());
    messages.add(Message.builder().channel(channel).event("many").headers(many)
        .id(UUID.randomUUID().toString().toUpperCase(java.util.Locale.ROOT))
        .timestamp(Instant.parse("2026-12-05T09:10:12.000000001Z")).key("").build());
    messages.add(Message.builder().channel(channel).event("json").contentType("application/json")
        .payload("{\"a\":1}").id(UUID.randomUUID().toString())
        .timestamp(Instant.parse("2026-12-05T09:10:13Z")).build());
    return messages;
  }

  private static void assertSameMessage(Message read, Message sent) {
    assertThat(read.id()).isEqualTo(sent.id());
    assertThat(read.channel()).isEqualTo(sent.channel());
    assertThat(read.event()).isEqualTo(sent.event());
    assertThat(read.payload()).isEqualTo(sent.payload());
    assertThat(read.contentType()).isEqualTo(sent.contentType());
    assertThat(read.key()).isEqualTo(sent.key());
    assertThat(read.timestamp()).isEqualTo(sent.timestamp());
    assertThat(read.headers()).containsExactlyEntriesOf(sent.headers());
  }

  private static List<String> names(ConsumerRecord<byte[], byte[]> record) {
    List<String> names = new ArrayList<>();
    for (Header header : record.headers()) {
      names.add(header.key());
    }
    return names;
  }

  private static int headerBytes(ConsumerRecord<byte[], byte[]> record) {
    int size = 0;
    for (Header header : record.headers()) {
      size += header.key().getBytes(StandardCharsets.UTF_8).length + header.value().length + 2;
    }
    return size;
  }

  private static List<ConsumerRecord<byte[], byte[]>> readBack(String topic, int count) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition part = new TopicPartition(topic, 0);
      consumer.assign(List.of(part));
      consumer.seekToBeginning(List.of(part));
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return records.size() >= count;
      });
    }
    return records;
  }
}
