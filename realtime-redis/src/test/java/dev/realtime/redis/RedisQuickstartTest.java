package dev.realtime.redis;

import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.QuickstartRun;
import dev.realtime.testkit.env.Environments;
import org.junit.jupiter.api.Test;

/** The README's quickstart on this adapter, on channels new to the broker: both messages arrive. */
class RedisQuickstartTest {
  @Test
  void theReadmeQuickstartReceivesBothMessages() throws Exception {
    try (BrokerEnvironment environment = Environments.redis()) {
      QuickstartRun.assertBothArrive(environment, "realtime.redis.key-prefix");
    }
  }
}
