package dev.realtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.internal.Payloads;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** A record carries a message's payload array, and a message a record's value, uncopied. */
class KafkaRecordsTest {
  private static final Channel CHANNEL = Channel.of("orders.eu");

  @Test
  void aPayloadCrossesToTheRecordAndBackWithoutACopy() {
    Message message = Message.builder().channel(CHANNEL).event("e").payload(new byte[1024])
        .build();
    for (KafkaRecords.WireFormat format : KafkaRecords.WireFormat.values()) {
      ProducerRecord<byte[], byte[]> out = KafkaRecords.toRecord("t", message, format);
      // The producer copies the value into its batch at send(), and writes into it never.
      assertThat(out.value()).as(format.name()).isSameAs(Payloads.shared(message));

      ConsumerRecord<byte[], byte[]> in = new ConsumerRecord<>("t", 0, 7, null, new byte[1024]);
      // The consumer's deserializer made the value for this record alone.
      assertThat(Payloads.shared(KafkaRecords.toMessage(CHANNEL, in, 1))).as(format.name())
          .isSameAs(in.value());
    }
  }
}
