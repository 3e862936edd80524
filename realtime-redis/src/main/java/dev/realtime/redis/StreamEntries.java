package dev.realtime.redis;

import dev.realtime.Message;
import dev.realtime.Position;
import dev.realtime.channel.Channel;
import dev.realtime.internal.Payloads;
import dev.realtime.internal.Rfc3339;
import io.lettuce.core.protocol.CommandArgs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
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
    fields.put(PAYLOAD, Payloads.shared(message));
    return fields;
  }

  /**
   * Adds {@code message}'s fields to an XADD, as {@link #fields} lists them: names and text
   * written by Lettuce straight into its buffer, where the field map's names each took a buffer
   * of their own through the codec (publish benchmark's profile).
   */
  static void addFields(CommandArgs<String, byte[]> args, Message message) {
    args.add(ID).add(message.id()).add(EVENT).add(message.event())
        .add(TIME).add(Rfc3339.format(message.timestamp()));
    if (!message.contentType().equals(Message.OCTET_STREAM)) {
      args.add(CONTENT_TYPE).add(message.contentType()); // Absent: the default.
    }
    if (message.key() != null) {
      args.add(KEY).add(message.key());
    }
    for (Map.Entry<String, String> header : message.headers().entrySet()) {
      args.add(HEADER + header.getKey()).add(header.getValue());
    }
    args.add(PAYLOAD).add(Payloads.shared(message)); // Lettuce only reads it.
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
    // Lettuce's codec made the value for this entry alone, and nothing writes into it.
    return Payloads.adopt(builder, payload == null ? new byte[0] : payload).build();
  }

  /**
   * Frames {@code message} for PUBLISH. Written straight into one array of the final size: the
   * field map, the data stream and the growing buffer this went through before were a third of
   * what a Pub/Sub publish allocated (publish benchmark's profile). The bytes are the same:
   * names in {@link DataOutputStream#writeUTF}'s form, which for the ASCII names written here
   * is the names' bytes; a header name outside ASCII takes the data stream.
   */
  static byte[] frame(Message message) {
    for (String name : message.headers().keySet()) {
      if (!isAscii(name)) {
        return frameByStream(message);
      }
    }
    String time = Rfc3339.format(message.timestamp());
    boolean contentType = !message.contentType().equals(Message.OCTET_STREAM);
    String key = message.key();
    Map<String, String> headers = message.headers();
    int count = 4 + (contentType ? 1 : 0) + (key != null ? 1 : 0) + headers.size();
    int size = MAGIC.length + 4 + fieldSize(ID, message.id()) + fieldSize(EVENT, message.event())
        + fieldSize(TIME, time) + (contentType ? fieldSize(CONTENT_TYPE, message.contentType()) : 0)
        + (key != null ? fieldSize(KEY, key) : 0) + 2 + PAYLOAD.length() + 4
        + message.payloadSize();
    for (Map.Entry<String, String> header : headers.entrySet()) {
      size += fieldSize(HEADER + header.getKey(), header.getValue());
    }
    byte[] out = new byte[size];
    System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
    int at = putInt(out, MAGIC.length, count);
    at = putField(out, at, "", ID, message.id());
    at = putField(out, at, "", EVENT, message.event());
    at = putField(out, at, "", TIME, time);
    if (contentType) {
      at = putField(out, at, "", CONTENT_TYPE, message.contentType());
    }
    if (key != null) {
      at = putField(out, at, "", KEY, key);
    }
    for (Map.Entry<String, String> header : headers.entrySet()) {
      at = putField(out, at, HEADER, header.getKey(), header.getValue());
    }
    at = putName(out, at, "", PAYLOAD);
    at = putInt(out, at, message.payloadSize());
    message.payloadBuffer().get(out, at, message.payloadSize());
    return out;
  }

  /** The frame as the data stream writes it: for header names outside ASCII. */
  private static byte[] frameByStream(Message message) {
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

  /** A field's bytes in the frame; {@code name} is ASCII. */
  private static int fieldSize(String name, String value) {
    return 2 + name.length() + 4 + utf8Length(value);
  }

  private static int putField(byte[] out, int at, String prefix, String name, String value) {
    at = putName(out, at, prefix, name);
    int length = utf8Length(value);
    at = putInt(out, at, length);
    if (length == value.length()) {
      for (int i = 0; i < length; i++) {
        out[at + i] = (byte) value.charAt(i);
      }
    } else {
      System.arraycopy(bytes(value), 0, out, at, length);
    }
    return at + length;
  }

  /** {@code prefix + name}, ASCII, as writeUTF writes it: two bytes of length, the bytes. */
  private static int putName(byte[] out, int at, String prefix, String name) {
    int length = prefix.length() + name.length();
    if (length > 0xffff) {
      throw new UncheckedIOException(new UTFDataFormatException(
          "header name of " + length + " bytes; at most 65535 fit a Pub/Sub frame"));
    }
    out[at++] = (byte) (length >>> 8);
    out[at++] = (byte) length;
    for (int i = 0; i < prefix.length(); i++) {
      out[at++] = (byte) prefix.charAt(i);
    }
    for (int i = 0; i < name.length(); i++) {
      out[at++] = (byte) name.charAt(i);
    }
    return at;
  }

  private static int putInt(byte[] out, int at, int value) {
    out[at] = (byte) (value >>> 24);
    out[at + 1] = (byte) (value >>> 16);
    out[at + 2] = (byte) (value >>> 8);
    out[at + 3] = (byte) value;
    return at + 4;
  }

  /** UTF-8 bytes of {@code text}; its length when it is ASCII, without encoding it. */
  private static int utf8Length(String text) {
    return isAscii(text) ? text.length() : bytes(text).length;
  }

  /** True if every character is 1 to 127: one byte in UTF-8 and in writeUTF's form alike. */
  private static boolean isAscii(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0 || c > 0x7f) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads a Pub/Sub message: a frame of ours, or anything else as the payload. Read in place,
   * building the message once (it was built twice, from a field map copied out of a data
   * stream, and the payload copied three times).
   */
  static Message unframe(Channel channel, byte[] value) {
    if (value.length >= MAGIC.length
        && Arrays.equals(value, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      Message message = fromFrame(channel, value);
      if (message != null) {
        return message;
      }
      // Not our frame after all: delivered as it is, below.
    }
    return Message.builder().channel(channel).event(FOREIGN_EVENT).payload(value).build();
  }

  /**
   * The message in a frame, as {@link #toMessage} reads the same fields from a stream entry
   * (the position aside: Pub/Sub has none); null if {@code value} is not a whole frame.
   */
  private static @Nullable Message fromFrame(Channel channel, byte[] value) {
    int at = MAGIC.length;
    if (value.length - at < 4) {
      return null;
    }
    int count = getInt(value, at);
    at += 4;
    if (count < 0) {
      return null;
    }
    String id = null;
    String event = null;
    String time = null;
    String contentType = null;
    String key = null;
    Map<String, String> headers = null;
    int payloadAt = 0;
    int payloadLength = 0;
    for (int i = 0; i < count; i++) {
      if (value.length - at < 2) {
        return null;
      }
      int nameLength = (value[at] & 0xff) << 8 | value[at + 1] & 0xff;
      if (value.length - at - 2 < nameLength) {
        return null;
      }
      String name = name(value, at, nameLength);
      at += 2 + nameLength;
      if (name == null || value.length - at < 4) {
        return null;
      }
      int length = getInt(value, at);
      at += 4;
      if (length < 0 || value.length - at < length) {
        return null;
      }
      switch (name) {
        case ID:
          id = utf8(value, at, length);
          break;
        case EVENT:
          event = utf8(value, at, length);
          break;
        case TIME:
          time = utf8(value, at, length);
          break;
        case CONTENT_TYPE:
          contentType = utf8(value, at, length);
          break;
        case KEY:
          key = utf8(value, at, length);
          break;
        case PAYLOAD:
          payloadAt = at;
          payloadLength = length;
          break;
        default:
          if (name.startsWith(HEADER)) {
            if (headers == null) {
              headers = new LinkedHashMap<>();
            }
            headers.put(name.substring(HEADER.length()), utf8(value, at, length));
          }
      }
      at += length;
    }
    ByteBuffer payload = ByteBuffer.wrap(value, payloadAt, payloadLength);
    Message.Builder builder = Message.builder().channel(channel).deliveryAttempt(1);
    try {
      if (id == null || id.isEmpty()) {
        builder.id(channel.name() + "-0-0").event(FOREIGN_EVENT).timestamp(Instant.EPOCH);
      } else {
        builder.id(id);
        builder.event(event == null || event.isBlank() ? FOREIGN_EVENT : event);
        builder.timestamp(time(time, 0));
      }
      if (contentType != null && !contentType.isBlank()) {
        builder.contentType(contentType);
      }
      builder.key(key);
      if (headers != null) {
        headers.forEach(builder::header);
      }
      return builder.payload(payload).build();
    } catch (RuntimeException e) {
      // Fields that make no valid message (written by another client): as toMessage does.
      return Message.builder().channel(channel).deliveryAttempt(1).id(channel.name() + "-0-0")
          .event(FOREIGN_EVENT).timestamp(Instant.EPOCH).payload(payload).build();
    }
  }

  /** A field name in writeUTF's form at {@code value[at]}, or null if it is not one. */
  private static @Nullable String name(byte[] value, int at, int length) {
    for (int i = at + 2; i < at + 2 + length; i++) {
      if (value[i] <= 0) { // Outside ASCII (or a NUL, which writeUTF never writes as one byte).
        try {
          return new DataInputStream(new ByteArrayInputStream(value, at, 2 + length)).readUTF();
        } catch (IOException e) {
          return null;
        }
      }
    }
    return new String(value, at + 2, length, StandardCharsets.ISO_8859_1);
  }

  private static int getInt(byte[] value, int at) {
    return (value[at] & 0xff) << 24 | (value[at + 1] & 0xff) << 16 | (value[at + 2] & 0xff) << 8
        | value[at + 3] & 0xff;
  }

  private static String utf8(byte[] value, int at, int length) {
    return new String(value, at, length, StandardCharsets.UTF_8);
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
