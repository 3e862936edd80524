package dev.realtime.benchmarks.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The comparison: for each backend in turn (never two at once, so that they do not share the
 * machine), the raw client, the raw client carrying the SDK's envelope, and the SDK, one after
 * the other through the same workloads: maximum throughput at 100 B and 1 KiB, then fixed rates
 * of 1,000/s, 10,000/s and half the raw client's maximum, at 100 B (the envelope side at the
 * last rate alone: there both sides handle the same messages per second, so their CPU per
 * message compares the code, not how well each batches at its own maximum). Every run has its
 * own channel.
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
  public record Timing(Duration warmUp, Duration measure, Jmh l0, Jmh publish) {
    /**
     * The published report, about 45 minutes on 2 cores. JMH: 16 or 20 measured iterations over
     * two forks, so that the 99.9% interval is about the iterations' spread (with one fork of 3
     * it was 18 times the spread: Student's t for 2 degrees of freedom is 31.6), a fork's own
     * JIT decisions show as spread instead of hiding, and 5 s of warm-up, by which the JIT's
     * climb is over (3 s was not: the first measured iterations still rose). The harness: 5 s
     * of warm-up and 10 s measured per run, tens of thousands of messages or more.
     */
    public static final Timing REPORT = new Timing(Duration.ofSeconds(5), Duration.ofSeconds(10),
        new Jmh(2, 5, Duration.ofSeconds(1), 10, Duration.ofSeconds(1)),
        new Jmh(2, 5, Duration.ofSeconds(1), 8, Duration.ofSeconds(1)));
    /**
     * CI: proves the harness and the benchmarks work end to end; its figures mean nothing. JMH
     * runs in this JVM (no forks: a fork's start costs more than its one short iteration).
     */
    public static final Timing QUICK = new Timing(Duration.ofMillis(500), Duration.ofMillis(500),
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

  /** Runs every workload on {@code backend}, raw first. */
  public List<Result> run(Backend backend) throws Exception {
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
   * Runs {@code workload} with the raw client, the raw client with the envelope (if {@code
   * envelope} and the backend has one), and the SDK, one after the other, into {@code results};
   * returns the raw client's result, if it has one.
   */
  private @Nullable Result sides(Backend backend, Workload workload, boolean envelope,
      List<Result> results) throws Exception {
    Result raw = backend.raw() == null ? null
        : runOne(backend, "raw", backend.raw().get(), workload);
    add(results, raw);
    if (envelope && backend.rawWithEnvelope() != null) {
      add(results, runOne(backend, ENVELOPE, backend.rawWithEnvelope().get(), workload));
    }
    add(results, runOne(backend, "sdk", backend.sdk().get(), workload));
    return raw;
  }

  private static void add(List<Result> results, @Nullable Result result) {
    if (result != null) {
      results.add(result);
    }
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
