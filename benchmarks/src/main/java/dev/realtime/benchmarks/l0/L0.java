package dev.realtime.benchmarks.l0;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs {@link PublishBenchmark} with the GC profiler, for the report's L0 table. */
public final class L0 {
  /** One row: the benchmark, the payload size, ns per message and bytes allocated. */
  public record Row(String benchmark, int size, double nanos, double bytes) {}

  private L0() {}

  /**
   * Short iterations, so that the whole report fits its 15 minutes ({@code quick}: one of
   * each, to prove it runs); {@code jmh PublishBenchmark -prof gc} runs the annotated, longer
   * ones.
   */
  public static List<Row> run(boolean quick) throws RunnerException {
    Collection<RunResult> results = new Runner(new OptionsBuilder()
        .include(PublishBenchmark.class.getName())
        .addProfiler(GCProfiler.class)
        .warmupIterations(quick ? 1 : 2).warmupTime(TimeValue.seconds(1))
        .measurementIterations(quick ? 1 : 3).measurementTime(TimeValue.seconds(quick ? 1 : 2))
        .forks(1)
        .build()).run();
    List<Row> rows = new ArrayList<>();
    for (RunResult result : results) {
      Result<?> alloc = result.getSecondaryResults().get("gc.alloc.rate.norm");
      rows.add(new Row(result.getParams().getBenchmark().replaceAll(".*\\.", ""),
          Integer.parseInt(result.getParams().getParam("size")),
          result.getPrimaryResult().getScore(), alloc == null ? Double.NaN : alloc.getScore()));
    }
    return rows;
  }
}
