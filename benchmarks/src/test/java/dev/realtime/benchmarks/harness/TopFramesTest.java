package dev.realtime.benchmarks.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The profile summary reads a real recording and finds the method that took the CPU. */
class TopFramesTest {
  private static volatile long sink;

  @Test
  void aMethodThatSpinsIsTheHottestAndItsThreadIsNamed(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("spin.jfr");
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      recording.start();
      Thread spinner = new Thread(TopFramesTest::spin, "spinner-7");
      spinner.start();
      spinner.join();
      recording.stop();
      recording.dump(file);
    }

    String summary = TopFrames.summary(file, 5);

    String hottest = summary.lines().dropWhile(l -> !l.startsWith("hottest methods"))
        .skip(1).findFirst().orElseThrow();
    assertThat(hottest).endsWith(TopFramesTest.class.getName() + ".spin");
    // Thread numbers are folded, so that a pool's threads add up to one row.
    assertThat(summary).contains("spinner-N").doesNotContain("spinner-7");
  }

  /** Busy for half a second of CPU: about 50 samples at 10 ms. */
  private static void spin() {
    long end = System.nanoTime() + 500_000_000L;
    long x = 0;
    while (System.nanoTime() < end) {
      // The clock read rarely, so that the samples land in this method, not in nanoTime.
      for (int i = 0; i < 1_000_000; i++) {
        x += x * 31 + i;
      }
    }
    sink = x;
  }
}
