package dev.realtime.redis;

import dev.realtime.Message;
import dev.realtime.Position;
import dev.realtime.channel.Channel;
import dev.realtime.internal.Rfc3339;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How a message is a stream entry, and a Pub/Sub message.
 *
 * <p>A stream entry has one field per part, readable with {@code redis-cli XRANGE}: {@code id},
 * {@code event}, {@code time} (ISO-8601, nanoseconds kept), {@code content-type} unless it is
 * the default ({@code application/octet-stream}: a field fewer to write and read per message),
 * {@code key} when there is one, {@code h:<name>} per header, and {@code payload} last,
 * binary-safe. The entry id is the message's position.
 *
 * <p>Pub/Sub carries one value per message, so the same fields are framed: {@code "RT"}, a
 * version byte, the field count, then each field's name and length-prefixed bytes. Entries and
 * messages written by other clients (no {@code id} field, or no frame) are still delivered: the
 * whole value, or the {@code payload} field, is the payload, with event {@code redis.message}.
 */
final class StreamEntries {
  static final String ID = "id";
  static final String EVENT = "event";
  static final String TIME = "time";
  static final String CONTENT_TYPE = "content-type";
  static final String KEY = "key";
  static final String PAYLOAD = "payload";
  static final String HEADER = "h:";
  static final String FOREIGN_EVENT = "redis.message";

  private static final byte[] MAGIC = {'R', 'T', 1};

  private StreamEntries() {}

  static Map<String, byte[]> fields(Message message) {
    Map<String, byte[]> fields = new LinkedHashMap<>();
    fields.put(ID, bytes(message.id()));
    fields.put(EVENT, bytes(message.event()));
    fields.put(TIME, bytes(Rfc3339.format(message.timestamp())));
    if (!message.contentType().equals(Message.OCTET_STREAM)) {
      fields.put(CONTENT_TYPE, bytes(message.contentType())); // Absent: the default.
    }
    if (message.key() != null) {
      fields.put(KEY, bytes(message.key()));
    }
    for (Map.Entry<String, String> header : message.headers().entrySet()) {
      fields.put(HEADER + header.getKey(), bytes(header.getValue()));
    }
    fields.put(PAYLOAD, message.payload());
    return fields;
  }

  /**
   * Returns the message an entry holds. An entry whose fields make no valid message (written by
   * another client: an empty header name, an overlong event) is delivered as a foreign entry,
   * its {@code payload} field and nothing else, rather than stalling the stream.
   *
   * @param entryId the entry's id: the position, and the message id of a foreign entry
   */
  static Message toMessage(Channel channel, String entryId, Map<String, byte[]> fields,
      int attempt) {
    try {
      return read(channel, entryId, fields, attempt);
    } catch (RuntimeException e) {
      byte[] payload = fields.get(PAYLOAD);
      return Message.builder().channel(channel).position(Position.of(entryId))
          .deliveryAttempt(attempt).id(channel.name() + "-" + entryId).event(FOREIGN_EVENT)
          .timestamp(Instant.ofEpochMilli(millisOf(entryId)))
          .payload(payload == null ? new byte[0] : payload).build();
    }
  }

  private static Message read(Channel channel, String entryId, Map<String, byte[]> fields,
      int attempt) {
    Message.Builder builder = Message.builder().channel(channel)
        .position(Position.of(entryId)).deliveryAttempt(attempt);
    String id = text(fields.get(ID));
    if (id == null || id.isEmpty()) {
      builder.id(channel.name() + "-" + entryId).event(FOREIGN_EVENT)
          .timestamp(Instant.ofEpochMilli(millisOf(entryId)));
    } else {
      builder.id(id);
      String event = text(fields.get(EVENT));
      builder.event(event == null || event.isBlank() ? FOREIGN_EVENT : event);
      builder.timestamp(time(text(fields.get(TIME)), millisOf(entryId)));
    }
    String contentType = text(fields.get(CONTENT_TYPE));
    if (contentType != null && !contentType.isBlank()) {
      builder.contentType(contentType);
    }
    builder.key(text(fields.get(KEY)));
    for (Map.Entry<String, byte[]> field : fields.entrySet()) {
      if (field.getKey().startsWith(HEADER)) {
        builder.header(field.getKey().substring(HEADER.length()), text(field.getValue()));
      }
    }
    byte[] payload = fields.get(PAYLOAD);
    return builder.payload(payload == null ? new byte[0] : payload).build();
  }

  /** Frames {@code message} for PUBLISH. */
  static byte[] frame(Message message) {
    Map<String, byte[]> fields = fields(message);
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(message.payloadSize() + 256);
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      out.write(MAGIC);
      out.writeInt(fields.size());
      for (Map.Entry<String, byte[]> field : fields.entrySet()) {
        out.writeUTF(field.getKey());
        out.writeInt(field.getValue().length);
        out.write(field.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // A byte array stream does not fail.
    }
    return buffer.toByteArray();
  }

  /** Reads a Pub/Sub message: a frame of ours, or anything else as the payload. */
  static Message unframe(Channel channel, byte[] value) {
    if (value.length >= MAGIC.length
        && Arrays.equals(value, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
        in.skipNBytes(MAGIC.length);
        int count = in.readInt();
        Map<String, byte[]> fields = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
          String name = in.readUTF();
          fields.put(name, in.readNBytes(in.readInt()));
        }
        Message message = toMessage(channel, "0-0", fields, 1);
        return message.newBuilder().position(null).build();
      } catch (IOException | RuntimeException e) {
        // Not our frame after all: delivered as it is, below.
      }
    }
    return Message.builder().channel(channel).event(FOREIGN_EVENT).payload(value).build();
  }

  private static long millisOf(String entryId) {
    int dash = entryId.indexOf('-');
    try {
      return Long.parseLong(dash < 0 ? entryId : entryId.substring(0, dash));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Instant time(@Nullable String text, long fallbackMillis) {
    if (text != null) {
      try {
        return Rfc3339.parse(text);
      } catch (DateTimeParseException e) {
        // A foreign or damaged time: the entry id's time is close enough.
      }
    }
    return Instant.ofEpochMilli(fallbackMillis);
  }

  static @Nullable String text(byte @Nullable [] value) {
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
