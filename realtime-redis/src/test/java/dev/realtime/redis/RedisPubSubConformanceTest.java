package dev.realtime.redis;

import dev.realtime.Broker;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.ConformanceSuite;
import dev.realtime.testkit.env.Environments;
import java.util.Optional;

/**
 * The Redis adapter in its ephemeral Pub/Sub mode: the same suite, gated by the smaller set of
 * capabilities the broker reports, so the cases it cannot pass are checked as refused.
 */
class RedisPubSubConformanceTest extends ConformanceSuite {
  @Override
  protected BrokerEnvironment environment() {
    return new PubSubMode(Environments.redis());
  }

  @Override
  protected String reportName(Broker broker) {
    return "redis (pubsub)";
  }

  /** The machine's Redis, with {@code realtime.redis.mode=pubsub}. */
  static final class PubSubMode implements BrokerEnvironment {
    private final BrokerEnvironment redis;

    PubSubMode(BrokerEnvironment redis) {
      this.redis = redis;
    }

    @Override
    public String description() {
      return redis.description() + ", realtime.redis.mode=pubsub";
    }

    @Override
    public RealtimeConfig config() {
      return pubSub(redis.config());
    }

    @Override
    public Optional<RealtimeConfig> unreachableConfig() {
      return redis.unreachableConfig().map(PubSubMode::pubSub);
    }

    private static RealtimeConfig pubSub(RealtimeConfig config) {
      return config.newBuilder().set(RedisOptions.MODE.name(), "pubsub").build();
    }

    @Override
    public boolean canRestart() {
      return redis.canRestart();
    }

    @Override
    public void restart() {
      redis.restart();
    }

    @Override
    public boolean canCutConnections() {
      return redis.canCutConnections();
    }

    @Override
    public void cutConnections() {
      redis.cutConnections();
    }

    @Override
    public void restoreConnections() {
      redis.restoreConnections();
    }

    @Override
    public void close() {
      redis.close();
    }
  }
}
