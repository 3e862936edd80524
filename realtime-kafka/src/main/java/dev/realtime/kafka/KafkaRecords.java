package dev.realtime.kafka;

import dev.realtime.Message;
import dev.realtime.Position;
import dev.realtime.channel.Channel;
import dev.realtime.internal.Payloads;
import dev.realtime.internal.Rfc3339;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * How a message is a Kafka record: the key is the message key, the value the payload, and the
 * application headers are headers of their own names. The id, event, time and content type
 * travel as the {@linkplain WireFormat wire format} says: in one binary header ({@link
 * CompactEnvelope}, the default), or in headers named as the CloudEvents Kafka binary mode names
 * them ({@code ce_id}, {@code ce_type}, {@code ce_time}, {@code ce_source}, {@code
 * ce_specversion}, {@code content-type}), so that CloudEvents consumers can read our messages.
 * Reading takes either, whatever the setting, and a record with neither is still a message.
 * Those reserved names are ours. A position is {@code partition:offset}.
 */
final class KafkaRecords {
  static final String ID = "ce_id";
  static final String TYPE = "ce_type";
  static final String TIME = "ce_time";
  static final String SOURCE = "ce_source";
  static final String SPEC_VERSION = "ce_specversion";
  static final String CONTENT_TYPE = "content-type";

  /** How a record carries a message's id, event, time and content type. */
  enum WireFormat {
    /** One binary header, {@link CompactEnvelope}: the default. */
    COMPACT,
    /** CloudEvents Kafka binary mode: six text headers, for CloudEvents readers. */
    CLOUDEVENTS
  }

  private KafkaRecords() {}

  static ProducerRecord<byte[], byte[]> toRecord(String topic, Message message,
      WireFormat format) {
    RecordHeaders headers = new RecordHeaders();
    if (format == WireFormat.COMPACT) {
      headers.add(CompactEnvelope.HEADER, CompactEnvelope.encode(message.id(), message.event(),
          message.timestamp(), message.contentType()));
    } else {
      addCloudEvents(headers, message);
    }
    for (Map.Entry<String, String> header : message.headers().entrySet()) {
      if (!isReserved(header.getKey())) {
        headers.add(header.getKey(), bytes(header.getValue()));
      }
    }
    byte[] key = message.key() == null ? null : bytes(message.key());
    return new ProducerRecord<>(topic, null, message.timestamp().toEpochMilli(), key,
        Payloads.shared(message), headers);
  }

  private static void addCloudEvents(RecordHeaders headers, Message message) {
    headers.add(SPEC_VERSION, bytes("1.0"));
    headers.add(ID, bytes(message.id()));
    headers.add(TYPE, bytes(message.event()));
    headers.add(SOURCE, bytes("/realtime/" + message.channel().name()));
    headers.add(TIME, bytes(Rfc3339.format(message.timestamp())));
    // Always, the default too: to a CloudEvents reader an absent content-type means no
    // datacontenttype, which its JSON event format reads as JSON data.
    headers.add(CONTENT_TYPE, bytes(message.contentType()));
  }

  /**
   * Reads a record in either wire format; one with neither is a message too, named after its
   * place in the log.
   *
   * @throws IllegalArgumentException if the record is no valid message, such as a compact
   *     envelope that is truncated or of an unknown version
   */
  static Message toMessage(Channel channel, ConsumerRecord<byte[], byte[]> record, int attempt) {
    Message.Builder builder = Message.builder().channel(channel);
    String id = null;
    String event = null;
    String time = null;
    String contentType = null;
    CompactEnvelope compact = null;
    for (Header header : record.headers()) {
      String name = header.key();
      if (name.equals(CompactEnvelope.HEADER)) {
        compact = CompactEnvelope.decode(header.value() == null ? new byte[0] : header.value());
        continue;
      }
      String value = header.value() == null ? "" : new String(header.value(),
          StandardCharsets.UTF_8);
      switch (name) {
        case ID:
          id = value;
          break;
        case TYPE:
          event = value;
          break;
        case TIME:
          time = value;
          break;
        case CONTENT_TYPE:
          contentType = value;
          break;
        case SOURCE:
        case SPEC_VERSION:
          break;
        default:
          builder.header(name, value);
      }
    }
    if (compact != null) { // Ours: the CloudEvents headers, should a record have both, are not.
      id = compact.id;
      event = compact.event;
      contentType = compact.contentType;
    }
    // The consumer made the value for this record alone, and nothing writes into it.
    Payloads.adopt(builder, record.value() == null ? new byte[0] : record.value())
        // A record written by another producer has no event: it is still delivered.
        .event(event == null || event.isBlank() ? "kafka.record" : event)
        .key(record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8))
        .timestamp(compact != null ? compact.time
            : time != null ? parseTime(time, record.timestamp())
            : Instant.ofEpochMilli(record.timestamp()))
        .position(position(record.partition(), record.offset()))
        .deliveryAttempt(attempt);
    if (id != null && !id.isEmpty()) {
      builder.id(id);
    } else {
      builder.id(record.topic() + "-" + record.partition() + "-" + record.offset());
    }
    if (contentType != null && !contentType.isBlank()) {
      builder.contentType(contentType);
    }
    return builder.build();
  }

  static Position position(int partition, long offset) {
    return Position.of(partition + ":" + offset);
  }

  /**
   * Reads a position: {@code partition:offset}, several joined by commas, or a bare offset for
   * partition 0.
   *
   * @throws IllegalArgumentException naming the expected form
   */
  static Map<Integer, Long> offsets(Position position) {
    Map<Integer, Long> offsets = new LinkedHashMap<>();
    try {
      for (String part : position.value().split(",")) {
        int colon = part.indexOf(':');
        if (colon < 0) {
          offsets.put(0, Long.parseLong(part.trim()));
        } else {
          offsets.put(Integer.parseInt(part.substring(0, colon).trim()),
              Long.parseLong(part.substring(colon + 1).trim()));
        }
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("position \"" + position + "\" is not a Kafka position; "
          + "write partition:offset, such as 0:42 (several joined by commas)", e);
    }
    return offsets;
  }

  private static boolean isReserved(String name) {
    return name.startsWith("ce_") || name.equals(CONTENT_TYPE)
        || name.equals(CompactEnvelope.HEADER);
  }

  private static Instant parseTime(String text, long fallbackMillis) {
    try {
      return Rfc3339.parse(text);
    } catch (RuntimeException e) {
      return Instant.ofEpochMilli(fallbackMillis);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
