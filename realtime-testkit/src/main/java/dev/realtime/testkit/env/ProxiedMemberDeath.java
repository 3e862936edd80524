package dev.realtime.testkit.env;

import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.MemberDeath;
import dev.realtime.testkit.fault.FaultProxy;
import java.util.Map;

/**
 * A member's death for a broker reached by TCP alone (Redis, RabbitMQ, and Kafka through a
 * listener advertised at the proxy): a {@link FaultProxy} of the member's own, cut for good.
 */
final class ProxiedMemberDeath {
  /** How long the dead member's client may take to close once its proxy is gone. */
  static final String CLOSE_TIMEOUT = "1s";

  private ProxiedMemberDeath() {}

  /**
   * Starts a proxy to {@code host:port}; the member's settings are {@code base} with {@code
   * addressKey} set to {@code address(proxyHost, proxyPort)} and {@code memberSettings} added,
   * the survivors' {@code base} with {@code survivorSettings}.
   */
  static MemberDeath start(String host, int port, RealtimeConfig base, String addressKey,
      java.util.function.BiFunction<String, Integer, String> address,
      Map<String, String> memberSettings, Map<String, String> survivorSettings) {
    FaultProxy proxy = FaultProxy.start(host, port);
    RealtimeConfig.Builder member = base.newBuilder()
        .set(addressKey, address.apply(proxy.host(), proxy.port()))
        .set("realtime.close-timeout", CLOSE_TIMEOUT);
    memberSettings.forEach(member::set);
    RealtimeConfig.Builder survivor = base.newBuilder();
    survivorSettings.forEach(survivor::set);
    return new ScriptedMemberDeath(member.build(), survivor.build(), proxy::cut, proxy::close);
  }
}
