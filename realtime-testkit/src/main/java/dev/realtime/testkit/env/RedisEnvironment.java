package dev.realtime.testkit.env;

import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.fault.FaultProxy;
import java.util.Map;
import java.util.Optional;

/**
 * The machine's own Redis ({@code realtime.broker=redis}), reached through a {@link FaultProxy}
 * that this environment starts: {@link #config()} points the adapter at the proxy, not at Redis,
 * so that {@link #cutConnections()} can break the network without touching a server that others
 * share.
 *
 * <p>Redis must already run: creating the environment checks that it answers {@code PING} with
 * {@code +PONG} (after {@code AUTH} when the URI has a password), and fails otherwise. {@code
 * scripts/services} in the realtime repository starts a local one; {@code
 * REALTIME_TEST_REDIS_URI} names another.
 *
 * <p>{@link #restart()} is simulated: every connection is dropped through the proxy and clients
 * reconnect to the same Redis, which keeps running with its data. A real restart would break
 * both that promise and other people's work: the machine's Redis keeps nothing on disk ({@code
 * scripts/services} starts it with {@code --save "" --appendonly no}), so it would come back
 * empty, and everyone else using it would see the outage too. What the cases need is the outage
 * that the client sees. Thread-safe.
 */
public final class RedisEnvironment implements BrokerEnvironment {
  /** The environment variable that names the Redis to use, as a URI. */
  public static final String URI_VARIABLE = "REALTIME_TEST_REDIS_URI";
  /** The Redis used when {@value #URI_VARIABLE} is unset or blank. */
  public static final String DEFAULT_URI = "redis://127.0.0.1:6379";

  private final ProxiedBroker broker;

  private RedisEnvironment(ProxiedBroker broker) {
    this.broker = broker;
  }

  /**
   * Checks that the Redis at {@code uri} answers and starts a fault proxy in front of it. The
   * user, password, database and query of the URI are kept in {@link #config()}; only the host
   * and port change. Close the environment to stop the proxy.
   *
   * @throws IllegalArgumentException if {@code uri} is not a plain {@code redis://} URI with a
   *     host
   * @throws IllegalStateException if Redis does not answer there; the message names the
   *     address (password masked) and how to start it
   */
  public static RedisEnvironment start(String uri) {
    return new RedisEnvironment(ProxiedBroker.start(BrokerKind.REDIS, uri,
        "(given to RedisEnvironment.start)"));
  }

  /** As {@link Environments#redis()}, reading the variables from {@code environment}. */
  static RedisEnvironment fromEnvironment(Map<String, String> environment) {
    return new RedisEnvironment(ProxiedBroker.fromEnvironment(BrokerKind.REDIS, environment));
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

  /** Returns the proxy in front of Redis; owned by this environment, so do not close it. */
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
   * Redis answers through the proxy. Redis itself keeps running, and keeps its data.
   *
   * @throws IllegalStateException if Redis no longer answers
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
