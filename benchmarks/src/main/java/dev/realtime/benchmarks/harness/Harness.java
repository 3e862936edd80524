package dev.realtime.benchmarks.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The comparison: for each backend in turn (never two at once, so that they do not share the
 * machine), the raw client, the raw client carrying the SDK's envelope, and the SDK, through the
 * same workloads: maximum throughput at 100 B and 1 KiB, then fixed rates of 1,000/s, 10,000/s
 * and half the raw client's maximum, at 100 B (the envelope side at the last rate alone: there
 * both sides handle the same messages per second, so their CPU per message compares the code,
 * not how well each batches at its own maximum). Every run has its own channel.
 *
 * <p><b>Rounds, sides taking turns.</b> Each workload runs in {@link Timing#rounds()} rounds,
 * the sides in turn within a round and in the opposite order in the next (raw first, then SDK
 * first), and each side's figure is its median round (by throughput at the maximum, by p99 at a
 * fixed rate), every figure of it from that one run. One run per side, raw always first, measured
 * the order more than the code on this machine: a Kafka broker's JIT warming through the raw
 * side's run put the SDK at 1.5 times raw, a RabbitMQ quorum queue slowing as its log grew put
 * raw at twice the raw client carrying the envelope, which does the same work. Turns spread such
 * drifts over both sides, and the median drops the round a pause or a neighbour spoiled.
 */
public final class Harness {
  /** The side of a raw client carrying the SDK's envelope. */
  public static final String ENVELOPE = "raw+envelope";

  /**
   * How long each run warms up and measures, and how the JMH benchmarks run.
   *
   * @param l0 the SDK's own cost ({@code l0.PublishBenchmark})
   * @param publish publish throughput, raw and SDK ({@code throughput.PublishThroughputBenchmark})
   */
  public record Timing(Duration warmUp, Duration measure, int rounds, Jmh l0, Jmh publish) {
    /**
     * The published report, about 55 minutes on 2 cores. JMH: 16 or 20 measured iterations over
     * two forks, so that the 99.9% interval is about the iterations' spread (with one fork of 3
     * it was 18 times the spread: Student's t for 2 degrees of freedom is 31.6), a fork's own
     * JIT decisions show as spread instead of hiding, and 5 s of warm-up, by which the JIT's
     * climb is over (3 s was not: the first measured iterations still rose). The harness: three
     * rounds of 2 s of warm-up and 4 s measured per run, tens of thousands of messages or more
     * each (one run of 5 s and 10 s took about as long, and gave one sample per side).
     */
    public static final Timing REPORT = new Timing(Duration.ofSeconds(2), Duration.ofSeconds(4), 3,
        new Jmh(2, 5, Duration.ofSeconds(1), 10, Duration.ofSeconds(1)),
        new Jmh(2, 5, Duration.ofSeconds(1), 8, Duration.ofSeconds(1)));
    /**
     * CI: proves the harness and the benchmarks work end to end; its figures mean nothing. JMH
     * runs in this JVM (no forks: a fork's start costs more than its one short iteration).
     */
    public static final Timing QUICK = new Timing(Duration.ofMillis(500), Duration.ofMillis(500), 1,
        new Jmh(0, 1, Duration.ofMillis(200), 1, Duration.ofMillis(500)),
        new Jmh(0, 1, Duration.ofMillis(200), 1, Duration.ofMillis(500)));
  }

  /** A JMH run's shape: forks (0: in this JVM), warm-up and measurement iterations. */
  public record Jmh(int forks, int warmups, Duration warmupTime, int iterations,
      Duration iterationTime) {
    /** Applies these to {@code options}. */
    public ChainedOptionsBuilder applyTo(
        ChainedOptionsBuilder options) {
      return options.forks(forks)
          .warmupIterations(warmups).warmupTime(timeValue(warmupTime))
          .measurementIterations(iterations).measurementTime(timeValue(iterationTime));
    }

    /** As the report says it: {@code 2 forks, each 5 × 1 s warm-up and 10 × 1 s measured}. */
    public String describe() {
      return (forks == 0 ? "in the harness's JVM" : forks + (forks == 1 ? " fork" : " forks"))
          + ", each " + warmups + " × " + seconds(warmupTime) + " warm-up and " + iterations
          + " × " + seconds(iterationTime) + " measured";
    }

    private static TimeValue timeValue(Duration duration) {
      return TimeValue.milliseconds(duration.toMillis());
    }

    private static String seconds(Duration duration) {
      return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s"
          : duration.toMillis() + " ms";
    }
  }

  private final Timing timing;
  private final boolean quick;
  private final Consumer<String> progress;

  public Harness(Timing timing, boolean quick, Consumer<String> progress) {
    this.timing = timing;
    this.quick = quick;
    this.progress = progress;
  }

  /** Runs every workload on {@code backend}, in rounds, after the first one run to warm up. */
  public List<Result> run(Backend backend) throws Exception {
    if (timing.rounds() > 1) {
      // Discarded, all its rounds: a broker just started (Kafka's JVM above all) runs faster
      // for minutes as its JIT warms, and the first round would measure that. Kafka's raw
      // client went 134k, 769k, 805k msg/s over three rounds without it.
      sides(backend, Workload.maxThroughput(100, timing.warmUp(), timing.measure()), true,
          new ArrayList<>());
    }
    List<Result> results = new ArrayList<>();
    double rawMax = 0;
    for (int size : quick ? List.of(100) : List.of(100, 1024)) {
      Result raw = sides(backend, Workload.maxThroughput(size, timing.warmUp(),
          timing.measure()), true, results);
      if (size == 100 && raw != null) {
        // Half the raw client's maximum; the in-memory broker has no raw client, and half the
        // SDK's own maximum would overrun its bounded log (that is the memory broker's limit,
        // documented, not a latency).
        rawMax = raw.endToEndRate();
      }
    }
    List<Long> rates = new ArrayList<>();
    if (!quick) {
      rates.addAll(List.of(1000L, 10_000L));
      if (rawMax > 0) {
        rates.add(Math.max(1, Math.round(rawMax / 2)));
      }
    } else if (!backend.group()) {
      rates.add(1000L);
    }
    for (int i = 0; i < rates.size(); i++) {
      sides(backend, Workload.fixedRate(100, rates.get(i), timing.warmUp(), timing.measure()),
          i == rates.size() - 1, results);
    }
    return results;
  }

  /**
   * The cluster comparison's runs of {@code backend} ({@link ReplicationPrice}): the maximum and
   * 1,000/s, at 100 B, raw and SDK, in rounds as {@link #run} has them, after one maximum run
   * to warm up; the envelope and the other sizes and rates are the main report's business.
   */
  public List<Result> runMaxAndSteady(Backend backend) throws Exception {
    Workload max = Workload.maxThroughput(100, timing.warmUp(), timing.measure());
    if (timing.rounds() > 1) {
      sides(backend, max, false, new ArrayList<>()); // Discarded, as in run().
    }
    List<Result> results = new ArrayList<>();
    sides(backend, max, false, results);
    sides(backend, Workload.fixedRate(100, 1000, timing.warmUp(), timing.measure()), false,
        results);
    return results;
  }

  /**
   * Runs {@code workload} with the raw client, the raw client with the envelope (if {@code
   * envelope} and the backend has one), and the SDK, in rounds taking turns, into {@code
   * results} (each side's median round); returns the raw client's, if it has one.
   */
  private @Nullable Result sides(Backend backend, Workload workload, boolean envelope,
      List<Result> results) throws Exception {
    Map<String, Supplier<Driver>> sides = new LinkedHashMap<>();
    if (backend.raw() != null) {
      sides.put("raw", backend.raw());
    }
    if (envelope && backend.rawWithEnvelope() != null) {
      sides.put(ENVELOPE, backend.rawWithEnvelope());
    }
    sides.put("sdk", backend.sdk());
    List<String> order = new ArrayList<>(sides.keySet());
    Map<String, List<Result>> rounds = new LinkedHashMap<>();
    for (int round = 0; round < timing.rounds(); round++) {
      for (String side : order) {
        rounds.computeIfAbsent(side, s -> new ArrayList<>())
            .add(runOne(backend, side, sides.get(side).get(), workload));
      }
      Collections.reverse(order);
    }
    for (List<Result> each : rounds.values()) {
      results.add(median(each));
    }
    return rounds.containsKey("raw") ? median(rounds.get("raw")) : null;
  }

  /**
   * The median of one side's rounds (the lower middle of an even count): by end-to-end
   * throughput at the maximum, by p99 at a fixed rate, where a round missing messages ranks
   * last. The whole round is kept, so that its figures (rate, latency, CPU) come from one run.
   */
  static Result median(List<Result> rounds) {
    List<Result> sorted = new ArrayList<>(rounds);
    Comparator<Result> order = rounds.get(0).workload().isMaxThroughput()
        ? Comparator.comparingDouble(Result::endToEndRate).reversed()
        : Comparator.comparingLong((Result r) -> r.missing() > 0 ? 1 : 0)
            .thenComparingLong(Result::p99);
    sorted.sort(order);
    return sorted.get((sorted.size() - 1) / 2);
  }

  private Result runOne(Backend backend, String side, Driver driver, Workload workload)
      throws Exception {
    progress.accept(backend.name() + " " + side + " " + workload.label() + "...");
    String channel = "bench." + UUID.randomUUID().toString().substring(0, 8);
    Result result = LoadRunner.run(backend.name(), side, driver, channel, workload);
    progress.accept(String.format(java.util.Locale.ROOT,
        "  publish %,.0f msg/s, end to end %,.0f msg/s, p99 %.2f ms, missing %d, failed %d",
        result.publishRate(), result.endToEndRate(), result.p99() / 1e6, result.missing(),
        result.failed()));
    return result;
  }
}
