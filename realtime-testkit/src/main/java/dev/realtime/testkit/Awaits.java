package dev.realtime.testkit;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * The suite's waits: a condition checked every 10 ms from the start, so that a case takes as
 * long as the broker does and not as long as Awaitility's default 100 ms polling.
 */
final class Awaits {
  private Awaits() {}

  static ConditionFactory await() {
    return Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
  }
}
