package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Brokers;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelNaming;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.NodeFailureRun;
import dev.realtime.testkit.env.Environments;
import dev.realtime.testkit.env.RedisClusterEnvironment;
import dev.realtime.testkit.process.RedisCluster;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: on a Redis Cluster of three primaries with a replica each, the primary of the
 * channel's stream killed with -9 while a publisher sends with confirms and a broadcast
 * subscriber and a group consume; its replica takes over. Redis replicates asynchronously: a
 * confirm means "on the primary", and what the replica had not received when the primary died is
 * gone. With realtime.redis.wait-replicas=1 a confirm means "on the replica too", and nothing
 * confirmed may be lost.
 */
class RedisNodeFailureTest {
  /** Asynchronous replication: the loss is measured and reported, and the SDK must recover. */
  @Test
  void withoutWaitingForReplicasTheSdkRecoversAndTheLossIsMeasured() throws Exception {
    NodeFailureRun.Result result = run(0);

    assertThat(result.confirmed()).as(result.toString()).isGreaterThan(0);
    assertThat(result.publishingResumed()).as(result.toString()).isNotNull();
    assertThat(result.broadcastResumed()).as(result.toString()).isNotNull();
    assertThat(result.groupResumed()).as(result.toString()).isNotNull();
  }

  @Test
  void waitingForOneReplicaLosesNoConfirmedMessage() throws Exception {
    run(1).assertNoConfirmedMessageLost();
  }

  private static NodeFailureRun.Result run(int waitReplicas) throws Exception {
    try (RedisClusterEnvironment environment = Environments.redisCluster()) {
      RedisCluster redis = environment.redisCluster();
      RealtimeConfig config = environment.config().newBuilder()
          .set(RedisOptions.WAIT_REPLICAS.name(), String.valueOf(waitReplicas)).build();
      ChannelNaming naming = Brokers.provider("redis").naming(config).orElseThrow();
      int[] killed = new int[1];
      NodeFailureRun.Result result = NodeFailureRun.run(config, new NodeFailureRun.Cluster() {
        @Override
        public String killNodeServing(Channel channel) {
          killed[0] = redis.primaryOf(naming.backendName(channel)).orElseThrow();
          redis.kill(killed[0]);
          return "node " + killed[0] + " (the primary of the channel's stream)";
        }

        @Override
        public void restartKilled() {
          redis.startAgain(killed[0]);
        }
      });

      System.out.println("redis cluster, 3 primaries with a replica each, wait-replicas "
          + waitReplicas + ": " + result);
      assertThat(redis.isRunning(killed[0])).isTrue(); // back for the next test
      return result;
    }
  }
}
