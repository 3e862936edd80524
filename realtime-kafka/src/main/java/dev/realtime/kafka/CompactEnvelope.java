package dev.realtime.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * The compact wire format's envelope: a message's id, event, time and content type in the value
 * of one binary header, {@value #HEADER}. CloudEvents binary mode spends six text headers on
 * them, and a Kafka client pays per header on both sides (an object and a key to encode when
 * producing, two buffers, an object and a key string when consuming): at 100 bytes of payload
 * that cost half the raw client's throughput, most of it in the clients' header handling.
 *
 * <p>Layout, version 1. Integers are unsigned LEB128 varints unless said otherwise; text is a
 * varint length, then UTF-8.
 *
 * <pre>
 * byte    format version: 1
 * byte    flags: bit 0, the id is a UUID in canonical lower-case form, written as 16 bytes;
 *                bit 1, the content type is application/octet-stream, not written
 * id      16 bytes (most significant first) if bit 0, else text
 * event   text
 * time    epoch second (zig-zag varint), then nanosecond of the second
 * type    text, unless bit 1
 * </pre>
 *
 * <p>How it may evolve: a writer may append fields after these, and a version-1 reader ignores
 * bytes after them; a change to the fields above takes a new version, and a reader refuses
 * versions and flags it does not know rather than guess. The message key is the record key and
 * the application headers are Kafka headers, as in CloudEvents mode; the channel is the topic.
 */
final class CompactEnvelope {
  static final String HEADER = "rt_envelope";
  static final byte VERSION = 1;

  private static final int UUID_ID = 1;
  private static final int DEFAULT_TYPE = 2;
  private static final int KNOWN_FLAGS = UUID_ID | DEFAULT_TYPE;
  private static final String OCTET_STREAM = "application/octet-stream";

  final String id;
  final String event;
  final Instant time;
  final String contentType;

  private CompactEnvelope(String id, String event, Instant time, String contentType) {
    this.id = id;
    this.event = event;
    this.time = time;
    this.contentType = contentType;
  }

  static byte[] encode(String id, String event, Instant time, String contentType) {
    boolean uuid = isCanonicalUuid(id);
    boolean defaultType = contentType.equals(OCTET_STREAM);
    byte[] idText = uuid ? null : utf8(id);
    byte[] eventText = utf8(event);
    byte[] typeText = defaultType ? null : utf8(contentType);
    long seconds = zigZag(time.getEpochSecond());
    int nanos = time.getNano();
    int size = 2 + (uuid ? 16 : textSize(idText)) + textSize(eventText)
        + varintSize(seconds) + varintSize(nanos) + (defaultType ? 0 : textSize(typeText));
    Writer out = new Writer(size);
    out.bytes[out.at++] = VERSION;
    out.bytes[out.at++] = (byte) ((uuid ? UUID_ID : 0) | (defaultType ? DEFAULT_TYPE : 0));
    if (uuid) {
      out.fixed64(hex(id, 0, 8) << 32 | hex(id, 9, 4) << 16 | hex(id, 14, 4));
      out.fixed64(hex(id, 19, 4) << 48 | hex(id, 24, 12));
    } else {
      out.text(idText);
    }
    out.text(eventText);
    out.varint(seconds);
    out.varint(nanos);
    if (!defaultType) {
      out.text(typeText);
    }
    return out.bytes;
  }

  /**
   * Reads a header value written by {@link #encode}.
   *
   * @throws IllegalArgumentException naming what is wrong: an unknown version or flag, or a
   *     value that ends inside a field
   */
  static CompactEnvelope decode(byte[] value) {
    Reader in = new Reader(value);
    int version = in.u8("format version");
    if (version != VERSION) {
      throw new IllegalArgumentException("its " + HEADER + " header has format version " + version
          + ", which this reader does not know (it reads version " + VERSION + "): the writer is "
          + "newer, so upgrade realtime-kafka here, or have it write realtime.kafka.wire-format="
          + "cloudevents");
    }
    int flags = in.u8("flags");
    if ((flags & ~KNOWN_FLAGS) != 0) {
      throw new IllegalArgumentException("its " + HEADER + " header has unknown flags "
          + Integer.toBinaryString(flags) + " for format version " + VERSION);
    }
    String id = (flags & UUID_ID) != 0
        ? new UUID(in.fixed64("id"), in.fixed64("id")).toString() : in.text("id");
    String event = in.text("event");
    long seconds = unZigZag(in.varint("time"));
    long nanos = in.varint("time");
    if (nanos > 999_999_999L) {
      throw new IllegalArgumentException("its " + HEADER + " header has a time with " + nanos
          + " nanoseconds in a second");
    }
    Instant time;
    try {
      time = Instant.ofEpochSecond(seconds, nanos);
    } catch (java.time.DateTimeException e) {
      throw new IllegalArgumentException("its " + HEADER + " header has a time out of range ("
          + seconds + " s)", e);
    }
    String contentType = (flags & DEFAULT_TYPE) != 0 ? OCTET_STREAM : in.text("content type");
    return new CompactEnvelope(id, event, time, contentType);
  }

  /** Whether {@code id} is what {@link UUID#toString()} writes: 8-4-4-4-12 lower hex. */
  private static boolean isCanonicalUuid(String id) {
    if (id.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = id.charAt(i);
      boolean ok = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-'
          : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static long hex(String text, int from, int digits) {
    long value = 0;
    for (int i = from; i < from + digits; i++) {
      char c = text.charAt(i);
      value = value << 4 | (c <= '9' ? c - '0' : c - 'a' + 10);
    }
    return value;
  }

  private static long zigZag(long value) {
    return (value << 1) ^ (value >> 63);
  }

  private static long unZigZag(long value) {
    return (value >>> 1) ^ -(value & 1);
  }

  private static int varintSize(long value) {
    int size = 1;
    while ((value & ~0x7fL) != 0) {
      value >>>= 7;
      size++;
    }
    return size;
  }

  private static int textSize(byte[] text) {
    return varintSize(text.length) + text.length;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static final class Writer {
    final byte[] bytes;
    int at;

    Writer(int size) {
      bytes = new byte[size];
    }

    void varint(long value) {
      while ((value & ~0x7fL) != 0) {
        bytes[at++] = (byte) ((value & 0x7f) | 0x80);
        value >>>= 7;
      }
      bytes[at++] = (byte) value;
    }

    void fixed64(long value) {
      for (int shift = 56; shift >= 0; shift -= 8) {
        bytes[at++] = (byte) (value >>> shift);
      }
    }

    void text(byte[] text) {
      varint(text.length);
      System.arraycopy(text, 0, bytes, at, text.length);
      at += text.length;
    }
  }

  private static final class Reader {
    final byte[] bytes;
    int at;

    Reader(byte[] bytes) {
      this.bytes = bytes;
    }

    int u8(String field) {
      need(1, field);
      return bytes[at++] & 0xff;
    }

    long varint(String field) {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = u8(field);
        value |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw new IllegalArgumentException("its " + HEADER + " header has a varint longer than "
          + "64 bits in its " + field);
    }

    long fixed64(String field) {
      need(8, field);
      long value = 0;
      for (int i = 0; i < 8; i++) {
        value = value << 8 | (bytes[at++] & 0xff);
      }
      return value;
    }

    String text(String field) {
      long length = varint(field);
      if (length > bytes.length - at) {
        throw truncated(field);
      }
      String text = new String(bytes, at, (int) length, StandardCharsets.UTF_8);
      at += (int) length;
      return text;
    }

    private void need(int count, String field) {
      if (bytes.length - at < count) {
        throw truncated(field);
      }
    }

    private IllegalArgumentException truncated(String field) {
      return new IllegalArgumentException("its " + HEADER + " header (" + bytes.length
          + " bytes) ends inside its " + field + ": the record is truncated or corrupt");
    }
  }
}
