package dev.realtime.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import dev.realtime.testkit.env.Environments;
import dev.realtime.testkit.env.RabbitMqClusterEnvironment;
import dev.realtime.testkit.process.RabbitMqCluster;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** realtime.rabbitmq.replication-factor on a three-node cluster: what the group queues get. */
class RabbitReplicationTest {
  private final String run = "rep" + UUID.randomUUID().toString().substring(0, 8);

  @Test
  void groupQueuesGetTheSettingsMembersAndServersWithAnotherSettingUseThemAsTheyAre()
      throws Exception {
    try (RabbitMqClusterEnvironment environment = Environments.rabbitmqCluster()) {
      RabbitMqCluster rabbit = environment.rabbitMqCluster();
      Channel ensured = Channel.of(run + ".ensured");
      Channel firstUse = Channel.of(run + ".first");
      SubscriptionSpec group = SubscriptionSpec.builder().channel(ensured).group("mailers")
          .build();
      try (Broker two = Brokers.open(environment.config().newBuilder()
          .set("realtime.rabbitmq.replication-factor", "2").build())) {
        two.admin().ensure(ChannelSpec.builder(ensured).groups("mailers").build());
        two.publish(Message.builder().channel(firstUse).event("e").build())
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      Map<String, Integer> members = members(rabbit);
      assertThat(members).containsEntry("realtime.~group.mailers~" + run + ".ensured", 2)
          // Streams keep RabbitMQ's default: every node.
          .containsEntry("realtime." + run + ".ensured", 3)
          .containsEntry("realtime." + run + ".first", 3);

      // Servers with another setting, or none, use the queues as they are: ensure the channel
      // again, subscribe the group, publish.
      for (String replicas : new String[] {"3", null}) {
        var config = environment.config().newBuilder();
        if (replicas != null) {
          config.set("realtime.rabbitmq.replication-factor", replicas);
        }
        try (Broker other = Brokers.open(config.build());
            Subscription subscription = other.subscribe(group, message -> { })) {
          other.admin().ensure(ChannelSpec.builder(ensured).groups("mailers").build());
          other.publish(Message.builder().channel(ensured).event("e").build())
              .toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
      }
      assertThat(members(rabbit)).containsEntry("realtime.~group.mailers~" + run + ".ensured", 2);
    }
  }

  /**
   * A node started again serves AMQP before its replica of each stream is back, and a stream
   * read needs the replica on its connection's node: history through it waits, within the
   * timeout, instead of failing with "does not have a replica on the local node". (Without the
   * wait this failed when it ran after RabbitNodeFailureTest's kills on the same cluster; on a
   * cluster with no kill before, the replica was back in time.)
   */
  @Test
  void historyThroughANodeJustStartedAgainWaitsForItsReplica() throws Exception {
    try (RabbitMqClusterEnvironment environment = Environments.rabbitmqCluster()) {
      RabbitMqCluster rabbit = environment.rabbitMqCluster();
      Channel channel = Channel.of(run + ".history");
      try (Broker broker = Brokers.open(environment.config())) {
        for (int i = 0; i < 3; i++) {
          broker.publish(Message.builder().channel(channel).event("e" + i).build())
              .toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
      }
      int node = 3;
      rabbit.kill(node);
      rabbit.startAgain(node);

      try (Broker onIt = Brokers.open(environment.config().newBuilder()
          .set("realtime.rabbitmq.addresses", "127.0.0.1:" + rabbit.node(node).port())
          .build())) {
        assertThat(onIt.history(channel, HistoryQuery.earliest())).extracting(Message::event)
            .containsExactly("e0", "e1", "e2");
      }
    }
  }

  /** Every queue's number of members, from rabbitmqctl. */
  private static Map<String, Integer> members(RabbitMqCluster rabbit) {
    Map<String, Integer> members = new HashMap<>();
    for (String line : rabbit.node(1).rabbitmqctl("list_queues", "--quiet",
        "--no-table-headers", "name", "members").lines().toList()) {
      String[] columns = line.split("\t");
      if (columns.length == 2) {
        members.put(columns[0], (int) columns[1].chars().filter(c -> c == '@').count());
      }
    }
    return members;
  }
}
