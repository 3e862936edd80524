package dev.realtime.benchmarks.l0;

import dev.realtime.benchmarks.harness.Harness;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/** Runs {@link PublishBenchmark} with the GC profiler, for the report's L0 table. */
public final class L0 {
  /**
   * One row: the benchmark, the payload size, ns per message and bytes allocated, each with its
   * 99.9% confidence interval (NaN where JMH had too few samples for one).
   */
  public record Row(String benchmark, int size, double nanos, double nanosError, double bytes,
      double bytesError) {}

  private L0() {}

  /**
   * Runs as {@code jmh} says (the report's, or the quick mode's one short iteration that proves
   * it runs); {@code jmh PublishBenchmark -prof gc} runs the annotated ones.
   */
  public static List<Row> run(Harness.Jmh jmh) throws RunnerException {
    Collection<RunResult> results = new Runner(jmh.applyTo(new OptionsBuilder()
        .include(PublishBenchmark.class.getName())
        .addProfiler(GCProfiler.class))
        .build()).run();
    List<Row> rows = new ArrayList<>();
    for (RunResult result : results) {
      Result<?> alloc = result.getSecondaryResults().get("gc.alloc.rate.norm");
      rows.add(new Row(result.getParams().getBenchmark().replaceAll(".*\\.", ""),
          Integer.parseInt(result.getParams().getParam("size")),
          result.getPrimaryResult().getScore(), result.getPrimaryResult().getScoreError(),
          alloc == null ? Double.NaN : alloc.getScore(),
          alloc == null ? Double.NaN : alloc.getScoreError()));
    }
    return rows;
  }
}
