package dev.realtime.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A killed process is seen as gone by its {@link Process} as soon as the kill returns. */
class ReaperTest {
  @Test
  void aKilledProcessIsNotAliveOnceKillTreeReturns() throws Exception {
    // The JDK completes a handle's exit before the Process hears of it, a window of
    // microseconds that RedisProcessTest fell into once in CI; a kill now waits for both.
    int stillAlive = 0;
    for (int i = 0; i < 300; i++) {
      Process process = new ProcessBuilder("sleep", "60").start();
      Reaper.killTree(process, Duration.ofSeconds(10));
      if (process.isAlive()) {
        stillAlive++;
      }
    }
    assertThat(stillAlive).as("kills after which isAlive() was still true").isZero();
  }
}
