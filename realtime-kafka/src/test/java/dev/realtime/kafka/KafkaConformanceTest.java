package dev.realtime.kafka;

import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.ConformanceSuite;
import dev.realtime.testkit.env.Environments;

/** The Kafka adapter against a real KRaft broker (embedded, or REALTIME_TEST_KAFKA_*). */
class KafkaConformanceTest extends ConformanceSuite {
  @Override
  protected BrokerEnvironment environment() {
    return Environments.kafka();
  }
}
