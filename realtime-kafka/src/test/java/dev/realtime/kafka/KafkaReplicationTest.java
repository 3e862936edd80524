package dev.realtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.Broker;
import dev.realtime.BrokerUnavailableException;
import dev.realtime.Brokers;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.env.Environments;
import dev.realtime.testkit.env.KafkaEnvironment;
import dev.realtime.testkit.kafka.EmbeddedKafka;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/** realtime.kafka.replication-factor and min-insync-replicas: what topics get, and bad values. */
class KafkaReplicationTest {
  private final String run = "rep" + UUID.randomUUID().toString().substring(0, 8);

  @Test
  void topicsCreatedOnFirstUseAndByEnsureGetTheSettingsReplication() throws Exception {
    // Not the cluster's own defaults (3 replicas, 2 in sync): what the settings ask is seen.
    try (KafkaEnvironment cluster = Environments.kafkaCluster();
        Broker broker = Brokers.open(cluster.config().newBuilder()
            .set("realtime.kafka.replication-factor", "2")
            .set("realtime.kafka.min-insync-replicas", "1").build());
        Admin admin = Admin.create(Map.of("bootstrap.servers",
            cluster.kafkaCluster().bootstrapServers()))) {
      Channel firstUse = Channel.of(run + ".first");
      Channel ensured = Channel.of(run + ".ensured");
      broker.publish(Message.builder().channel(firstUse).event("e").build())
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      broker.admin().ensure(ChannelSpec.builder(ensured).partitions(2).build());
      // A channel's own replication factor wins over the setting.
      Channel own = Channel.of(run + ".own");
      broker.admin().ensure(ChannelSpec.builder(own).replicationFactor(3).build());

      assertThat(replication(admin, "realtime_" + run + "_first")).isEqualTo("2 replicas, 1");
      assertThat(replication(admin, "realtime_" + run + "_ensured")).isEqualTo("2 replicas, 1");
      assertThat(replication(admin, "realtime_" + run + "_own")).isEqualTo("3 replicas, 1");
    }
  }

  @Test
  void moreReplicasThanBrokersFailsThePublishNamingTheSetting() {
    EmbeddedKafka kafka = EmbeddedKafka.shared();
    try (Broker broker = Brokers.open(RealtimeConfig.of(Map.of("realtime.broker", "kafka",
        "realtime.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "realtime.kafka.replication-factor", "3")))) {
      assertThatThrownBy(() -> broker.publish(Message.builder()
              .channel(Channel.of(run + ".toomany")).event("e").build())
          .toCompletableFuture().join())
          .hasRootCauseInstanceOf(org.apache.kafka.common.errors
              .InvalidReplicationFactorException.class)
          .satisfies(e -> assertThat(unwrap(e)).isInstanceOf(BrokerUnavailableException.class)
              .hasMessageContaining("asked for 3 replicas")
              .hasMessageContaining("realtime.kafka.replication-factor")
              .hasMessageContaining("lower the setting"));
    }
  }

  @Test
  void moreInSyncReplicasThanReplicasIsRefusedAtOpen() {
    assertThatThrownBy(() -> Brokers.open(RealtimeConfig.of(Map.of("realtime.broker", "kafka",
        "realtime.kafka.bootstrap-servers", EmbeddedKafka.shared().bootstrapServers(),
        "realtime.kafka.replication-factor", "2",
        "realtime.kafka.min-insync-replicas", "3"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("realtime.kafka.min-insync-replicas=3")
        .hasMessageContaining("realtime.kafka.replication-factor=2")
        .hasMessageContaining("no publish could ever be confirmed");
    assertThatThrownBy(() -> Brokers.open(RealtimeConfig.of(Map.of("realtime.broker", "kafka",
        "realtime.kafka.replication-factor", "0"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("realtime.kafka.replication-factor");
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof java.util.concurrent.CompletionException && e.getCause() != null
        ? e.getCause() : e;
  }

  /** "N replicas, M": the first partition's replica count and the topic's min.insync.replicas. */
  private static String replication(Admin admin, String topic) throws Exception {
    TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
        .get(30, TimeUnit.SECONDS).get(topic);
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS)
        .get(resource);
    return description.partitions().get(0).replicas().size() + " replicas, "
        + config.get("min.insync.replicas").value();
  }
}
