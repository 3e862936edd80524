package dev.realtime.gateway;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.channel.Channel;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.env.Environments;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gateway nodes for a test, each with a broker connection of its own to the machine's Redis (as
 * separate servers would have), under a key prefix of the test's own; closes everything and
 * deletes the test's channels afterwards (after each test, as a {@code @RegisterExtension}).
 */
final class GatewayNodes implements AutoCloseable, AfterEachCallback {
  static final PusherApp APP = PusherApp.of("4242", "gateway-key", "gateway-secret");
  /** Short, so that a test sees a node expire in about a second. */
  static final Duration HEARTBEAT = Duration.ofMillis(200);
  static final Duration EXPIRY = Duration.ofMillis(1000);

  private final BrokerEnvironment environment;
  private final RealtimeConfig config;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final List<String> channels = new ArrayList<>();
  private final String nodesChannel;

  GatewayNodes() {
    this(Environments.redis(), "realtime.redis.key-prefix");
  }

  /**
   * Nodes over {@code environment}'s broker, with {@code prefixKey} (the adapter's name-prefix
   * setting) set to a prefix of this test's own.
   */
  GatewayNodes(BrokerEnvironment environment, String prefixKey) {
    this.environment = environment;
    String prefix = "gw" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    config = environment.config().newBuilder().set(prefixKey, prefix).build();
    nodesChannel = channel("nodes");
  }


  /** A node with the test's heartbeat and expiry, then {@code settings}. */
  Gateway node(UnaryOperator<Gateway.Builder> settings) {
    return node(broker(), settings);
  }

  Gateway node() {
    return node(builder -> builder);
  }

  /** A node on {@code broker}, which the test may close under it. */
  Gateway node(Broker broker, UnaryOperator<Gateway.Builder> settings) {
    Gateway gateway = settings.apply(Gateway.builder().broker(broker).app(APP)
        .host("127.0.0.1").port(0).heartbeat(HEARTBEAT).nodeExpiry(EXPIRY)
        .nodesChannel(nodesChannel)).start();
    open.add(gateway);
    return gateway;
  }

  /** A broker connection of its own, closed at the end. */
  Broker broker() {
    Broker broker = Brokers.open(config);
    open.add(broker);
    return broker;
  }

  RealtimeConfig config() {
    return config;
  }

  /**
   * A node in a JVM of its own, with this test's broker settings and app, the test's heartbeat
   * and {@code expiry}; killed at the end if the test did not.
   */
  GatewayProcess process(Duration expiry) throws Exception {
    Map<String, String> settings = new LinkedHashMap<>();
    for (String key : config.keys()) {
      config.getString(key).ifPresent(value -> settings.put(key, value));
    }
    settings.put("realtime.gateway.app-id", APP.id());
    settings.put("realtime.gateway.app-key", APP.key());
    settings.put("realtime.gateway.app-secret", APP.secret());
    settings.put("realtime.gateway.host", "127.0.0.1");
    settings.put("realtime.gateway.port", "0");
    settings.put("realtime.gateway.heartbeat", HEARTBEAT.toMillis() + "ms");
    settings.put("realtime.gateway.node-expiry", expiry.toMillis() + "ms");
    settings.put("realtime.gateway.nodes-channel", nodesChannel);
    GatewayProcess process = GatewayProcess.start(settings);
    open.add(process);
    return process;
  }

  PusherSocket socket(Gateway gateway) {
    PusherSocket socket = PusherSocket.connect(gateway.port(), APP.key());
    open.add(socket);
    return socket;
  }

  PusherSocket socketNotReading(Gateway gateway) {
    PusherSocket socket = PusherSocket.connectNotReading(gateway.port(), APP.key());
    open.add(socket);
    return socket;
  }

  /** A channel name unique to this run, deleted at the end. */
  String channel(String name) {
    String unique = name + "." + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
    channels.add(unique);
    return unique;
  }

  /** As a test's {@code @RegisterExtension} field: closed after each test. */
  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    close();
  }

  @Override
  public void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (RuntimeException e) {
        // A broker a test closed already, under its node: the rest still closes.
      }
    }
    try (Broker broker = Brokers.open(config)) {
      for (String channel : channels) {
        try {
          broker.admin().delete(Channel.of(channel));
        } catch (RuntimeException e) {
          // Never written: nothing to delete.
        }
      }
    }
    environment.close();
  }
}
