package dev.realtime.benchmarks.gateway;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.gateway.Gateway;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;

/**
 * One gateway node of the fan-out benchmark, in a JVM of its own so that its heap is its own:
 * settings from {@code -Drealtime.*}; prints {@code port N}; answers {@code heap} on stdin with
 * {@code heap BYTES}, the heap in use after a full collection; ends at {@code stop} or end of
 * input.
 */
public final class GatewayBenchNode {
  private GatewayBenchNode() {}

  public static void main(String[] args) throws Exception {
    RealtimeConfig config = RealtimeConfig.load();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (Broker broker = Brokers.open(config);
        Gateway gateway = Gateway.builder().config(config).broker(broker).start()) {
      System.out.println("port " + gateway.port());
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
          StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null && !line.equals("stop"); ) {
        if (line.equals("heap")) {
          // Twice: the first may only move what the second frees.
          System.gc();
          System.gc();
          System.out.println("heap " + memory.getHeapMemoryUsage().getUsed());
          System.out.flush();
        }
      }
    }
    System.exit(0);
  }
}
