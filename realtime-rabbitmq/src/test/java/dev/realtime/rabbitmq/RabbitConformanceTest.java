package dev.realtime.rabbitmq;

import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.ConformanceSuite;
import dev.realtime.testkit.env.Environments;

/** The RabbitMQ adapter against the machine's RabbitMQ (or REALTIME_TEST_RABBITMQ_URI). */
class RabbitConformanceTest extends ConformanceSuite {
  @Override
  protected BrokerEnvironment environment() {
    return Environments.rabbitmq();
  }
}
