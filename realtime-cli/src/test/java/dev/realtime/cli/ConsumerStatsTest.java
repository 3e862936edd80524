package dev.realtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The consume summary's counts and times, on a clock the test moves. */
class ConsumerStatsTest {
  private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(100));
  private final ConsumerStats stats = new ConsumerStats(now::get);

  @Test
  void theTimeRunsFromTheFirstMessageNotFromTheStartOrTheConnection() {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(3_420)); // JVM start, connect, a group's join
    for (int i = 0; i < 3; i++) {
      stats.processed(1);
      now.addAndGet(TimeUnit.MILLISECONDS.toNanos(25));
    }
    now.addAndGet(TimeUnit.SECONDS.toNanos(10)); // quiet until Ctrl-C
    assertThat(stats.summary()).isEqualTo("processed 3 messages in 0.05 s, errors 0");
  }

  @Test
  void theRateIsOverTheTimeBetweenTheFirstAndTheLastMessage() {
    now.addAndGet(TimeUnit.SECONDS.toNanos(5));
    for (int i = 0; i < 2_001; i++) {
      stats.processed(1);
      now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
    }
    assertThat(stats.summary()).isEqualTo("processed 2,001 messages in 2.00 s (1,001 msg/s), "
        + "errors 0");
  }

  @Test
  void oneMessageIsSingularAndHasNoRate() {
    assertThat(stats.summary()).isEqualTo("processed 0 messages, errors 0");
    now.addAndGet(TimeUnit.SECONDS.toNanos(3));
    stats.processed(1);
    assertThat(stats.summary()).isEqualTo("processed 1 message, errors 0");
  }
}
