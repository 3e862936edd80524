package dev.realtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Realtime;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.subscription.RetryPolicy;
import dev.realtime.subscription.SubscriptionSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MicrometerMetricsTest {
  @Test
  void recordsPublishesHandlingFailuresAndDeadLetters() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Realtime realtime = Realtime.builder().config(RealtimeConfig.of(Map.of()))
        .metrics(new MicrometerMetrics(registry)).build()) {
      realtime.on(SubscriptionSpec.builder().channels("jobs").group("workers")
          .retryPolicy(RetryPolicy.builder().maxAttempts(2)
              .backoff(Duration.ofMillis(1), Duration.ofMillis(1), 1.0).build())
          .deadLetterChannel("jobs.dlq").build(), m -> {
            if (m.event().equals("bad")) {
              throw new IllegalStateException("bad");
            }
          });
      realtime.broadcast("jobs", "good", 1).toCompletableFuture().join();
      realtime.broadcast("jobs", "bad", 2).toCompletableFuture().join();

      await().atMost(Duration.ofSeconds(10)).until(() ->
          registry.find("realtime.dead.lettered").counter() != null);
      assertThat(registry.get("realtime.published").tag("outcome", "success").counter().count())
          .isGreaterThanOrEqualTo(2.0);
      assertThat(registry.get("realtime.publish.latency").timer().count()).isGreaterThan(0);
      assertThat(registry.get("realtime.consumed").tag("group", "workers").counter().count())
          .isEqualTo(1.0);
      assertThat(registry.get("realtime.handler.failures").tag("exception",
          "IllegalStateException").counter().count()).isEqualTo(2.0);
      assertThat(registry.get("realtime.dead.lettered").counter().count()).isEqualTo(1.0);
      assertThat(registry.get("realtime.end.to.end.latency").timer().count()).isEqualTo(1);
      assertThat(registry.get("realtime.consumer.lag").tag("group", "workers")
          .tag("channel", "jobs").gauge().value()).isZero();
    }
    assertThat(registry.find("realtime.consumer.lag").gauges())
        .as("gauges are removed when the subscriptions close").isEmpty();
  }
}
