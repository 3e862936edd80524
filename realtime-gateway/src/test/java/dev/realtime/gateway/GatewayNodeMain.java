package dev.realtime.gateway;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.config.RealtimeConfig;

/**
 * A gateway node in a JVM of its own, for tests that kill it with -9: settings from its system
 * properties ({@code -Drealtime.*}), the port it listens on printed as {@code port N}.
 */
public final class GatewayNodeMain {
  private GatewayNodeMain() {}

  public static void main(String[] args) throws InterruptedException {
    RealtimeConfig config = RealtimeConfig.load();
    Broker broker = Brokers.open(config);
    Gateway gateway = Gateway.builder().config(config).broker(broker).start();
    System.out.println("port " + gateway.port());
    System.out.flush();
    Thread.currentThread().join();  // Until killed: the point of this node.
  }
}
