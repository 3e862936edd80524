package dev.realtime.rabbitmq;

import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.TracingRun;
import dev.realtime.testkit.env.Environments;
import org.junit.jupiter.api.Test;

/** A trace crosses RabbitMQ: the trace context travels in AMQP headers. */
class RabbitTracingTest {
  @Test
  void aTraceCrossesRabbitMq() throws Exception {
    try (BrokerEnvironment environment = Environments.rabbitmq()) {
      TracingRun.assertTraceCrosses(environment.config());
    }
  }
}
