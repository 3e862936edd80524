package dev.realtime.testkit.kafka;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

/**
 * The JVM of one node of a {@code dev.realtime.testkit.process.KafkaCluster}, which launches it:
 * a combined broker and controller with {@link EmbeddedKafka}'s settings for a node of several.
 * It formats its directory on the first start and serves what is there on a later one, writes
 * the file {@value #READY} into the directory once a client sees it in the cluster, and runs
 * until SIGTERM (a clean shutdown: its partitions' leadership moves first) or SIGKILL (a crash).
 * A JVM of its own, so that a test can kill it with -9 as an operator's node dies.
 */
final class KafkaNodeMain {
  /** The file the node writes once it serves; its launcher deletes it before each start. */
  static final String READY = "ready";

  private KafkaNodeMain() {}

  /**
   * Arguments: the directory, the node id, the cluster id, the broker and controller ports,
   * the quorum's voters ({@code id@host:port,...}), the replicas of every partition, and the
   * port of the proxied listener and of the proxy in front of it, where it is advertised.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 9) {
      throw new IllegalArgumentException("usage: KafkaNodeMain DIRECTORY NODE_ID CLUSTER_ID "
          + "BROKER_PORT CONTROLLER_PORT VOTERS REPLICAS PROXIED_PORT PROXY_PORT");
    }
    Path directory = Path.of(args[0]);
    int nodeId = Integer.parseInt(args[1]);
    int brokerPort = Integer.parseInt(args[3]);
    Properties settings = EmbeddedKafka.nodeSettings(nodeId, args[5], brokerPort,
        Integer.parseInt(args[4]), directory.resolve("logs"), Integer.parseInt(args[6]));
    EmbeddedKafka.addProxiedListener(settings, Integer.parseInt(args[7]),
        Integer.parseInt(args[8]));
    Path file = directory.resolve("server.properties");
    try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      settings.store(writer, "KafkaCluster node " + nodeId);
    }
    if (!Files.exists(directory.resolve("logs").resolve("meta.properties"))) {
      EmbeddedKafka.format(file, args[2], directory.resolve("logs"));
    }
    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(settings, false), Time.SYSTEM);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdown();
      server.awaitShutdown();
    }, "kafka-node-shutdown"));
    server.startup();
    EmbeddedKafka.awaitListed("127.0.0.1:" + brokerPort, nodeId);
    Path written = directory.resolve(READY + ".tmp");
    Files.writeString(written, "serving\n", StandardCharsets.UTF_8);
    Files.move(written, directory.resolve(READY), StandardCopyOption.ATOMIC_MOVE);
    server.awaitShutdown();
  }
}
