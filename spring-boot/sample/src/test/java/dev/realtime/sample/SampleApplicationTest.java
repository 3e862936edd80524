package dev.realtime.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.channel.Channel;
import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.env.Environments;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Starts the sample application against Redis (the machine's, or {@code
 * REALTIME_TEST_REDIS_URI}) and places an order: the listener mails it.
 */
@SpringBootTest
class SampleApplicationTest {
  private static final BrokerEnvironment REDIS = Environments.redis();
  // A prefix of the run's own: runs on a shared Redis do not share the mailers group.
  private static final String PREFIX =
      "sample" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);

  @Autowired Orders orders;
  @Autowired Mailer mailer;

  @DynamicPropertySource
  static void redis(DynamicPropertyRegistry properties) {
    properties.add("realtime.redis.uri",
        () -> REDIS.config().getString("realtime.redis.uri").orElseThrow());
    properties.add("realtime.redis.key-prefix", () -> PREFIX);
  }

  /** Best effort, once the application has stopped: a shared Redis keeps no run's stream. */
  @AfterAll
  static void deleteTheChannel() {
    try (Broker broker = Brokers.open(REDIS.config().newBuilder()
        .set("realtime.redis.key-prefix", PREFIX).build())) {
      broker.admin().delete(Channel.of("orders"));
    } finally {
      REDIS.close();
    }
  }

  @Test
  void aPlacedOrderIsMailed() {
    orders.place(new Order(42, "a book", "ada@example.com"));

    await().atMost(Duration.ofSeconds(30)).until(() -> !mailer.mailed().isEmpty());
    assertThat(mailer.mailed()).containsExactly(new Order(42, "a book", "ada@example.com"));
  }
}
