package dev.realtime.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  @Test
  void theCeilingGrowsByTheMultiplierUpToTheMaximum() {
    RetryPolicy policy = RetryPolicy.defaults();

    assertThat(policy.backoffCeiling(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.backoffCeiling(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(policy.backoffCeiling(4)).isEqualTo(Duration.ofMillis(800));
    assertThat(policy.backoffCeiling(30)).isEqualTo(Duration.ofSeconds(10));
  }

  /**
   * Issue 14, item 11: the members of a group that fail together must not retry together. A
   * thousand members' waits after the same attempt spread over half the backoff, and none waits
   * less than half of it or more than all of it.
   */
  @Test
  void membersFailingTogetherDoNotRetryInLockstep() {
    RetryPolicy policy = RetryPolicy.defaults();
    for (int attempt = 1; attempt <= 8; attempt++) {
      Duration ceiling = policy.backoffCeiling(attempt);
      Set<Duration> waits = new HashSet<>();
      Duration shortest = ceiling;
      Duration longest = Duration.ZERO;
      for (int member = 0; member < 1000; member++) {
        Duration wait = policy.backoffAfter(attempt);
        assertThat(wait).as("attempt %d", attempt)
            .isBetween(ceiling.dividedBy(2), ceiling);
        waits.add(wait);
        shortest = wait.compareTo(shortest) < 0 ? wait : shortest;
        longest = wait.compareTo(longest) > 0 ? wait : longest;
      }
      assertThat(waits).as("distinct waits after attempt %d", attempt).hasSizeGreaterThan(900);
      assertThat(longest.minus(shortest)).as("spread after attempt %d", attempt)
          .isGreaterThan(ceiling.dividedBy(4));
    }
  }

  @Test
  void theSameRandomSourceGivesTheSameWaits() {
    RetryPolicy policy = RetryPolicy.defaults();
    SplittableRandom one = new SplittableRandom(14);
    SplittableRandom two = new SplittableRandom(14);
    for (int attempt = 1; attempt <= 5; attempt++) {
      assertThat(policy.backoffAfter(attempt, one)).isEqualTo(policy.backoffAfter(attempt, two));
    }
  }

  @Test
  void aZeroBackoffStaysZero() {
    RetryPolicy policy = RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO, 1.0).build();

    assertThat(policy.backoffAfter(3)).isEqualTo(Duration.ZERO);
  }
}
