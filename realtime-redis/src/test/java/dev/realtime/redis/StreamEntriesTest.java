package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.internal.Payloads;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Pub/Sub frame is a wire format: subscribers of another SDK version read what this one
 * publishes, and the other way round. Its bytes are pinned against the data-stream encoding
 * that defined it.
 */
class StreamEntriesTest {
  private static final Channel CHANNEL = Channel.of("orders.eu");

  @Test
  void anEntrysPayloadIsWrittenAndReadWithoutACopy() {
    Message message = Message.builder().channel(CHANNEL).event("e").payload(new byte[1024])
        .build();
    Map<String, byte[]> fields = StreamEntries.fields(message);

    // Lettuce only reads what it writes, and its codec makes each value it reads for one entry.
    assertThat(fields.get(StreamEntries.PAYLOAD)).isSameAs(Payloads.shared(message));
    assertThat(Payloads.shared(StreamEntries.toMessage(CHANNEL, "1-0", fields, 1)))
        .isSameAs(fields.get(StreamEntries.PAYLOAD));
  }

  @Test
  void framesAsTheDataStreamDid() throws IOException {
    for (Message message : samples()) {
      assertThat(StreamEntries.frame(message)).as(message.toString())
          .isEqualTo(byStream(StreamEntries.fields(message)));
    }
  }

  @Test
  void readsBackEveryField() {
    for (Message message : samples()) {
      Message read = StreamEntries.unframe(CHANNEL, StreamEntries.frame(message));
      assertThat(read.id()).isEqualTo(message.id());
      assertThat(read.event()).isEqualTo(message.event());
      assertThat(read.timestamp()).isEqualTo(message.timestamp());
      assertThat(read.contentType()).isEqualTo(message.contentType());
      assertThat(read.key()).isEqualTo(message.key());
      assertThat(read.headers()).containsExactlyEntriesOf(message.headers());
      assertThat(read.payload()).isEqualTo(message.payload());
      assertThat(read.channel()).isEqualTo(CHANNEL);
      assertThat(read.position()).isNull();
      assertThat(read.deliveryAttempt()).isEqualTo(1);
    }
  }

  @Test
  void deliversAForeignValueWhole() {
    byte[] foreign = "RT\u0001 but not a frame".getBytes(StandardCharsets.UTF_8);
    Message read = StreamEntries.unframe(CHANNEL, foreign);
    assertThat(read.event()).isEqualTo(StreamEntries.FOREIGN_EVENT);
    assertThat(read.payload()).isEqualTo(foreign);

    byte[] frame = StreamEntries.frame(samples()[0]);
    byte[] truncated = Arrays.copyOf(frame, frame.length - 20);
    assertThat(StreamEntries.unframe(CHANNEL, truncated).payload()).isEqualTo(truncated);
  }

  @Test
  void deliversTheFramesPayloadWhenItsFieldsMakeNoMessage() throws IOException {
    Map<String, byte[]> fields = new LinkedHashMap<>();
    fields.put(StreamEntries.ID, "an-id".getBytes(StandardCharsets.UTF_8));
    fields.put(StreamEntries.EVENT, "e".repeat(300).getBytes(StandardCharsets.UTF_8));
    fields.put(StreamEntries.PAYLOAD, new byte[] {1, 2, 3});
    Message read = StreamEntries.unframe(CHANNEL, byStream(fields));
    assertThat(read.id()).isEqualTo("orders.eu-0-0");
    assertThat(read.event()).isEqualTo(StreamEntries.FOREIGN_EVENT);
    assertThat(read.timestamp()).isEqualTo(Instant.EPOCH);
    assertThat(read.payload()).containsExactly(1, 2, 3);
  }

  private static Message[] samples() {
    byte[] payload = new byte[100];
    Arrays.fill(payload, (byte) 0xe9);
    return new Message[] {
      Message.builder().channel(CHANNEL).event("created").payload(payload).build(),
      Message.builder().channel(CHANNEL).event("créé").payload(new byte[0])
          .contentType("application/json").key("customer-7").header("trace", "abc")
          .header("région", "Île-de-France").header("nul\u0000name", "x")
          .timestamp(Instant.parse("2026-11-24T02:56:34.123456789Z")).build(),
    };
  }

  /** The frame as the data stream wrote it, the format's definition. */
  private static byte[] byStream(Map<String, byte[]> fields) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      out.write(new byte[] {'R', 'T', 1});
      out.writeInt(fields.size());
      for (Map.Entry<String, byte[]> field : fields.entrySet()) {
        out.writeUTF(field.getKey());
        out.writeInt(field.getValue().length);
        out.write(field.getValue());
      }
    }
    return buffer.toByteArray();
  }
}
