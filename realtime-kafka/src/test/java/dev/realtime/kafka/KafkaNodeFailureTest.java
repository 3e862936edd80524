package dev.realtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Brokers;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelNaming;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.NodeFailureRun;
import dev.realtime.testkit.env.Environments;
import dev.realtime.testkit.env.KafkaEnvironment;
import dev.realtime.testkit.process.KafkaCluster;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: the node that leads a channel's partition killed with -9 while a publisher sends
 * with confirms and a broadcast subscriber and a group consume. With three replicas and two in
 * sync (and the producer's acks=all), no confirmed message may be lost.
 */
class KafkaNodeFailureTest {
  @Test
  void killingThePartitionLeaderLosesNoConfirmedMessage() throws Exception {
    try (KafkaEnvironment environment = Environments.kafkaCluster()) {
      KafkaCluster cluster = environment.kafkaCluster();
      RealtimeConfig config = environment.config();
      ChannelNaming naming = Brokers.provider("kafka").naming(config).orElseThrow();
      int[] killed = new int[1];
      NodeFailureRun.Result result = NodeFailureRun.run(config, new NodeFailureRun.Cluster() {
        @Override
        public String killNodeServing(Channel channel) {
          killed[0] = cluster.leaderOf(naming.backendName(channel), 0).orElseThrow();
          // The active controller's death adds an election before the leader's fencing.
          boolean controller = cluster.controller() == killed[0];
          cluster.kill(killed[0]);
          return "node " + killed[0] + " (the partition's leader"
              + (controller ? ", and the active controller)" : ")");
        }

        @Override
        public void restartKilled() {
          cluster.startAgain(killed[0]);
        }
      });

      System.out.println("kafka, 3 nodes, replication factor 3, min.insync.replicas 2: "
          + result);
      result.assertNoConfirmedMessageLost();
      assertThat(cluster.isRunning(killed[0])).isTrue();
    }
  }
}
