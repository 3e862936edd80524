package dev.realtime.testkit.env;

import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.MemberDeath;
import dev.realtime.testkit.process.RedisCluster;
import dev.realtime.testkit.process.RedisProcess;
import java.util.UUID;

/**
 * A member's death on a Redis Cluster, where a fault proxy cannot stand in front of one client:
 * a cluster client connects to every node at the address the cluster gives, not to the one it
 * was told. The member logs in as an ACL user of its own instead, on every node; {@link
 * MemberDeath#kill()} switches the user off and has every node drop its connections ({@code CLIENT KILL USER}), so
 * the member loses them as a killed process does (no acknowledgement, no goodbye), cannot log in
 * again, and every other client goes on undisturbed. The survivors claim the dead member's
 * entries after {@code realtime.redis.claim-idle-timeout}, shortened to a second.
 */
final class RedisAclMemberDeath {
  private RedisAclMemberDeath() {}

  /** Creates the member's user on every running node of {@code cluster}. */
  static MemberDeath start(RedisCluster cluster, RealtimeConfig base) {
    String user = "member-" + UUID.randomUUID();
    String password = UUID.randomUUID().toString();
    everyNode(cluster, "acl", "setuser", user, "on", ">" + password, "~*", "&*", "+@all");
    RealtimeConfig member = base.newBuilder()
        .set("realtime.redis.username", user)
        .set("realtime.redis.password", password)
        .set("realtime.close-timeout", ProxiedMemberDeath.CLOSE_TIMEOUT).build();
    RealtimeConfig survivors = base.newBuilder()
        .set("realtime.redis.claim-idle-timeout", "1s").build();
    return new ScriptedMemberDeath(member, survivors, () -> {
      // Off first, so that no connection of the member's comes back.
      everyNode(cluster, "acl", "setuser", user, "off");
      everyNode(cluster, "client", "kill", "user", user);
    }, () -> everyNode(cluster, "acl", "deluser", user));
  }

  private static void everyNode(RedisCluster cluster, String... command) {
    for (int id : cluster.nodeIds()) {
      if (cluster.isRunning(id)) {
        RedisProcess node = cluster.node(id);
        node.cli(command);
      }
    }
  }
}
