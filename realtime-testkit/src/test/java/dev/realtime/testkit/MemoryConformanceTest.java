package dev.realtime.testkit;

import dev.realtime.config.RealtimeConfig;
import java.util.Map;

/** The in-memory broker, held to every case like any adapter. */
class MemoryConformanceTest extends ConformanceSuite {
  @Override
  protected BrokerEnvironment environment() {
    return new BrokerEnvironment() {
      @Override
      public String description() {
        return "in-memory broker in the test JVM";
      }

      @Override
      public RealtimeConfig config() {
        return RealtimeConfig.of(Map.of("realtime.broker", "memory"));
      }
    };
  }
}
