package dev.realtime.redis;

import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.TracingRun;
import dev.realtime.testkit.env.Environments;
import org.junit.jupiter.api.Test;

/** A trace crosses Redis: the trace context travels in stream fields and Pub/Sub payloads. */
class RedisTracingTest {
  @Test
  void aTraceCrossesRedisStreams() throws Exception {
    try (BrokerEnvironment environment = Environments.redis()) {
      TracingRun.assertTraceCrosses(environment.config());
    }
  }

  @Test
  void aTraceCrossesRedisPubSub() throws Exception {
    try (BrokerEnvironment environment = Environments.redis()) {
      TracingRun.assertTraceCrosses(environment.config().newBuilder()
          .set(RedisOptions.MODE.name(), "pubsub").build());
    }
  }
}
