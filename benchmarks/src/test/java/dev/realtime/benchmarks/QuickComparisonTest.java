package dev.realtime.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.benchmarks.harness.Backend;
import dev.realtime.benchmarks.harness.Backends;
import dev.realtime.benchmarks.harness.Harness;
import dev.realtime.benchmarks.harness.Report;
import dev.realtime.benchmarks.harness.Result;
import dev.realtime.benchmarks.harness.Targets;
import dev.realtime.benchmarks.throughput.PublishThroughput;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The comparison's quick mode, as CI runs it: every backend, raw, raw with the SDK's envelope
 * and SDK, publishing alone (the JMH benchmark, in this JVM) and end to end against the real
 * brokers, under a second per run. It proves the harness works and counts correctly (every
 * message it measured arrived, no publish failed) and that every path is judged against its
 * targets; it asserts no figure.
 */
class QuickComparisonTest {
  @Test
  void everyBackendRunsRawAndSdkAndTheReportHasTheirRows() throws Exception {
    Harness harness = new Harness(Harness.Timing.QUICK, true, line -> { });
    List<Backend> backends = new ArrayList<>();
    List<Result> results = new ArrayList<>();
    List<PublishThroughput.Row> publish;
    try (Backends all = new Backends(System.getenv())) {
      publish = PublishThroughput.run(Harness.Timing.QUICK.publish(), true, null,
          all.kafkaBootstrapServers());
      Main.compare(all, harness, null, backends, results);
    }

    assertThat(publish).extracting(r -> r.backend() + " " + r.client() + " " + r.size())
        .containsExactlyInAnyOrder("kafka raw 100", "kafka sdk 100", "redis-streams raw 100",
            "redis-streams sdk 100", "redis-pubsub raw 100", "redis-pubsub sdk 100",
            "rabbitmq-quorum raw 100", "rabbitmq-quorum sdk 100", "rabbitmq-stream raw 100",
            "rabbitmq-stream sdk 100");
    // Each iteration ends only when its publishes are confirmed, and fails on any failure: a
    // positive score is confirmed work.
    assertThat(publish).allSatisfy(row -> assertThat(row.rate()).as("%s", row).isPositive());
    assertThat(Report.markdown(backends, results, List.of(), publish, Harness.Timing.QUICK,
        null)).contains("## Publish throughput", "| redis pub/sub | 100 B |");
    assertThat(results).allSatisfy(result -> assertThat(result.cpuPerMessage())
        .as("%s CPU per message", result).isPositive());

    List<String> expected = new ArrayList<>();
    List<String> targets = new ArrayList<>();
    for (Backend backend : backends) {
      for (String workload : backend.group() ? List.of("max, 100 B")
          : List.of("max, 100 B", "1,000/s, 100 B")) {
        if (backend.raw() != null) {
          expected.add(backend.name() + " raw " + workload);
        }
        if (backend.rawWithEnvelope() != null) {
          expected.add(backend.name() + " raw+envelope " + workload);
        }
        expected.add(backend.name() + " sdk " + workload);
      }
      if (backend.raw() != null) { // Every path is held to its raw client.
        targets.add(backend.name() + ": end to end, 100 B (msg/s)");
        if (!backend.group()) {
          targets.add(backend.name() + ": p99 at 1,000/s (ms)");
          targets.add(backend.name()
              + ": CPU per message received at 1,000/s (µs; raw: with the envelope)");
        }
      }
    }
    assertThat(backends).extracting(Backend::name).containsExactly("memory", "kafka",
        "kafka group", "redis streams", "redis streams group", "redis pub/sub",
        "rabbitmq quorum", "rabbitmq stream");
    assertThat(results).extracting(r -> r.backend() + " " + r.side() + " "
        + r.workload().label()).containsExactlyElementsOf(expected);
    assertThat(results).allSatisfy(result -> {
      assertThat(result.failed()).as("%s failed publishes", result).isZero();
      assertThat(result.missing()).as("%s lost messages", result).isZero();
      assertThat(result.measured()).as("%s measured messages", result).isPositive();
    });
    assertThat(Targets.judge(backends, results, List.of()))
        .extracting(v -> v.path() + ": " + v.measure()).containsExactlyElementsOf(targets);
    String report = Report.markdown(backends, results, Harness.Timing.QUICK);
    assertThat(report).contains("## Targets", "## Maximum end-to-end throughput",
        "## End-to-end latency", "| redis streams | 100 B |", "| kafka | 1,000/s | sdk |",
        "| rabbitmq stream |", "| redis pub/sub | 1,000/s | raw+envelope |");
    assertThat(Report.throughputChart(backends, results)).startsWith("<svg")
        .contains("rabbitmq quorum");
  }
}
