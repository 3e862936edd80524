package dev.realtime.redis;

import dev.realtime.config.ConfigOption;
import java.time.Duration;
import java.util.List;

/** The settings of the Redis adapter, declared once; docs/redis.md lists them. */
final class RedisOptions {
  static final ConfigOption<String> URI = ConfigOption.string(
      "realtime.redis.uri", "redis://127.0.0.1:6379",
      "Redis to connect to: redis://[[user:]password@]host[:port][/database], rediss:// for "
          + "TLS; a cluster's nodes as redis://host1:port1,host2:port2; Sentinel as "
          + "redis-sentinel://host1:port1,host2:port2#primary.")
      .withEnvironmentAlias("REDIS_URL");

  static final ConfigOption<String> USERNAME = ConfigOption.string(
      "realtime.redis.username", "",
      "ACL user for AUTH; overrides the URI's user. Empty: the URI's, or none.");

  static final ConfigOption<String> PASSWORD = ConfigOption.string(
      "realtime.redis.password", "",
      "Password for AUTH; overrides the URI's password (masked in logs and errors).").secret();

  static final ConfigOption<Boolean> TLS = ConfigOption.bool(
      "realtime.redis.tls", false,
      "Connect with TLS even when the URI says redis:// (rediss:// always does).");

  static final ConfigOption<Boolean> TLS_VERIFY_PEER = ConfigOption.bool(
      "realtime.redis.tls-verify-peer", true,
      "Check the server's TLS certificate and host name; turn off only for tests.");

  static final ConfigOption<String> KEY_PREFIX = ConfigOption.string(
      "realtime.redis.key-prefix", "realtime",
      "Prefix of the keys: with prefix realtime, channel user.1 is stream realtime:user.1.")
      .check(RedisBrokerProvider::naming);

  static final ConfigOption<String> MODE = ConfigOption.choice(
      "realtime.redis.mode", "streams",
      "streams: persistent channels on Redis Streams (replay, groups). pubsub: ephemeral "
          + "channels on Redis Pub/Sub (no persistence, no replay, no groups).",
      "streams", "pubsub");

  static final ConfigOption<Duration> TIMEOUT = ConfigOption.duration(
      "realtime.redis.timeout", Duration.ofSeconds(10),
      "How long opening the broker and each command wait for Redis to answer.")
      .range(Duration.ofMillis(1), null);

  static final ConfigOption<Duration> CLAIM_IDLE_TIMEOUT = ConfigOption.duration(
      "realtime.redis.claim-idle-timeout", Duration.ofSeconds(30),
      "A group member takes over entries another member left pending this long (XAUTOCLAIM): "
          + "the time to notice a dead consumer.")
      // Shorter, and members take over entries that live members are still working on.
      .range(Duration.ofMillis(100), null);

  static final ConfigOption<Boolean> EXACT_TRIMMING = ConfigOption.bool(
      "realtime.redis.exact-trimming", false,
      "Trim streams to exactly their retention (=) instead of whole nodes (~), at a cost.");

  static final ConfigOption<Integer> PUBSUB_BUFFER = ConfigOption.integer(
      "realtime.redis.pubsub-buffer", 100_000,
      "Pub/Sub mode: messages a subscription holds while its handlers are busy; beyond it "
          + "new ones are dropped and logged.")
      .range(1, null);

  static final ConfigOption<Integer> WAIT_REPLICAS = ConfigOption.integer(
      "realtime.redis.wait-replicas", 0,
      "Streams mode: confirm a publish once this many replicas have it too (WAIT, for up to half "
          + "of realtime.redis.timeout), else fail it; 0: once the primary has it.")
      .range(0, null);

  static final List<ConfigOption<?>> ALL = List.of(URI, USERNAME, PASSWORD, TLS,
      TLS_VERIFY_PEER, KEY_PREFIX, MODE, TIMEOUT, CLAIM_IDLE_TIMEOUT, EXACT_TRIMMING,
      PUBSUB_BUFFER, WAIT_REPLICAS);

  private RedisOptions() {}
}
