package dev.realtime.testkit;

import dev.realtime.testkit.env.Environments;

/** The in-memory broker, held to every case like any adapter. */
class MemoryConformanceTest extends ConformanceSuite {
  @Override
  protected BrokerEnvironment environment() {
    return Environments.memory();
  }
}
