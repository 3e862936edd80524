package dev.realtime.benchmarks.throughput;

import dev.realtime.benchmarks.harness.Harness;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/** Runs {@link PublishThroughputBenchmark} for the report's publish table. */
public final class PublishThroughput {
  /** One row: backend, client ({@code raw} or {@code sdk}), payload size, confirmed msg/s. */
  public record Row(String backend, String client, int size, double rate, double error) {}

  private PublishThroughput() {}

  /** The backends the benchmark measures: its {@code backend} parameter's values. */
  public static List<String> backends() {
    try {
      return List.of(PublishThroughputBenchmark.class.getDeclaredField("backend")
          .getAnnotation(org.openjdk.jmh.annotations.Param.class).value());
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Runs every backend, raw and SDK, at both sizes ({@code quick}: 100 B only), as {@code jmh}
   * says.
   *
   * @param only the id of the one backend to run, or null for all
   * @param kafka the bootstrap servers every fork should use, or null to let each start its own
   */
  public static List<Row> run(Harness.Jmh jmh, boolean quick, @Nullable String only,
      @Nullable String kafka) throws RunnerException {
    ChainedOptionsBuilder options = jmh.applyTo(new OptionsBuilder()
        .include(PublishThroughputBenchmark.class.getName())
        .shouldFailOnError(true));
    if (quick) { // 100 B: proves every pair runs, measures nothing.
      options.param("size", "100");
      // JMH refuses to start while another JMH on the machine holds its lock, which protects
      // figures; this run has none to protect, and CI must not fail for a developer's run.
      System.setProperty("jmh.ignoreLock", "true");
    }
    if (only != null) {
      options.param("backend", only);
    }
    if (kafka != null && jmh.forks() == 0) {
      System.setProperty(PublishThroughputBenchmark.KAFKA_PROPERTY, kafka); // Runs here.
    } else if (kafka != null) {
      options.jvmArgsAppend("-D" + PublishThroughputBenchmark.KAFKA_PROPERTY + "=" + kafka);
    }
    Collection<RunResult> results = new Runner(options.build()).run();
    List<Row> rows = new ArrayList<>();
    for (RunResult result : results) {
      rows.add(new Row(result.getParams().getParam("backend"),
          result.getParams().getParam("client"),
          Integer.parseInt(result.getParams().getParam("size")),
          result.getPrimaryResult().getScore(), result.getPrimaryResult().getScoreError()));
    }
    return rows;
  }
}
