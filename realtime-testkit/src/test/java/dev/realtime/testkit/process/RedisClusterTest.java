package dev.realtime.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
      // A write the replica has, so that the failover keeps it. (It was WAIT 1, which answered
      // 1 at once, being a connection of its own without writes; the write was then lost with
      // the primary in three of five runs.)
      assertThat(node.cli("set", "kept", "1").trim()).isEqualTo("OK");
      node.awaitReplicated();

      redis.kill(primary);
      redis.awaitHealthy();

      int promoted = redis.primaryOf("kept").orElseThrow();
      assertThat(promoted).isNotEqualTo(primary);
      assertThat(redis.node(promoted).cli("get", "kept").trim()).isEqualTo("1");

      redis.startAgain(primary);

      assertThat(redis.isRunning(primary)).isTrue();
      assertThat(redis.node(primary).cli("info", "replication")).contains("role:slave");
      assertThat(redis.primaries()).hasSize(3).doesNotContainKey(primary);
    }
  }
}
