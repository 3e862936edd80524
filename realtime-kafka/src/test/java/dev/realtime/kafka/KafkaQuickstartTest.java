package dev.realtime.kafka;

import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.QuickstartRun;
import dev.realtime.testkit.env.Environments;
import org.junit.jupiter.api.Test;

/** The README's quickstart on this adapter, on channels new to the broker: both messages arrive. */
class KafkaQuickstartTest {
  @Test
  void theReadmeQuickstartReceivesBothMessages() throws Exception {
    try (BrokerEnvironment environment = Environments.kafka()) {
      QuickstartRun.assertBothArrive(environment, "realtime.kafka.topic-prefix");
    }
  }
}
