package dev.realtime.kafka;

import java.time.Instant;

/**
 * The Kafka adapter's compact envelope ({@link CompactEnvelope}), for the benchmarks' raw Kafka
 * driver to carry exactly what the SDK writes by default, encoded and decoded by the SDK's own
 * code. It sits in the adapter's package to reach that package-private code; it is no part of
 * the SDK.
 */
public final class CompactEnvelopes {
  /** The header's name. */
  public static final String HEADER = CompactEnvelope.HEADER;

  private CompactEnvelopes() {}

  /** The header's value, as the SDK writes it. */
  public static byte[] encode(String id, String event, Instant time, String contentType) {
    return CompactEnvelope.encode(id, event, time, contentType);
  }

  /** Reads the header's value as the SDK does: the id and event as text, the time an Instant. */
  public static Object decode(byte[] value) {
    return CompactEnvelope.decode(value);
  }
}
