package dev.realtime.benchmarks.harness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.benchmarks.l0.L0;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's verdicts at the limits of issue 15's targets. */
class TargetsTest {
  private static final Duration SECOND = Duration.ofSeconds(1);
  private static final Workload MAX = Workload.maxThroughput(100, SECOND, SECOND);
  private static final Workload RATE = Workload.fixedRate(100, 5000, SECOND, SECOND);
  private static final Backend KAFKA = new Backend("kafka", "test", () -> null, () -> null,
      () -> null, false);

  @Test
  void throughputIsMetFromNinetyPercentOfTheRawClient() {
    assertThat(verdict(List.of(max("raw", 1000), max("sdk", 900)), 0).met()).isTrue();
    assertThat(verdict(List.of(max("raw", 1000), max("sdk", 899)), 0).met()).isFalse();
  }

  @Test
  void p99IsMetUpToAQuarterAboveTheRawClientsPlusOneMillisecond() {
    // Raw 4 ms: the SDK may take 4 × 1.25 + 1 = 6 ms.
    assertThat(verdict(List.of(rate("raw", 4_000_000, 0, 0),
        rate("sdk", 6_000_000, 0, 0)), 0).met()).isTrue();
    assertThat(verdict(List.of(rate("raw", 4_000_000, 0, 0),
        rate("sdk", 6_000_001, 0, 0)), 0).met()).isFalse();
  }

  @Test
  void aFixedRateRunMissingMessagesMissesItsP99Target() {
    Targets.Verdict verdict = verdict(List.of(rate("raw", 4_000_000, 0, 0),
        rate("sdk", 1_000_000, 0, 3)), 0);

    assertThat(verdict.met()).isFalse();
    assertThat(verdict.sdk()).contains("3 missing");
  }

  @Test
  void cpuIsHeldToTheRawClientCarryingTheEnvelopeAtTheSameRate() {
    List<Result> results = List.of(rate("raw", 1, 1_000, 0),
        rate(Harness.ENVELOPE, 1, 10_000, 0), rate("sdk", 1, 11_500, 0));
    Targets.Verdict cpu = verdict(results, 1);

    assertThat(cpu.measure()).startsWith("CPU per message received at 5,000/s");
    assertThat(cpu.raw()).isEqualTo("10.0");
    assertThat(cpu.met()).isTrue();
    assertThat(verdict(List.of(rate("raw", 1, 1_000, 0), rate(Harness.ENVELOPE, 1, 10_000, 0),
        rate("sdk", 1, 11_501, 0)), 1).met()).isFalse();
  }

  @Test
  void l0IsMetAtThreeHundredNanosecondsAndFourHundredBytes() {
    List<Targets.Verdict> verdicts = Targets.judge(List.of(), List.of(), List.of(
        new L0.Row("publish", 100, 300, 1, 401, 0), new L0.Row("publish", 1024, 999, 1, 999, 0)));

    assertThat(verdicts).extracting(Targets.Verdict::measure, Targets.Verdict::met)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ns per published message, 100 B", true),
            org.assertj.core.groups.Tuple.tuple("bytes allocated per published message, 100 B",
                false));
  }

  @Test
  void anIntervalOfTenPercentOrMoreOrNoneIsWide() {
    assertThat(Targets.wide(1000, 99.9)).isFalse();
    assertThat(Targets.wide(1000, 100)).isTrue();
    assertThat(Targets.wide(760_437, 2_555_850)).isTrue();
    assertThat(Targets.wide(1000, Double.NaN)).isTrue();
  }

  private static Targets.Verdict verdict(List<Result> results, int index) {
    return Targets.judge(List.of(KAFKA), results, List.of()).get(index);
  }

  private static Result max(String side, double rate) {
    return new Result("kafka", side, MAX, rate, rate, 1, 0, 0, 0, 0, 1, 0, 0);
  }

  private static Result rate(String side, long p99, long cpu, long missing) {
    return new Result("kafka", side, RATE, 5000, 5000, cpu, 0, p99, p99, p99, 1, missing, 0);
  }
}
