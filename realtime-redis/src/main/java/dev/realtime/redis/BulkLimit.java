package dev.realtime.redis;

import dev.realtime.internal.FailureReasons;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The longest bulk string Redis takes, {@code proto-max-bulk-len}, read once at connect. Redis
 * answers a longer argument by closing the connection ("invalid bulk length"), which fails every
 * command pipelined on it; the adapter refuses such a publish before sending it instead.
 *
 * <p>Where {@code CONFIG} is renamed or not allowed (managed Redis services, ACL users without
 * {@code +config|get}), the limit is taken to be Redis's default, 512 MB, and the log says so: a
 * server configured lower then still closes the connection on a payload over its limit, and the
 * publishes in flight fail (none is stored twice, see {@link SendOnce}).
 */
record BulkLimit(long bytes, String source) {
  private static final Logger log = LoggerFactory.getLogger(BulkLimit.class);
  static final String SETTING = "proto-max-bulk-len";
  /** Redis's default since 3.2, and what a server we cannot ask is taken to have. */
  static final long REDIS_DEFAULT = 512L * 1024 * 1024;

  static BulkLimit read(RedisClusterAsyncCommands<String, byte[]> commands, Duration timeout,
      String description) {
    String reason;
    try {
      Map<String, String> reply = commands.configGet(SETTING)
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      String value = reply.get(SETTING);
      if (value != null) {
        return new BulkLimit(Long.parseLong(value.trim()), "read at connect");
      }
      reason = "CONFIG GET returned no value";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reason = "interrupted";
    } catch (Exception e) {
      reason = FailureReasons.of(e);
    }
    log.info("could not read {} of Redis at {} ({}); assuming Redis's default, {} bytes. If the "
        + "server's is lower, a larger payload makes Redis close the connection (the publishes "
        + "in flight fail); lower realtime.max-payload-bytes to match it.", SETTING, description,
        reason, REDIS_DEFAULT);
    return new BulkLimit(REDIS_DEFAULT, "assumed: the server did not say, " + reason);
  }
}
