package dev.realtime.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.benchmarks.harness.Backend;
import dev.realtime.benchmarks.harness.Backends;
import dev.realtime.benchmarks.harness.Harness;
import dev.realtime.benchmarks.harness.Report;
import dev.realtime.benchmarks.harness.Result;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The comparison's quick mode, as CI runs it: every backend, raw and SDK, end to end against
 * the real brokers, a second or so per run. It proves the harness works and counts correctly
 * (every message it measured arrived, no publish failed); it asserts no figure.
 */
class QuickComparisonTest {
  @Test
  void everyBackendRunsRawAndSdkAndTheReportHasTheirRows() throws Exception {
    Harness harness = new Harness(Harness.Timing.QUICK, true, line -> { });
    List<Backend> backends = new ArrayList<>();
    List<Result> results = new ArrayList<>();
    try (Backends all = new Backends(System.getenv())) {
      for (java.util.function.Supplier<Backend> next : all.all()) {
        Backend backend = next.get();
        backends.add(backend);
        results.addAll(harness.run(backend));
      }
    }

    List<String> expected = new ArrayList<>();
    for (Backend backend : backends) {
      for (String workload : List.of("max, 100 B", "1,000/s, 100 B")) {
        if (backend.raw() != null) {
          expected.add(backend.name() + " raw " + workload);
        }
        expected.add(backend.name() + " sdk " + workload);
      }
    }
    assertThat(backends).extracting(Backend::name).containsExactly("memory", "kafka",
        "redis streams", "redis pub/sub", "rabbitmq quorum", "rabbitmq stream");
    assertThat(results).extracting(r -> r.backend() + " " + r.side() + " "
        + r.workload().label()).containsExactlyElementsOf(expected);
    assertThat(results).allSatisfy(result -> {
      assertThat(result.failed()).as("%s failed publishes", result).isZero();
      assertThat(result.missing()).as("%s lost messages", result).isZero();
      assertThat(result.measured()).as("%s measured messages", result).isPositive();
    });
    String report = Report.markdown(backends, results, Harness.Timing.QUICK);
    assertThat(report).contains("## Maximum throughput", "## End-to-end latency",
        "| redis streams | 100 B |", "| kafka | 1,000/s | sdk |", "| rabbitmq stream |");
    assertThat(Report.throughputChart(backends, results)).startsWith("<svg")
        .contains("rabbitmq quorum");
  }
}
