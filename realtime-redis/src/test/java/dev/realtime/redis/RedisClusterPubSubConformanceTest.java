package dev.realtime.redis;

import dev.realtime.Broker;
import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.ConformanceSuite;
import dev.realtime.testkit.env.Environments;
import org.junit.jupiter.api.Tag;

/**
 * The Redis adapter in Pub/Sub mode against the Redis Cluster of {@link
 * RedisClusterConformanceTest}. Every publish and subscription goes to the primary of the key
 * prefix's slot ({@link PubSubHome}): with publishes on one node and subscriptions on another,
 * the late subscriber (case 07) received a message published before it subscribed.
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
