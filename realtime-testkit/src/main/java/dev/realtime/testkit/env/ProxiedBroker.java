package dev.realtime.testkit.env;

import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.MemberDeath;
import dev.realtime.testkit.fault.FaultProxy;
import java.io.IOException;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Objects;

/**
 * What the Redis and RabbitMQ environments share: a shared broker checked once, a fault proxy in
 * front of it, and settings that point the adapter at the proxy.
 */
final class ProxiedBroker {
  private final BrokerKind kind;
  private final BrokerUri target;
  private final FaultProxy proxy;
  private final RealtimeConfig config;

  private ProxiedBroker(BrokerKind kind, BrokerUri target, FaultProxy proxy) {
    this.kind = kind;
    this.target = target;
    this.proxy = proxy;
    this.config = RealtimeConfig.of(Map.of(
        "realtime.broker", kind.broker(),
        kind.uriKey(), target.at(proxy.host(), proxy.port())));
  }

  BrokerKind kind() {
    return kind;
  }

  /**
   * Reads the URI from {@code kind}'s environment variable, or takes the default when it is
   * unset or blank (blank counts as unset, as in RealtimeConfig), then starts.
   */
  static ProxiedBroker fromEnvironment(BrokerKind kind, Map<String, String> environment) {
    String uri = environment.get(kind.variable());
    if (uri == null || uri.isBlank()) {
      // No container fallback: docs/testkit.md ("Environments") says why.
      return start(kind, kind.defaultUri(), "(the default, as " + kind.variable() + " is unset)");
    }
    return start(kind, uri, "from " + kind.variable());
  }

  /**
   * Checks that the broker answers, then starts a proxy in front of it.
   *
   * @param source where the URI came from, for messages, such as {@code from
   *     REALTIME_TEST_REDIS_URI}
   * @throws IllegalArgumentException if the URI is malformed
   * @throws IllegalStateException if the broker does not answer
   */
  static ProxiedBroker start(BrokerKind kind, String uri, String source) {
    Objects.requireNonNull(uri, "uri == null");
    BrokerUri target = BrokerUri.parse(uri, kind, source);
    try {
      Probes.check(target.host(), target.port(), target, kind.probe());
    } catch (IOException e) {
      throw new IllegalStateException(kind.name() + " does not answer at " + target + " "
          + source + ": " + sentence(reason(e)) + " Start it (scripts/services in the realtime "
          + "repository starts a local one), or set " + kind.variable() + " to the URI of a "
          + kind.name() + " that runs.", e);
    }
    return new ProxiedBroker(kind, target, FaultProxy.start(target.host(), target.port()));
  }

  String description() {
    return kind.broker() + " at " + target + " through fault proxy " + proxy.host() + ":"
        + proxy.port();
  }

  RealtimeConfig config() {
    return config;
  }

  /**
   * The same settings at a loopback port where nothing listens, credentials kept, so that the
   * adapter fails for want of a broker and for nothing else.
   */
  RealtimeConfig unreachableConfig() {
    return RealtimeConfig.of(Map.of(
        "realtime.broker", kind.broker(),
        kind.uriKey(), target.at(proxy.host(), Ports.closedPort())));
  }

  /** A member's death: a proxy of its own to the broker, see {@link ProxiedMemberDeath}. */
  MemberDeath memberDeath(Map<String, String> survivorSettings) {
    return ProxiedMemberDeath.start(target.host(), target.port(), config, kind.uriKey(),
        target::at, survivorSettings, survivorSettings);
  }

  FaultProxy proxy() {
    return proxy;
  }

  void cut() {
    proxy.cut();
  }

  void restore() {
    proxy.restore();
  }

  /**
   * Drops every connection and lets clients reconnect at once, then checks through the proxy
   * that the broker answers, as a restart does once the server is back.
   *
   * @throws IllegalStateException if the broker does not answer through the proxy afterwards
   */
  void restart() {
    proxy.cut();
    proxy.restore();
    try {
      Probes.check(proxy.host(), proxy.port(), target, kind.probe());
    } catch (IOException e) {
      throw new IllegalStateException(kind.name() + " does not answer through the fault proxy "
          + proxy.host() + ":" + proxy.port() + " after the simulated restart: "
          + sentence(reason(e)) + " Check that " + kind.name() + " at " + target
          + " still runs.", e);
    }
  }

  void close() {
    proxy.close();
  }

  private static String sentence(String text) {
    return text.endsWith(".") || text.endsWith("?") ? text : text + ".";
  }

  /** The failure in words; Socket exceptions name the problem but never the password. */
  private static String reason(IOException e) {
    String message = e.getMessage();
    if (e instanceof UnknownHostException) {
      return "unknown host " + message;
    }
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
