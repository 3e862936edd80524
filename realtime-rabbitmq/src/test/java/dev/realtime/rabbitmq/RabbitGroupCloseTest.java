package dev.realtime.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import dev.realtime.testkit.env.Environments;
import dev.realtime.testkit.env.ProxiedEnvironment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A group member closed gracefully under a backlog: what it handled is never handled again, and
 * what it handed back is not counted as a delivery attempt.
 */
class RabbitGroupCloseTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static ProxiedEnvironment rabbit;
  private static Broker broker;
  private final String run = "t" + UUID.randomUUID().toString().substring(0, 8);
  private final Channel channel = Channel.of(run + ".jobs");
  private final String group = "w-" + run;

  @BeforeAll
  static void open() {
    rabbit = Environments.rabbitmq();
    broker = Brokers.open(rabbit.config());
  }

  @AfterAll
  static void close() {
    broker.close();
    rabbit.close();
  }

  @AfterEach
  void deleteChannel() {
    broker.admin().delete(channel);
  }

  private void publish(int count) {
    List<CompletableFuture<?>> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sent.add(broker.publish(Message.builder().channel(channel).event("job").id(run + "-" + i)
          .payload("x").build()).toCompletableFuture());
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
  }

  private SubscriptionSpec spec() {
    return SubscriptionSpec.builder().channel(channel).group(group).build();
  }

  @Test
  void membersClosedUnderABacklogHaveNothingRedeliveredAndSpendNoAttempt() throws Exception {
    broker.admin().ensure(ChannelSpec.builder(channel).groups(group).build());
    int total = 20_000;
    publish(total);
    List<String> handled = new CopyOnWriteArrayList<>();
    Map<String, Integer> attempts = new ConcurrentHashMap<>();
    for (int member = 0; member < 6; member++) { // Six clean restarts.
      try (Broker own = Brokers.open(rabbit.config())) {
        int before = handled.size();
        Subscription first = own.subscribe(spec(), message -> {
          handled.add(message.id());
          attempts.merge(message.id(), message.deliveryAttempt(), Math::max);
        });
        await().atMost(DEADLINE).until(() -> handled.size() > before + 2_000);
        assertThat(first.close(Duration.ofSeconds(10))).as("drained").isTrue();
      }
    }
    Subscription last = broker.subscribe(spec(), message -> {
      handled.add(message.id());
      attempts.merge(message.id(), message.deliveryAttempt(), Math::max);
    });
    try {
      await().atMost(DEADLINE).until(() -> new HashSet<>(handled).size() == total);
    } finally {
      last.close(Duration.ofSeconds(10));
    }
    Set<String> seen = new HashSet<>();
    List<String> twice = handled.stream().filter(id -> !seen.add(id)).collect(
        Collectors.toList());
    assertThat(twice).as("handled twice after a clean close").isEmpty();
    assertThat(attempts.values()).as("nothing was handled but once: every attempt is 1")
        .allMatch(attempt -> attempt == 1);
  }
}
