package dev.realtime;

import static org.awaitility.Awaitility.await;

import dev.realtime.channel.Channel;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.subscription.RetryPolicy;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * A dead letter is a publish like any other: it goes through the checks and the publish metrics
 * that {@link Brokers} wraps around every adapter, not around them through the adapter's own
 * publish (issue 15).
 */
class DeadLetterRouteTest {
  @Test
  void aDeadLetterIsCountedInThePublishMetrics() throws Exception {
    Set<String> published = ConcurrentHashMap.newKeySet();
    RealtimeMetrics metrics = new RealtimeMetrics() {
      @Override
      public void published(String broker, Channel channel, long nanos,
          @Nullable Throwable failure) {
        if (failure == null) {
          published.add(channel.name());
        }
      }
    };
    try (Broker broker = Brokers.open(RealtimeConfig.of(Map.of()), metrics)) {
      Subscription subscription = broker.subscribe(SubscriptionSpec.builder().channels("jobs")
          .retryPolicy(RetryPolicy.none()).deadLetterChannel("jobs.dlq").build(), message -> {
            throw new IllegalStateException("fails every time");
          });
      broker.publish(Message.builder().channel("jobs").event("e").build())
          .toCompletableFuture().join();

      await().atMost(Duration.ofSeconds(10)).until(() -> published.contains("jobs.dlq"));
      subscription.close();
    }
  }
}
