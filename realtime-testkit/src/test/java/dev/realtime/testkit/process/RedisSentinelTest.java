package dev.realtime.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedisSentinelTest {
  @Test
  void theSentinelsPromoteTheReplicaAndTheOldPrimaryReturnsAsItsReplica() {
    try (RedisSentinel redis = RedisSentinel.start()) {
      assertThat(redis.uri()).startsWith("redis-sentinel://").endsWith("#realtime");
      assertThat(redis.sentinels()).hasSize(3);
      assertThat(redis.primary()).hasValue(1);
      RedisProcess primary = redis.server(1);
      assertThat(primary.cli("set", "kept", "1").trim()).isEqualTo("OK");
      primary.awaitReplicated();  // Not WAIT: a cli() of its own has no writes to count.

      redis.kill(1);
      redis.awaitPrimaryOtherThan(1);

      assertThat(redis.primary()).hasValue(2);
      assertThat(redis.server(2).cli("get", "kept").trim()).isEqualTo("1");

      redis.startAgain(1);

      assertThat(redis.server(1).cli("role")).startsWith("slave");
    }
  }
}
