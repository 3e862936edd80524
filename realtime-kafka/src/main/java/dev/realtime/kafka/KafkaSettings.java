package dev.realtime.kafka;

import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;

/** Checks of the adapter's settings that Kafka's clients would make too late, or unsafely. */
final class KafkaSettings {
  private KafkaSettings() {}

  /**
   * Returns {@code realtime.kafka.bootstrap-servers}, refusing credentials in it. Kafka would
   * fail on {@code user:password@host:9092} only after logging its whole configuration, and its
   * error quotes the entry, password included: so the form is refused before any client exists,
   * naming the settings where credentials belong and never echoing the value.
   *
   * @throws ConfigurationException if an entry holds a {@code userinfo@} part
   */
  static String bootstrapServers(RealtimeConfig config) {
    String servers = config.get(KafkaOptions.BOOTSTRAP_SERVERS);
    for (String entry : servers.split(",")) {
      int at = entry.lastIndexOf('@');
      if (at >= 0) {
        throw new ConfigurationException(KafkaOptions.BOOTSTRAP_SERVERS.name() + " (from "
            + config.sourceOf(KafkaOptions.BOOTSTRAP_SERVERS) + ") holds credentials before '@' "
            + "in an entry ending in " + entry.substring(at + 1).trim() + ": bootstrap servers "
            + "are host:port[,host:port...] only. Give the user and password in the SASL "
            + "settings instead: realtime.kafka.client.security.protocol=SASL_SSL, "
            + "realtime.kafka.client.sasl.mechanism (PLAIN or SCRAM-SHA-512) and "
            + "realtime.kafka.client.sasl.jaas.config (docs/kafka.md, Configuration).");
      }
    }
    return servers;
  }

  /** Returns {@code realtime.kafka.wire-format}, a choice the option checks when read. */
  static KafkaRecords.WireFormat wireFormat(RealtimeConfig config) {
    return config.get(KafkaOptions.WIRE_FORMAT).equals("cloudevents")
        ? KafkaRecords.WireFormat.CLOUDEVENTS
        : KafkaRecords.WireFormat.COMPACT;
  }
}
