package dev.realtime.redis;

import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.ConformanceSuite;
import dev.realtime.testkit.process.RedisProcess;
import java.util.OptionalLong;

/**
 * Conformance case 33 (broker limits) over a redis-server of the suite's own, started with a
 * proto-max-bulk-len of 1 MiB: the machine's shared Redis keeps its 512 MB, which nobody
 * reconfigures.
 */
class RedisBrokerLimitConformanceTest extends ConformanceSuite {
  private static final long LIMIT = 1024 * 1024;

  @Override
  protected BrokerEnvironment environment() {
    RedisProcess redis = RedisProcess.builder().args("--proto-max-bulk-len", "1mb").start();
    return new BrokerEnvironment() {
      @Override
      public String description() {
        return "own redis-server with proto-max-bulk-len 1mb at " + redis.uri();
      }

      @Override
      public RealtimeConfig config() {
        return RealtimeConfig.builder().set("realtime.broker", "redis")
            .set(RedisOptions.URI.name(), redis.uri()).build();
      }

      @Override
      public OptionalLong brokerPayloadLimit() {
        return OptionalLong.of(LIMIT);
      }

      @Override
      public void close() {
        redis.close();
      }
    };
  }

  @Override
  protected boolean runs(int number) {
    return number == 33;
  }
}
