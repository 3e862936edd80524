package dev.realtime.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.channel.Channel;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.NodeFailureRun;
import dev.realtime.testkit.env.Environments;
import dev.realtime.testkit.env.RabbitMqClusterEnvironment;
import dev.realtime.testkit.process.RabbitMqCluster;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: on a three-node RabbitMQ cluster, the node that leads the channel's stream killed
 * with -9 while a publisher sends with confirms and a broadcast subscriber and a group consume.
 * Streams and quorum queues replicate to every node and confirm once a majority has a message:
 * no confirmed message may be lost.
 */
class RabbitNodeFailureTest {
  @Test
  void killingTheStreamsLeaderLosesNoConfirmedMessage() throws Exception {
    run("the stream's leader", (rabbit, channel) -> {
      Map<String, Optional<Integer>> leaders = rabbit.leaders();
      return leaders.get("realtime." + channel.name()).orElseThrow();
    });
  }

  /**
   * The node most of the SDK's connections are on (the publisher's and the subscribers'): they
   * recover to the others, and the consumers start again where they were.
   */
  @Test
  void killingTheNodeTheClientsAreConnectedToLosesNoConfirmedMessage() throws Exception {
    run("the node most clients are connected to", (rabbit, channel) ->
        rabbit.connectionsPerNode().entrySet().stream()
            .max(Map.Entry.comparingByValue()).orElseThrow().getKey());
  }

  private static void run(String which, BiFunction<RabbitMqCluster, Channel, Integer> choose)
      throws Exception {
    try (RabbitMqClusterEnvironment environment = Environments.rabbitmqCluster()) {
      RabbitMqCluster rabbit = environment.rabbitMqCluster();
      RealtimeConfig config = environment.config();
      int[] killed = new int[1];
      NodeFailureRun.Result result = NodeFailureRun.run(config, new NodeFailureRun.Cluster() {
        @Override
        public String killNodeServing(Channel channel) {
          killed[0] = choose.apply(rabbit, channel);
          String roles = roles(rabbit, channel, killed[0]);
          int connections = rabbit.connectionsPerNode().get(killed[0]);
          rabbit.kill(killed[0]);
          return "node " + killed[0] + " (" + which + ": " + roles + connections
              + " connections)";
        }

        @Override
        public void restartKilled() {
          rabbit.startAgain(killed[0]);
        }
      });

      System.out.println("rabbitmq, 3 nodes, stream and quorum queue on every node: " + result);
      result.assertNoConfirmedMessageLost();
      assertThat(rabbit.isRunning(killed[0])).isTrue();  // back for the next test
    }
  }

  /** What {@code node} leads of the channel's queues, for the report. */
  private static String roles(RabbitMqCluster rabbit, Channel channel, int node) {
    StringBuilder roles = new StringBuilder();
    rabbit.leaders().forEach((queue, leader) -> {
      if (leader.equals(Optional.of(node))) {
        if (queue.equals("realtime." + channel.name())) {
          roles.append("leads the stream, ");
        } else if (queue.endsWith("~" + channel.name())) {
          roles.append("leads the group's queue, ");
        }
      }
    });
    return roles.toString();
  }
}
