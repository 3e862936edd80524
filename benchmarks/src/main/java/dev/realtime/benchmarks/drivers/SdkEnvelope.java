package dev.realtime.benchmarks.drivers;

import dev.realtime.internal.MessageIds;
import dev.realtime.internal.Rfc3339;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * What the SDK's message carries beside the payload, for a raw driver to carry too: a fresh id
 * (the SDK's own generator), the event name and the time (the SDK's own format), made for every
 * message, written as the backend's headers or fields, and read back as text on receipt. A raw
 * client with the envelope separates what the envelope costs on a backend from what the SDK's
 * own code costs: the report's "raw + envelope" column.
 */
final class SdkEnvelope {
  static final String EVENT = "bench";

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
}
