package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.Broker;
import dev.realtime.BrokerUnavailableException;
import dev.realtime.Brokers;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.process.RedisProcess;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * realtime.redis.wait-replicas (issue 16): a publish is confirmed once that many replicas have
 * it (WAIT after the XADD, on the same connection), and fails, saying why and what to change,
 * when fewer do.
 */
class RedisReplicationTest {
  private static Broker open(RedisProcess primary, int waitReplicas) {
    return Brokers.open(RealtimeConfig.builder().set("realtime.broker", "redis")
        .set("realtime.redis.uri", primary.uri())
        .set("realtime.redis.timeout", "2s")
        .set("realtime.redis.wait-replicas", String.valueOf(waitReplicas)).build());
  }

  @Test
  void aPublishIsConfirmedOnceTheReplicasHaveItAndFailsWhenFewerDo() throws Exception {
    try (RedisProcess primary = RedisProcess.start();
        RedisProcess replica = RedisProcess.start()) {
      replica.cli("replicaof", primary.host(), String.valueOf(primary.port()));
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
          replica.cli("info", "replication").contains("master_link_status:up"));
      Channel channel = Channel.of("replicated");

      try (Broker broker = open(primary, 1)) {
        Message message = Message.builder().channel(channel).event("kept").build();
        broker.publish(message).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(replica.cli("xlen", "realtime:replicated").trim()).isEqualTo("1");
      }

      try (Broker broker = open(primary, 2)) {
        Message message = Message.builder().channel(channel).event("short").build();
        assertThatThrownBy(() -> broker.publish(message).toCompletableFuture()
            .get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause().isInstanceOf(BrokerUnavailableException.class)
            .hasMessageContaining(message.id())
            .hasMessageContaining("only 1 of the 2 replicas")
            .hasMessageContaining("realtime.redis.wait-replicas");
      }
    }
  }

  @Test
  void pubSubModeRefusesWaitingForReplicas() {
    assertThatThrownBy(() -> Brokers.open(RealtimeConfig.builder()
        .set("realtime.broker", "redis").set("realtime.redis.mode", "pubsub")
        .set("realtime.redis.wait-replicas", "1").build()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("realtime.redis.wait-replicas")
        .hasMessageContaining("set it to 0, or use streams mode");
  }
}
