package dev.realtime.testkit;

import dev.realtime.channel.Channel;

/**
 * Writes a record to a channel the way another client of the broker would, one that knows
 * nothing or only part of the SDK's envelope: for conformance case 34 (foreign records). An
 * environment offers one through {@link BrokerEnvironment#foreignWriter()}, or an adapter's
 * suite through {@link ConformanceSuite#foreignWriter(BrokerEnvironment)} where the broker's own
 * client is only on the adapter's test classpath.
 *
 * <p>The record carries {@code payload} where the backend's native consumers read a body (a
 * Kafka record's value, a Redis stream entry's {@code payload} field, an AMQP message's body);
 * what else it carries depends on the {@link Form}.
 */
@FunctionalInterface
public interface ForeignWriter {
  /** How much of the SDK's envelope the record carries. */
  enum Form {
    /** The body alone: no id, event, time, content type or headers. */
    NO_ENVELOPE,
    /** Some of the envelope: an event and a content type, but no id and no time. */
    PARTIAL_ENVELOPE,
    /** The whole envelope, but a time that does not parse ({@code "not-a-time"}). */
    BAD_TIME
  }

  /**
   * Writes one record carrying {@code payload} to {@code channel}, which exists, in {@code form};
   * returns once the broker has it.
   *
   * @throws Exception if the broker did not take it
   */
  void write(Channel channel, Form form, byte[] payload) throws Exception;
}
