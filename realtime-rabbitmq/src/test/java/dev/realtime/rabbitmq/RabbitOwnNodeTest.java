package dev.realtime.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.PayloadTooLargeException;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.process.RabbitMqProcess;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against a RabbitMQ node of the test's own, configured as the shared one is not. */
class RabbitOwnNodeTest {
  private static RabbitMqProcess rabbit;

  @BeforeAll
  static void start() {
    rabbit = RabbitMqProcess.builder().config("max_message_size = 1048576").start();
  }

  @AfterAll
  static void stop() {
    if (rabbit != null) {
      rabbit.close();
    }
  }

  private static Broker open() {
    return Brokers.open(RealtimeConfig.builder().set("realtime.broker", "rabbitmq")
        .set("realtime.rabbitmq.uri", rabbit.uri())
        .set("realtime.max-payload-bytes", "8MiB").build());
  }

  private static CompletableFuture<?> publish(Broker broker, Channel channel, String id,
      int size) {
    return broker.publish(Message.builder().channel(channel).event("e").id(id)
        .payload(new byte[size]).build()).toCompletableFuture();
  }

  @Test
  void anOversizedMessageFailsAloneWithRabbitsReasonAndTheNextFailsBeforeSending()
      throws Exception {
    Channel channel = Channel.of("oversize");
    try (Broker broker = open()) {
      broker.admin().ensure(ChannelSpec.builder(channel).build());
      List<CompletableFuture<?>> small = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        ids.add("a" + i);
        small.add(publish(broker, channel, "a" + i, 100));
      }
      CompletableFuture<?> big = publish(broker, channel, "big", 2 * 1024 * 1024);
      for (int i = 0; i < 300; i++) {
        ids.add("b" + i);
        small.add(publish(broker, channel, "b" + i, 100 + i % 7));
      }
      CompletableFuture.allOf(small.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      assertThatThrownBy(() -> big.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasMessageContaining("message big")
          .hasMessageContaining("message size 2097152 is larger than configured max size "
              + "1048576")
          .hasMessageContaining("max_message_size").hasMessageContaining("1048576")
          .hasMessageContaining("realtime.max-payload-bytes is 8388608");

      // Learnt: the next one over RabbitMQ's limit fails before it is sent, naming both.
      CompletableFuture<?> again = publish(broker, channel, "big-2", 1024 * 1024 + 1);
      assertThat(again).isCompletedExceptionally();
      assertThatThrownBy(again::join).hasCauseInstanceOf(PayloadTooLargeException.class)
          .hasMessageContaining("realtime.max-payload-bytes is 8388608")
          .hasMessageContaining("RabbitMQ max_message_size 1048576");
      publish(broker, channel, "c", 100).get(30, TimeUnit.SECONDS);
      ids.add("c");

      List<String> stored = broker.history(channel, HistoryQuery.earliest().limit(1000))
          .stream().map(Message::id).toList();
      Set<String> once = new HashSet<>(stored);
      assertThat(stored).as("every small one stored once, in order").hasSize(once.size())
          .containsExactlyElementsOf(ids);
    }
  }
}
