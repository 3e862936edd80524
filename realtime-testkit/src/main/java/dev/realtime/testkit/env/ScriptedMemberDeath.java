package dev.realtime.testkit.env;

import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.MemberDeath;

/**
 * A member's death as the environments make it: the two clients' settings, what kills the
 * member, and what cleans up after it. Each way of dying ({@link ProxiedMemberDeath}, {@link
 * RedisAclMemberDeath}, Kafka's proxied listeners) only says which.
 */
record ScriptedMemberDeath(RealtimeConfig memberConfig, RealtimeConfig survivorConfig,
    Runnable killing, Runnable cleanUp) implements MemberDeath {
  @Override
  public void kill() {
    killing.run();
  }

  @Override
  public void close() {
    cleanUp.run();
  }
}
