package dev.realtime.testkit.env;

import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.fault.FaultProxy;
import java.util.Map;
import java.util.Optional;

/**
 * The machine's own RabbitMQ ({@code realtime.broker=rabbitmq}), reached through a {@link
 * FaultProxy} that this environment starts: {@link #config()} points the adapter at the proxy,
 * not at RabbitMQ, so that {@link #cutConnections()} can break the network without touching a
 * server that others share.
 *
 * <p>RabbitMQ must already run: creating the environment checks that it answers the AMQP 0-9-1
 * protocol header with a method frame ({@code connection.start}), and fails otherwise. {@code
 * scripts/services} in the realtime repository starts a local one; {@code
 * REALTIME_TEST_RABBITMQ_URI} names another. The check does not log in, so wrong credentials
 * show up only when the adapter connects.
 *
 * <p>{@link #restart()} is simulated: every connection is dropped through the proxy and clients
 * reconnect to the same RabbitMQ, which keeps running with its queues. A real restart would
 * disturb everyone else using the machine's RabbitMQ, and take 10 to 30 seconds each time; what
 * the cases need is the outage that the client sees. Thread-safe.
 */
public final class RabbitMqEnvironment implements BrokerEnvironment {
  /** The environment variable that names the RabbitMQ to use, as a URI. */
  public static final String URI_VARIABLE = "REALTIME_TEST_RABBITMQ_URI";
  /** The RabbitMQ used when {@value #URI_VARIABLE} is unset or blank. */
  public static final String DEFAULT_URI = "amqp://guest:guest@127.0.0.1:5672/";

  private final ProxiedBroker broker;

  private RabbitMqEnvironment(ProxiedBroker broker) {
    this.broker = broker;
  }

  /**
   * Checks that the RabbitMQ at {@code uri} answers and starts a fault proxy in front of it. The
   * user, password, vhost and query of the URI are kept in {@link #config()}; only the host
   * and port change. Close the environment to stop the proxy.
   *
   * @throws IllegalArgumentException if {@code uri} is not a plain {@code amqp://} URI with a
   *     host
   * @throws IllegalStateException if RabbitMQ does not answer there; the message names the
   *     address (password masked) and how to start it
   */
  public static RabbitMqEnvironment start(String uri) {
    return new RabbitMqEnvironment(ProxiedBroker.start(BrokerKind.RABBITMQ, uri,
        "(given to RabbitMqEnvironment.start)"));
  }

  /** As {@link Environments#rabbitmq()}, reading the variables from {@code environment}. */
  static RabbitMqEnvironment fromEnvironment(Map<String, String> environment) {
    return new RabbitMqEnvironment(
        ProxiedBroker.fromEnvironment(BrokerKind.RABBITMQ, environment));
  }

  /**
   * Describes the broker and the proxy, with the password masked, such as {@code rabbitmq at
   * amqp://guest:******@127.0.0.1:5672/ through fault proxy 127.0.0.1:41234}.
   */
  @Override
  public String description() {
    return broker.description();
  }

  /**
   * Returns {@code realtime.broker=rabbitmq} and {@code realtime.rabbitmq.uri} pointing at the
   * proxy, and nothing else, so that the test's environment variables cannot change them.
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

  /** Returns the proxy in front of RabbitMQ; owned by this environment, so do not close it. */
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
   * RabbitMQ answers through the proxy. RabbitMQ itself keeps running, and keeps its data.
   *
   * @throws IllegalStateException if RabbitMQ no longer answers
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
   * #restoreConnections()}; RabbitMQ itself keeps running.
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

  /** Stops the proxy, dropping its connections; RabbitMQ itself keeps running. Idempotent. */
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
