package dev.realtime.testkit.env;

import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelNaming;
import dev.realtime.testkit.ForeignWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes records with a plain {@link KafkaProducer}, as a producer that knows nothing of the
 * SDK would: the payload as the record's value, and of the CloudEvents headers the SDK reads
 * ({@code ce_id}, {@code ce_type}, {@code ce_time}, ...) only what the form says.
 */
final class KafkaForeignWriter implements ForeignWriter {
  private final String bootstrapServers;
  private final ChannelNaming naming;

  KafkaForeignWriter(String bootstrapServers, String topicPrefix) {
    this.bootstrapServers = bootstrapServers;
    this.naming = ChannelNaming.kafka(topicPrefix);
  }

  @Override
  public void write(Channel channel, Form form, byte[] payload) throws Exception {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(naming.backendName(channel), null, payload);
    switch (form) {
      case NO_ENVELOPE:
        break;
      case PARTIAL_ENVELOPE:
        record.headers().add("ce_type", bytes("foreign.partial"));
        record.headers().add("content-type", bytes("application/json"));
        break;
      case BAD_TIME:
        record.headers().add("ce_specversion", bytes("1.0"));
        record.headers().add("ce_id", bytes(UUID.randomUUID().toString()));
        record.headers().add("ce_type", bytes("foreign.bad-time"));
        record.headers().add("ce_source", bytes("/foreign"));
        record.headers().add("ce_time", bytes("not-a-time"));
        record.headers().add("content-type", bytes("application/json"));
        break;
      default:
        throw new IllegalArgumentException("form " + form);
    }
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        "bootstrap.servers", bootstrapServers, "client.id", "realtime-testkit-foreign"),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(record).get(30, TimeUnit.SECONDS);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
