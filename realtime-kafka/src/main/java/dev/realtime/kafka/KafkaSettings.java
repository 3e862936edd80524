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

  /**
   * Returns {@code realtime.kafka.min-insync-replicas}, or null when unset, refusing a value
   * above {@code realtime.kafka.replication-factor}: Kafka would create the topics and then
   * refuse every publish to them (NotEnoughReplicas), so the pair is refused before anything
   * is created.
   *
   * @throws ConfigurationException if both are set and the first is the larger
   */
  static Integer minInsyncReplicas(RealtimeConfig config) {
    Integer replicas = config.get(KafkaOptions.REPLICATION_FACTOR);
    Integer minimum = config.get(KafkaOptions.MIN_INSYNC_REPLICAS);
    if (replicas != null && minimum != null && minimum > replicas) {
      throw new ConfigurationException(KafkaOptions.MIN_INSYNC_REPLICAS.name() + "=" + minimum
          + " (from " + config.sourceOf(KafkaOptions.MIN_INSYNC_REPLICAS) + ") is more than "
          + KafkaOptions.REPLICATION_FACTOR.name() + "=" + replicas + " (from "
          + config.sourceOf(KafkaOptions.REPLICATION_FACTOR) + "): no publish could ever be "
          + "confirmed. Lower the first, or raise the second (3 replicas, 2 in sync, is usual).");
    }
    return minimum;
  }

  /** Returns {@code realtime.kafka.wire-format}, a choice the option checks when read. */
  static KafkaRecords.WireFormat wireFormat(RealtimeConfig config) {
    return config.get(KafkaOptions.WIRE_FORMAT).equals("cloudevents")
        ? KafkaRecords.WireFormat.CLOUDEVENTS
        : KafkaRecords.WireFormat.COMPACT;
  }
}
