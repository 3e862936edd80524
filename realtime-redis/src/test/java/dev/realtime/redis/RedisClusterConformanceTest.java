package dev.realtime.redis;

import dev.realtime.Broker;
import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.ConformanceSuite;
import dev.realtime.testkit.env.Environments;
import org.junit.jupiter.api.Tag;

/**
 * The Redis adapter in streams mode against a Redis Cluster of three primaries with a replica
 * each (issue 16), every node a seed in realtime.redis.uri. Its restart and outage cases take the
 * whole cluster down; killing one node is RedisNodeFailureTest's.
 */
@Tag("cluster-redis") // scripts/test runs one cluster suite per commit, in turn
class RedisClusterConformanceTest extends ConformanceSuite {
  @Override
  protected BrokerEnvironment environment() {
    return Environments.redisCluster();
  }

  @Override
  protected String reportName(Broker broker) {
    return "redis (cluster, 3+3)";
  }
}
