package dev.realtime.cli;

import dev.realtime.testkit.kafka.EmbeddedKafka;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code realtime broker}: a broker to try the command and the SDK against, run in the
 * foreground. Only Kafka: Redis and RabbitMQ come as one package each (scripts/services), while
 * a Kafka broker otherwise means a download and a configuration; the distribution already
 * carries one, the broker that {@code demo --broker=kafka} and the tests start.
 *
 * <p>Named {@code broker kafka} rather than {@code kafka}: it runs a broker, which is what the
 * word says to someone looking for one, and leaves {@code broker} a place for others.
 */
@Command(name = "broker", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
    description = "Run a broker in the foreground, for development: realtime broker kafka.",
    subcommands = BrokerCommand.Kafka.class)
final class BrokerCommand {
  /** {@code realtime broker kafka}. */
  @Command(name = "kafka", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
      sortOptions = false,
      description = {"Run a single-node Kafka broker (KRaft: broker and controller in one "
          + "process) in the foreground, on 127.0.0.1 only, with its data in a directory that "
          + "the next start goes on from. Prints the settings to export in another shell. "
          + "Ctrl-C or SIGTERM stops it cleanly.",
          "",
          "For development and trying things out: one node, one replica of everything, no "
              + "security. Not for production."},
      footer = {"", "Examples:",
          "  realtime broker kafka",
          "  realtime broker kafka --port=19092 --data-dir=./.realtime/kafka"})
  static final class Kafka implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--port", defaultValue = "9092", paramLabel = "PORT",
        description = "The port clients connect to, on 127.0.0.1. Default: ${DEFAULT-VALUE}.")
    private int port;

    @Option(names = "--data-dir", paramLabel = "DIR",
        defaultValue = "${sys:user.home}/.realtime/kafka",
        description = "Where the broker keeps its data; created and formatted on first use, "
            + "kept when it stops. Default: ${DEFAULT-VALUE}.")
    private Path dataDir;

    private final PrintStream out = System.out;
    private final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws InterruptedException {
      if (port < 1 || port > 65_535) {
        throw new ParameterException(spec.commandLine(), "--port must be 1 to 65535, not "
            + port);
      }
      refuseTakenPort();
      Signals.onStop(stop::countDown);
      Path dir = dataDir.toAbsolutePath().normalize();
      out.println("starting Kafka (single node, KRaft) on 127.0.0.1:" + port + ", data in "
          + dir + " (a few seconds)...");
      EmbeddedKafka kafka = EmbeddedKafka.startKeeping(dir, port);
      try {
        out.println("Kafka is up at " + kafka.bootstrapServers() + " (cluster "
            + kafka.clusterId() + "). In another shell:");
        out.println();
        out.println("export REALTIME_BROKER=kafka");
        out.println("export REALTIME_KAFKA_BOOTSTRAP_SERVERS=" + kafka.bootstrapServers());
        out.println();
        out.println("Ctrl-C or SIGTERM stops it; the data stays in " + dir + " for the next "
            + "start.");
        out.flush();
        stop.await();
        out.println("stopping Kafka...");
      } finally {
        kafka.close(); // Keeps the directory: a broker of startKeeping.
      }
      out.println("stopped; data kept in " + dir);
      return 0;
    }

    /** A taken port fails here, in one sentence, instead of deep in the broker's startup. */
    private void refuseTakenPort() {
      try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
        probe.setReuseAddress(true);
      } catch (IOException e) {
        throw new IllegalStateException("port " + port + " on 127.0.0.1 is taken (is a broker "
            + "running already?): stop what holds it, or give another with --port");
      }
    }
  }
}
