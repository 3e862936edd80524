package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.channel.Channel;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.NodeFailureRun;
import dev.realtime.testkit.process.RedisSentinel;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: Redis under Sentinel (a primary, one replica, three sentinels), the adapter given
 * the sentinels (redis-sentinel://...#realtime). The primary killed with -9 under load: the
 * sentinels promote the replica, and the adapter, asking them again as it reconnects, goes on
 * there. Replication is asynchronous, so the loss is measured, not promised away.
 */
class RedisSentinelFailoverTest {
  @Test
  void theAdapterFollowsTheSentinelsToThePromotedReplica() throws Exception {
    try (RedisSentinel redis = RedisSentinel.start()) {
      RealtimeConfig config = RealtimeConfig.builder().set("realtime.broker", "redis")
          .set("realtime.redis.uri", redis.uri()).build();
      try (Broker broker = Brokers.open(config)) {
        assertThat(broker.health().detail()).contains("redis-sentinel://")
            .contains("#" + RedisSentinel.PRIMARY_NAME);
      }
      int[] killed = new int[1];
      NodeFailureRun.Result result = NodeFailureRun.run(config, new NodeFailureRun.Cluster() {
        @Override
        public String killNodeServing(Channel channel) {
          killed[0] = redis.primary().orElseThrow();
          redis.kill(killed[0]);
          return "server " + killed[0] + " (the primary)";
        }

        @Override
        public void restartKilled() {
          redis.startAgain(killed[0]);
        }
      });

      System.out.println("redis sentinel, a primary and a replica: " + result);
      assertThat(result.confirmed()).as(result.toString()).isGreaterThan(0);
      assertThat(result.publishingResumed()).as(result.toString()).isNotNull();
      assertThat(result.broadcastResumed()).as(result.toString()).isNotNull();
      assertThat(result.groupResumed()).as(result.toString()).isNotNull();
      assertThat(redis.primary().orElseThrow()).isNotEqualTo(killed[0]);
    }
  }
}
