package dev.realtime.redis;

import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.ConformanceSuite;
import dev.realtime.testkit.env.Environments;

/**
 * The Redis adapter in streams mode against the machine's Redis (or REALTIME_TEST_REDIS_URI);
 * the environment writes case 34's foreign entries itself.
 */
class RedisConformanceTest extends ConformanceSuite {
  @Override
  protected BrokerEnvironment environment() {
    return Environments.redis();
  }
}
