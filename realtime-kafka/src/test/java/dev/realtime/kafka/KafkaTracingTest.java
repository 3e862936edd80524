package dev.realtime.kafka;

import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.TracingRun;
import dev.realtime.testkit.env.Environments;
import org.junit.jupiter.api.Test;

/** A trace crosses Kafka: the trace context travels in record headers, in both wire formats. */
class KafkaTracingTest {
  @Test
  void aTraceCrossesKafka() throws Exception {
    try (BrokerEnvironment environment = Environments.kafka()) {
      TracingRun.assertTraceCrosses(environment.config());
      TracingRun.assertTraceCrosses(environment.config().newBuilder()
          .set(KafkaOptions.WIRE_FORMAT.name(), "cloudevents").build());
    }
  }
}
