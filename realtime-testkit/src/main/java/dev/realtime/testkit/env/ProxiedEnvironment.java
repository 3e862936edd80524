package dev.realtime.testkit.env;

import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.ForeignWriter;
import dev.realtime.testkit.MemberDeath;
import dev.realtime.testkit.PublishRefusal;
import dev.realtime.testkit.fault.FaultProxy;
import java.util.Map;
import java.util.Optional;

/**
 * A broker the machine already runs, Redis or RabbitMQ, reached through a {@link FaultProxy}
 * that this environment starts: {@link #config()} points the adapter at the proxy, not at the
 * broker, so that {@link #cutConnections()} can break the network without touching a server
 * that others share.
 *
 * <p>The broker must already run: creating the environment checks that it answers (Redis:
 * {@code PING} with {@code +PONG}, after {@code AUTH} when the URI has a password; RabbitMQ: the
 * AMQP 0-9-1 protocol header with a {@code connection.start} frame, without logging in, so wrong
 * credentials show up only when the adapter connects), and fails otherwise. {@code
 * scripts/services} in the realtime repository starts local ones; {@code
 * REALTIME_TEST_REDIS_URI} and {@code REALTIME_TEST_RABBITMQ_URI} name others.
 *
 * <p>{@link #restart()} is simulated: every connection is dropped through the proxy and clients
 * reconnect to the same broker, which keeps running with its data. A real restart would break
 * both that promise and other people's work: the machine's Redis keeps nothing on disk ({@code
 * scripts/services} starts it with {@code --save "" --appendonly no}), a RabbitMQ restart takes
 * 10 to 30 seconds, and everyone else using them would see the outage too. What the cases need
 * is the outage that the client sees. Thread-safe.
 */
public final class ProxiedEnvironment implements BrokerEnvironment {
  private final ProxiedBroker broker;

  private ProxiedEnvironment(ProxiedBroker broker) {
    this.broker = broker;
  }

  /**
   * Checks that the Redis at {@code uri} ({@code redis://[[user:]password@]host[:port][/db]})
   * answers and starts a fault proxy in front of it. Everything but the host and port is kept in
   * {@link #config()}. Close the environment to stop the proxy.
   *
   * @throws IllegalArgumentException if {@code uri} is not a plain {@code redis://} URI with a
   *     host
   * @throws IllegalStateException if Redis does not answer there; the message names the
   *     address (password masked) and how to start it
   */
  public static ProxiedEnvironment redis(String uri) {
    return new ProxiedEnvironment(ProxiedBroker.start(BrokerKind.REDIS, uri,
        "(given to ProxiedEnvironment.redis)"));
  }

  /**
   * Checks that the RabbitMQ at {@code uri} ({@code amqp://[user:password@]host[:port]/[vhost]})
   * answers and starts a fault proxy in front of it, as {@link #redis(String)}.
   *
   * @throws IllegalArgumentException if {@code uri} is not a plain {@code amqp://} URI with a
   *     host
   * @throws IllegalStateException if RabbitMQ does not answer there
   */
  public static ProxiedEnvironment rabbitmq(String uri) {
    return new ProxiedEnvironment(ProxiedBroker.start(BrokerKind.RABBITMQ, uri,
        "(given to ProxiedEnvironment.rabbitmq)"));
  }

  /** As {@link Environments#redis()} or {@link Environments#rabbitmq()}, from {@code env}. */
  static ProxiedEnvironment fromEnvironment(BrokerKind kind, Map<String, String> env) {
    return new ProxiedEnvironment(ProxiedBroker.fromEnvironment(kind, env));
  }

  /**
   * Describes the broker and the proxy, with the password masked, such as {@code redis at
   * redis://127.0.0.1:6379 through fault proxy 127.0.0.1:41234}.
   */
  @Override
  public String description() {
    return broker.description();
  }

  /**
   * Returns {@code realtime.broker=redis} and {@code realtime.redis.uri} pointing at the proxy, and
   * nothing else, so that the test's environment variables cannot change them.
   */
  @Override
  public RealtimeConfig config() {
    return broker.config();
  }

  /**
   * Returns {@link #config()} with the URI at a loopback port where nothing listens (found
   * anew on each call), credentials kept, for the suite's "unreachable broker" check.
   */
  @Override
  public Optional<RealtimeConfig> unreachableConfig() {
    return Optional.of(broker.unreachableConfig());
  }

  /**
   * For Redis, a writer of stream entries as another client would write them (a bare {@code
   * XADD}, through the proxy); empty for RabbitMQ, whose client the testkit does not carry (the
   * RabbitMQ module's suite supplies one, see {@code ConformanceSuite.foreignWriter}).
   */
  @Override
  public Optional<ForeignWriter> foreignWriter() {
    return broker.kind().equals(BrokerKind.REDIS)
        ? Optional.of(new RedisForeignWriter(config())) : Optional.empty();
  }

  /**
   * For Redis, a refusal that puts a string where the channel's stream would be ({@code XADD}
   * answers {@code WRONGTYPE}); empty for RabbitMQ, whose client the testkit does not carry (the
   * RabbitMQ module's suite supplies one, see {@code ConformanceSuite.publishRefusal}).
   */
  @Override
  public Optional<PublishRefusal> publishRefusal() {
    return broker.kind().equals(BrokerKind.REDIS)
        ? Optional.of(new RedisPublishRefusal(config())) : Optional.empty();
  }

  /**
   * A member with a fault proxy of its own in front of the broker. RabbitMQ requeues a dead
   * connection's unacknowledged messages at once; Redis survivors run with {@code
   * realtime.redis.claim-idle-timeout=1s}, so they take a dead member's entries over within
   * seconds.
   */
  @Override
  public Optional<MemberDeath> memberDeath() {
    Map<String, String> survivors = broker.kind().equals(BrokerKind.REDIS)
        ? Map.of("realtime.redis.claim-idle-timeout", "1s") : Map.of();
    return Optional.of(broker.memberDeath(survivors));
  }

  /** Returns the proxy in front of the broker; owned by this environment: do not close it. */
  public FaultProxy proxy() {
    return broker.proxy();
  }

  /** Returns true: the restart is simulated through the proxy, see the class description. */
  @Override
  public boolean canRestart() {
    return true;
  }

  /**
   * Drops every connection through the proxy and accepts new ones at once, then returns once
   * the broker answers through the proxy. The broker itself keeps running, and keeps its data.
   *
   * @throws IllegalStateException if the broker no longer answers
   */
  @Override
  public void restart() {
    broker.restart();
  }

  /** Returns true. */
  @Override
  public boolean canCutConnections() {
    return true;
  }

  /**
   * Drops every connection through the proxy and resets new ones at once, until {@link
   * #restoreConnections()}; Redis itself keeps running.
   */
  @Override
  public void cutConnections() {
    broker.cut();
  }

  /** Accepts connections again; clients must reconnect, since the cut ones stay dropped. */
  @Override
  public void restoreConnections() {
    broker.restore();
  }

  /** Stops the proxy, dropping its connections; Redis itself keeps running. Idempotent. */
  @Override
  public void close() {
    broker.close();
  }

  /** Returns {@link #description()}. */
  @Override
  public String toString() {
    return description();
  }
}
