package dev.realtime.redis;

import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.RedisCommand;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How long Lettuce lets a command wait for its reply: {@code realtime.redis.timeout}, plus the
 * longest block for the blocking reads (XREAD, XREADGROUP), whose reply comes only when the
 * block ends. A fixed timeout would fail every idle blocking read longer than it; Lettuce ignores
 * a per-connection timeout once a timeout source is set, so the difference is made here. The
 * publishes (PUBLISH, XADD, and the WAIT after it) have none here: {@link SendOnce} times them
 * out.
 */
final class CommandTimeouts extends TimeoutOptions.TimeoutSource {
  private final long timeoutNanos;
  private final long blockingNanos;

  CommandTimeouts(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
    this.blockingNanos = timeout.plus(RedisBroker.LONGEST_BLOCK).toNanos();
  }

  @Override
  public long getTimeout(RedisCommand<?, ?, ?> command) {
    ProtocolKeyword type = command.getType();
    if (type == CommandType.PUBLISH || type == CommandType.XADD || type == CommandType.WAIT) {
      return 0; // None here: SendOnce times its publishes out, in one sweep for all.
    }
    return type == CommandType.XREAD || type == CommandType.XREADGROUP
        ? blockingNanos : timeoutNanos;
  }

  @Override
  public TimeUnit getTimeUnit() {
    return TimeUnit.NANOSECONDS;
  }
}
