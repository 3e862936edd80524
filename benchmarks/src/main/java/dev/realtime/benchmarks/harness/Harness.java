package dev.realtime.benchmarks.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The comparison: for each backend in turn (never two at once, so that they do not share the
 * machine), the raw client and then the SDK through the same workloads: maximum throughput at
 * 100 B and 1 KiB, then fixed rates of 1,000/s, 10,000/s and half the raw client's maximum, at
 * 100 B; where a backend has one, the raw client with the SDK's envelope at maximum throughput,
 * 100 B. Every run has its own channel.
 */
public final class Harness {
  /** The side of a raw client carrying the SDK's envelope. */
  public static final String ENVELOPE = "raw+envelope";

  /** How long each run warms up and measures. */
  public record Timing(Duration warmUp, Duration measure) {
    /** The published report: fits the whole comparison in under 15 minutes on 2 cores. */
    public static final Timing REPORT = new Timing(Duration.ofSeconds(2), Duration.ofSeconds(5));
    /** CI: proves the harness works end to end; its figures mean nothing. */
    public static final Timing QUICK = new Timing(Duration.ofMillis(500),
        Duration.ofSeconds(1));
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
    List<Workload> maxima = quick || backend.throughputOnly()
        ? List.of(Workload.maxThroughput(100, timing.warmUp(), timing.measure()))
        : List.of(Workload.maxThroughput(100, timing.warmUp(), timing.measure()),
            Workload.maxThroughput(1024, timing.warmUp(), timing.measure()));
    double rawMax = 0;
    for (Workload workload : maxima) {
      Result raw = runRaw(backend, workload);
      add(results, raw);
      if (workload.size() == 100 && backend.rawWithEnvelope() != null) {
        // Side "raw+envelope": the envelope's share of the gap, at maximum throughput, 100 B.
        add(results, runOne(backend, ENVELOPE, backend.rawWithEnvelope().get(), workload));
      }
      Result sdk = runSdk(backend, workload);
      if (workload.size() == 100 && raw != null) {
        // Half the raw client's maximum; the in-memory broker has no raw client, and half the
        // SDK's own maximum would overrun its bounded log (that is the memory broker's limit,
        // documented, not a latency).
        rawMax = raw.endToEndRate();
      }
      results.add(sdk);
    }
    if (backend.throughputOnly()) {
      return results;
    }
    List<Long> rates = new ArrayList<>(quick ? List.of(1000L) : List.of(1000L, 10_000L));
    if (!quick && rawMax > 0) {
      rates.add(Math.max(1, Math.round(rawMax / 2)));
    }
    for (long rate : rates) {
      Workload workload = Workload.fixedRate(100, rate, timing.warmUp(), timing.measure());
      add(results, runRaw(backend, workload));
      results.add(runSdk(backend, workload));
    }
    return results;
  }

  private static void add(List<Result> results, @Nullable Result result) {
    if (result != null) {
      results.add(result);
    }
  }

  private @Nullable Result runRaw(Backend backend, Workload workload) throws Exception {
    if (backend.raw() == null) {
      return null;
    }
    return runOne(backend, "raw", backend.raw().get(), workload);
  }

  private Result runSdk(Backend backend, Workload workload) throws Exception {
    return runOne(backend, "sdk", backend.sdk().get(), workload);
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
