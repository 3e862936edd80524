package dev.realtime.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class RabbitMqClusterTest {
  @Test
  void aQuorumQueueKeepsItsMessagesThroughItsLeadersKillAndReturn() throws Exception {
    try (RabbitMqCluster rabbit = RabbitMqCluster.start()) {
      assertThat(rabbit.node(1).rabbitmqctl("cluster_status")).contains(
          rabbit.node(2).nodeName(), rabbit.node(3).nodeName());
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(rabbit.uri());
      int leader;
      try (Connection connection = factory.newConnection(); Channel channel =
          connection.createChannel()) {
        channel.queueDeclare("kept", true, false, false, Map.of("x-queue-type", "quorum"));
        channel.confirmSelect();
        for (int i = 0; i < 10; i++) {
          channel.basicPublish("", "kept", null, ("m" + i).getBytes());
        }
        channel.waitForConfirmsOrDie(30_000);
        leader = rabbit.leaderOf("kept").orElseThrow();
      }

      rabbit.kill(leader);

      assertThat(rabbit.isRunning(leader)).isFalse();
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
        Optional<Integer> now = rabbit.leaderOf("kept");
        return now.isPresent() && now.get() != leader;
      });
      int survivor = rabbit.leaderOf("kept").orElseThrow();
      factory.setPort(rabbit.node(survivor).port());
      try (Connection connection = factory.newConnection(); Channel channel =
          connection.createChannel()) {
        assertThat(channel.messageCount("kept")).isEqualTo(10);
      }

      rabbit.startAgain(leader);

      assertThat(rabbit.isRunning(leader)).isTrue();
      assertThat(rabbit.node(leader).rabbitmqctl("cluster_status"))
          .contains(rabbit.node(survivor).nodeName());
    }
  }
}
