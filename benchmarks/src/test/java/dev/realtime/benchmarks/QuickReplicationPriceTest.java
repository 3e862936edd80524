package dev.realtime.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.benchmarks.harness.Backend;
import dev.realtime.benchmarks.harness.Backends;
import dev.realtime.benchmarks.harness.Harness;
import dev.realtime.benchmarks.harness.ReplicationPrice;
import dev.realtime.benchmarks.harness.Result;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cluster comparison's quick mode on Redis, whose cluster starts in seconds (Kafka's and
 * RabbitMQ's take the published run's time, not CI's): the single node, the cluster, and the
 * cluster with WAIT, every side counted; it asserts no figure.
 */
class QuickReplicationPriceTest {
  @Test
  void theSingleNodeAndTheClusterRunRawAndSdkAndTheReportHasTheirRows() throws Exception {
    List<Backend> backends = new ArrayList<>();
    List<Result> results = new ArrayList<>();
    try (Backends single = new Backends(System.getenv())) {
      ReplicationPrice.run(single, new Harness(Harness.Timing.QUICK, true, line -> { }),
          "redis", backends, results);
    }

    assertThat(backends).extracting(Backend::name).containsExactly("redis streams",
        "redis streams, cluster 3+3", "redis streams, cluster 3+3, wait-replicas 1");
    assertThat(results).extracting(r -> r.backend() + " " + r.side() + " "
        + r.workload().label()).containsExactly(
            "redis streams raw max, 100 B", "redis streams sdk max, 100 B",
            "redis streams raw 1,000/s, 100 B", "redis streams sdk 1,000/s, 100 B",
            "redis streams, cluster 3+3 raw max, 100 B",
            "redis streams, cluster 3+3 sdk max, 100 B",
            "redis streams, cluster 3+3 raw 1,000/s, 100 B",
            "redis streams, cluster 3+3 sdk 1,000/s, 100 B",
            "redis streams, cluster 3+3, wait-replicas 1 sdk max, 100 B",
            "redis streams, cluster 3+3, wait-replicas 1 sdk 1,000/s, 100 B");
    assertThat(results).allSatisfy(result -> {
      assertThat(result.failed()).as("%s failed publishes", result).isZero();
      assertThat(result.missing()).as("%s lost messages", result).isZero();
      assertThat(result.measured()).as("%s measured messages", result).isPositive();
    });
    assertThat(ReplicationPrice.markdown(backends, results, Harness.Timing.QUICK))
        .contains("| redis streams, cluster 3+3 | PONG from Redis", "| 1 (itself) |");
  }
}
