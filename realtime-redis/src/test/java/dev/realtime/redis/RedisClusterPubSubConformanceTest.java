package dev.realtime.redis;

import dev.realtime.Broker;
import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.ConformanceSuite;
import dev.realtime.testkit.env.Environments;
import org.junit.jupiter.api.Tag;

/**
 * The Redis adapter in Pub/Sub mode against the Redis Cluster of {@link
 * RedisClusterConformanceTest}: a message published on any node reaches the subscribers of
 * every node (Redis Cluster forwards PUBLISH over its bus).
 */
@Tag("cluster-redis") // scripts/test runs one cluster suite per commit, in turn
class RedisClusterPubSubConformanceTest extends ConformanceSuite {
  @Override
  protected BrokerEnvironment environment() {
    return new RedisPubSubConformanceTest.PubSubMode(Environments.redisCluster());
  }

  @Override
  protected String reportName(Broker broker) {
    return "redis (pubsub, cluster 3+3)";
  }
}
