package dev.realtime.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisClusterTest {
  @Test
  void theDocsExampleIsTheCompiledOne() throws IOException {
    ProcessesDocsTest.assertDocsExampleIsCompiledIn("A Redis Cluster of your own",
        "RedisClusterTest.java");
  }

  @Test
  void theDocsExampleRuns() {
    // docs begin
    try (RedisCluster redis = RedisCluster.start()) {  // 3 primaries, 3 replicas, seconds
      String uri = redis.uri();                        // redis://127.0.0.1:P1,...: every node
      int primary = redis.primaryOf("realtime:orders").orElseThrow();
      redis.kill(primary);                             // SIGKILL; its replica takes over
      redis.awaitHealthy();                            // every slot served again
      redis.startAgain(primary);                       // same ports and data, now a replica
    }                                                  // every node killed, directories deleted
    // docs end
  }

  @Test
  void aPrimarysReplicaTakesItsSlotsWhenItIsKilledAndItRejoinsAsAReplica() {
    try (RedisCluster redis = RedisCluster.start()) {
      assertThat(redis.uri().split(",")).hasSize(6);
      Map<Integer, Integer> primaries = redis.primaries();
      assertThat(primaries).hasSize(3);
      assertThat(primaries.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(16384);
      int primary = redis.primaryOf("kept").orElseThrow();
      RedisProcess node = redis.node(primary);
      // A write the replica has (WAIT), so that the failover keeps it.
      assertThat(node.cli("set", "kept", "1").trim()).isEqualTo("OK");
      assertThat(node.cli("wait", "1", "5000").trim()).isEqualTo("1");

      redis.kill(primary);
      redis.awaitHealthy();

      int promoted = redis.primaryOf("kept").orElseThrow();
      assertThat(promoted).isNotEqualTo(primary);
      // Read until it answers: under load (CI ran another build beside this one), the promoted
      // node once answered the first GET with nothing on stdout. A lost write never reads "1".
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(
          redis.node(redis.primaryOf("kept").orElseThrow()).cli("get", "kept").trim())
          .isEqualTo("1"));

      redis.startAgain(primary);

      assertThat(redis.isRunning(primary)).isTrue();
      assertThat(redis.node(primary).cli("info", "replication")).contains("role:slave");
      assertThat(redis.primaries()).hasSize(3).doesNotContainKey(primary);
    }
  }
}
