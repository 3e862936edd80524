package dev.realtime.benchmarks.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which round of a side's rounds the report shows. */
class HarnessTest {
  private static final Duration SECOND = Duration.ofSeconds(1);
  private static final Workload MAX = Workload.maxThroughput(100, SECOND, SECOND);
  private static final Workload RATE = Workload.fixedRate(100, 1000, SECOND, SECOND);

  @Test
  void atTheMaximumTheMedianRoundByThroughputIsShownWhole() {
    Result slow = result(MAX, 100_000, 9, 0);
    Result middle = result(MAX, 200_000, 5, 0);
    Result fast = result(MAX, 300_000, 7, 0);

    // The round itself, not a blend: its latency and CPU come from the same run as its rate.
    assertThat(Harness.median(List.of(fast, slow, middle))).isSameAs(middle);
  }

  @Test
  void atAFixedRateTheMedianRoundByP99IsShownAndARoundMissingMessagesRanksLast() {
    Result quick = result(RATE, 1000, 2, 0);
    Result slow = result(RATE, 1000, 8, 0);
    Result missing = result(RATE, 1000, 1, 4);

    assertThat(Harness.median(List.of(missing, quick, slow))).isSameAs(slow);
    assertThat(Harness.median(List.of(quick, slow, result(RATE, 1000, 5, 0))).p99())
        .isEqualTo(5);
  }

  @Test
  void oneRoundIsItsOwnMedianAndTwoShowTheBetter() {
    Result only = result(MAX, 100_000, 1, 0);
    Result better = result(MAX, 200_000, 1, 0);

    assertThat(Harness.median(List.of(only))).isSameAs(only);
    assertThat(Harness.median(List.of(only, better))).isSameAs(better);
  }

  private static Result result(Workload workload, double rate, long p99, long missing) {
    return new Result("kafka", "sdk", workload, rate, rate, 1000, 1, p99, p99, p99, 100,
        missing, 0);
  }
}
