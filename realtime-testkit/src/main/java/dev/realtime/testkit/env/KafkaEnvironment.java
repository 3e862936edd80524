package dev.realtime.testkit.env;

import dev.realtime.Brokers;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.ForeignWriter;
import dev.realtime.testkit.MemberDeath;
import dev.realtime.testkit.PublishRefusal;
import dev.realtime.testkit.kafka.EmbeddedKafka;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Kafka for the suite: an external cluster named by {@code REALTIME_TEST_KAFKA_BOOTSTRAP_SERVERS},
 * or else the embedded KRaft broker, one per JVM for the suite, started on first use.
 *
 * <p>The embedded broker's fault hooks are real: {@link #restart()} stops the broker and starts
 * it again with its data. A TCP proxy cannot stand in front of Kafka (clients learn broker
 * addresses from metadata and connect to those), so cutting connections is the same as stopping
 * the broker until {@link #restoreConnections()}. An external cluster has no fault hooks.
 */
public final class KafkaEnvironment implements BrokerEnvironment {
  /** The suite's own broker, not {@link EmbeddedKafka#shared()}, which nobody may restart. */
  private static EmbeddedKafka embedded;

  private final String bootstrapServers;
  private final EmbeddedKafka broker;

  private KafkaEnvironment(String bootstrapServers, EmbeddedKafka broker) {
    this.bootstrapServers = bootstrapServers;
    this.broker = broker;
  }

  /** Returns the external cluster if one is named, else the embedded broker (started now). */
  static KafkaEnvironment create(Map<String, String> environment) {
    String external = environment.get("REALTIME_TEST_KAFKA_BOOTSTRAP_SERVERS");
    if (external != null && !external.isBlank()) {
      return new KafkaEnvironment(external.trim(), null);
    }
    synchronized (KafkaEnvironment.class) {
      if (embedded == null) {
        EmbeddedKafka started = EmbeddedKafka.start();
        Runtime.getRuntime().addShutdownHook(
            new Thread(started::close, "realtime-testkit-kafka-shutdown"));
        embedded = started;
      }
      return new KafkaEnvironment(embedded.bootstrapServers(), embedded);
    }
  }

  @Override
  public String description() {
    return broker != null
        ? "kafka (embedded KRaft broker at " + bootstrapServers + ")"
        : "kafka (external cluster at " + bootstrapServers + ")";
  }

  @Override
  public RealtimeConfig config() {
    return RealtimeConfig.of(Map.of("realtime.broker", "kafka",
        "realtime.kafka.bootstrap-servers", bootstrapServers));
  }

  @Override
  public Optional<RealtimeConfig> unreachableConfig() {
    return Optional.of(RealtimeConfig.of(Map.of("realtime.broker", "kafka",
        "realtime.kafka.bootstrap-servers", "127.0.0.1:" + Ports.closedPort())));
  }

  /**
   * The embedded broker's {@code message.max.bytes}, Kafka's default of 1 MiB plus 12 bytes
   * (the largest record batch it accepts); empty for an external cluster, whose limit is its
   * own.
   */
  @Override
  public OptionalLong brokerPayloadLimit() {
    return broker != null ? OptionalLong.of(1_048_588) : OptionalLong.empty();
  }

  /** A plain KafkaProducer, writing records without the SDK's envelope or with part of it. */
  @Override
  public Optional<ForeignWriter> foreignWriter() {
    // The adapter declares how it names topics; the writer writes where the adapter reads.
    return Optional.of(new KafkaForeignWriter(bootstrapServers,
        Brokers.provider("kafka").naming(config()).orElseThrow()));
  }

  /** A topic {@code max.message.bytes} too small for any record: see KafkaPublishRefusal. */
  @Override
  public Optional<PublishRefusal> publishRefusal() {
    return Optional.of(new KafkaPublishRefusal(bootstrapServers,
        Brokers.provider("kafka").naming(config()).orElseThrow()));
  }

  /**
   * The embedded broker's member: bootstrapped at the listener behind the broker's fault proxy
   * (see {@link EmbeddedKafka#proxiedBootstrapServers()}), with a session of 2 s (heartbeats every
   * 300 ms), so that the group gives its partitions to the others soon after its death. One proxy
   * for the broker: members die one case at a time (case 38 is kept out of the stress case, as
   * every case with a hook). Empty for an external cluster.
   */
  @Override
  public Optional<MemberDeath> memberDeath() {
    if (broker == null) {
      return Optional.empty();
    }
    RealtimeConfig member = config().newBuilder()
        .set("realtime.kafka.bootstrap-servers", broker.proxiedBootstrapServers())
        .set("realtime.kafka.session-timeout", "2s")
        .set("realtime.kafka.consumer.heartbeat.interval.ms", "300")
        .set("realtime.close-timeout", "1s").build();
    RealtimeConfig survivors = config();
    EmbeddedKafka kafka = broker;
    return Optional.of(new MemberDeath() {
      @Override
      public RealtimeConfig memberConfig() {
        return member;
      }

      @Override
      public RealtimeConfig survivorConfig() {
        return survivors;
      }

      @Override
      public void kill() {
        kafka.cutProxied();
      }

      @Override
      public void close() {
        kafka.restoreProxied();
      }
    });
  }

  @Override
  public boolean canRestart() {
    return broker != null;
  }

  @Override
  public void restart() {
    requireEmbedded("restart");
    broker.restart();
  }

  @Override
  public boolean canCutConnections() {
    return broker != null;
  }

  @Override
  public void cutConnections() {
    requireEmbedded("cut connections to");
    broker.stop();
  }

  @Override
  public void restoreConnections() {
    requireEmbedded("restore connections to");
    broker.startAgain();
  }

  private void requireEmbedded(String operation) {
    if (broker == null) {
      throw new UnsupportedOperationException("cannot " + operation + " " + description()
          + ": fault hooks need the embedded broker (unset REALTIME_TEST_KAFKA_BOOTSTRAP_SERVERS)");
    }
  }
}
