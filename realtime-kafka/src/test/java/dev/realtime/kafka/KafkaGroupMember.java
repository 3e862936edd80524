package dev.realtime.kafka;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.subscription.SubscriptionSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A group member in a JVM of its own, for tests that kill it with -9: only a dead process stops
 * heartbeating (an abandoned consumer in the test's JVM still heartbeats from its own thread).
 * Prints {@code got <event>} per message; ends when its stdin closes.
 */
public final class KafkaGroupMember {
  private KafkaGroupMember() {}

  /** Args: bootstrap servers, channel, group. */
  public static void main(String[] args) throws IOException {
    RealtimeConfig config = RealtimeConfig.of(Map.of("realtime.broker", "kafka",
        "realtime.kafka.bootstrap-servers", args[0]));
    try (Broker broker = Brokers.open(config)) {
      broker.subscribe(SubscriptionSpec.builder().channels(args[1]).group(args[2]).build(),
          message -> {
            System.out.println("got " + message.event());
            System.out.flush();
          });
      System.out.println("subscribed");
      System.out.flush();
      InputStream in = System.in;
      while (in.read() >= 0) {
        // Runs until the test closes stdin or kills this process.
      }
    }
  }

  /** Starts a member in a child JVM with this JVM's class path. */
  static Process start(String servers, String channel, String group) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new ProcessBuilder(List.of(java.toString(), "-Xmx128m", "-cp",
        System.getProperty("java.class.path"), KafkaGroupMember.class.getName(), servers,
        channel, group)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }
}
