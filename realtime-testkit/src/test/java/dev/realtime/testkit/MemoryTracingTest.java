package dev.realtime.testkit;

import dev.realtime.testkit.env.Environments;
import org.junit.jupiter.api.Test;

/** A trace crosses the in-memory broker: publish, broadcast, group retries, dead letters. */
class MemoryTracingTest {
  @Test
  void aTraceCrossesTheMemoryBroker() throws Exception {
    TracingRun.assertTraceCrosses(Environments.memory().config());
  }
}
