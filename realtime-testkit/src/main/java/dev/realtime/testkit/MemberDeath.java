package dev.realtime.testkit;

import dev.realtime.config.RealtimeConfig;

/**
 * A client that can die without closing, for case 38 (a member that dies): its connections go
 * through a fault proxy of its own, which {@link #kill()} cuts for good (on a Redis Cluster,
 * where no proxy can stand in front of one client, it logs in as a user of its own, which
 * {@link #kill()} disables and disconnects), so the broker sees what it sees when a process is
 * killed or its host drops off the network (no goodbye, no acknowledgement, no leaving the
 * group), and every other client goes on undisturbed.
 *
 * <p>Both settings shorten how long a dead member keeps its messages, so that the case takes
 * seconds: Kafka's {@code realtime.kafka.session-timeout} on the dying member, Redis's {@code
 * realtime.redis.claim-idle-timeout} on the survivors; RabbitMQ requeues a dead connection's
 * messages at once.
 */
public interface MemberDeath extends AutoCloseable {
  /** Settings for the client that will die: it reaches the broker only through the proxy. */
  RealtimeConfig memberConfig();

  /** Settings for the group's other members, which take over what the dead one held. */
  RealtimeConfig survivorConfig();

  /** Drops the member's connections and refuses new ones until {@link #close()}. */
  void kill();

  /** Stops the proxy; call it after the dead member's client was closed. */
  @Override
  void close();
}
