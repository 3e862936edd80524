package dev.realtime.benchmarks.drivers;

import dev.realtime.internal.MessageIds;
import dev.realtime.internal.Rfc3339;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * What the SDK's message carries beside the payload, for a raw driver to carry too: a fresh id
 * (the SDK's own generator), the event name and the time (the SDK's own format), made for every
 * message, written as the backend's headers or fields, and read back as text on receipt. A raw
 * client with the envelope separates what the envelope costs on a backend from what the SDK's
 * own code costs: the report's "raw + envelope" column.
 */
final class SdkEnvelope {
  static final String EVENT = "bench";
  private static final byte[] MAGIC = {'R', 'T', 1};

  private SdkEnvelope() {}

  static String id() {
    return MessageIds.next();
  }

  static String time() {
    return Rfc3339.format(Instant.now());
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Reads a received header or field as the SDK does: as text. */
  static String text(byte[] value) {
    return new String(value, StandardCharsets.UTF_8);
  }

  /**
   * The SDK's Pub/Sub frame (its {@code StreamEntries.frame}): {@code "RT"}, a version byte,
   * the field count, then each field's name ({@code writeUTF}) and length-prefixed bytes; the
   * envelope's fields, then the payload.
   */
  static byte[] frame(byte[] payload) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(payload.length + 256);
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      out.write(MAGIC);
      out.writeInt(4);
      field(out, "id", bytes(id()));
      field(out, "event", bytes(EVENT));
      field(out, "time", bytes(time()));
      field(out, "payload", payload);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // A byte array stream does not fail.
    }
    return buffer.toByteArray();
  }

  private static void field(DataOutputStream out, String name, byte[] value)
      throws IOException {
    out.writeUTF(name);
    out.writeInt(value.length);
    out.write(value);
  }

  /**
   * Reads a frame as the SDK does, every field copied out and the envelope's read as text, and
   * returns the payload.
   *
   * @throws IllegalArgumentException if {@code value} is not a frame
   */
  static byte[] unframe(byte[] value) {
    if (!Arrays.equals(value, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new IllegalArgumentException("not a realtime Pub/Sub frame");
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
      in.skipNBytes(MAGIC.length);
      int count = in.readInt();
      byte[] payload = null;
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        byte[] field = in.readNBytes(in.readInt());
        if (name.equals("payload")) {
          payload = field;
        } else {
          text(field);
        }
      }
      if (payload == null) {
        throw new IllegalArgumentException("a frame without a payload");
      }
      return payload;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
