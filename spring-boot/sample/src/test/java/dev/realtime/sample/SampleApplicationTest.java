package dev.realtime.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.channel.Channel;
import dev.realtime.config.RealtimeConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the sample application as its {@code main} does, against Redis (the machine's, or
 * {@code REALTIME_TEST_REDIS_URI}, the testkit's variable), places an order and waits for the
 * mail; then stops it (its listener drains, its broker closes) and deletes the run's stream.
 */
class SampleApplicationTest {
  private static final String REDIS = redisUri(System.getenv("REALTIME_TEST_REDIS_URI"));

  @Test
  void aPlacedOrderIsMailed() {
    // A prefix of the run's own: runs on a shared Redis do not share the mailers group.
    String prefix = "sample" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    try (ConfigurableApplicationContext application =
        new SpringApplicationBuilder(SampleApplication.class)
            .run("--realtime.redis.uri=" + REDIS, "--realtime.redis.key-prefix=" + prefix)) {
      application.getBean(Orders.class).place(new Order(42, "a book", "ada@example.com"));

      Mailer mailer = application.getBean(Mailer.class);
      await().atMost(Duration.ofSeconds(30)).until(() -> !mailer.mailed().isEmpty());
      assertThat(mailer.mailed()).containsExactly(new Order(42, "a book", "ada@example.com"));
    } finally {
      deleteTheStream(prefix);
    }
  }

  /** The variable's URI, or the machine's Redis when it is unset or blank, as the testkit. */
  private static String redisUri(String variable) {
    return variable == null || variable.isBlank() ? "redis://127.0.0.1:6379" : variable.strip();
  }

  /** Best effort: a shared Redis keeps no run's stream. */
  private static void deleteTheStream(String prefix) {
    try (Broker broker = Brokers.open(RealtimeConfig.of(Map.of("realtime.broker", "redis",
        "realtime.redis.uri", REDIS, "realtime.redis.key-prefix", prefix)))) {
      broker.admin().delete(Channel.of("orders"));
    } catch (RuntimeException e) {
      // Nothing to clean.
    }
  }
}
