package dev.realtime.cli;

import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.env.Environments;
import dev.realtime.testkit.env.ProxiedEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The launcher against the machine's Redis (streams mode). */
class RedisLauncherIT extends BrokerLauncherContract {
  private static ProxiedEnvironment redis;

  @BeforeAll
  static void start() {
    redis = Environments.redis();
  }

  @AfterAll
  static void stop() {
    redis.close();
  }

  @Override
  BrokerEnvironment environment() {
    return redis;
  }

  @Override
  Launcher realtime() {
    return pointedAt(redis.config());
  }

  @Override
  String unsupportedSetting() {
    return "partitions: 3";
  }
}
