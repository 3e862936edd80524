package dev.realtime.benchmarks.chaos;

import dev.realtime.testkit.kafka.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.utils.Time;

/**
 * A Kafka broker in a child JVM that can be killed with -9 and started again on the same ports
 * with its data, for the campaign (the benchmarks' {@code KafkaProcess} deletes its data when it
 * ends). The first child formats a directory with the testkit's {@link EmbeddedKafka} settings,
 * advertising {@code advertisedPort} (a fault proxy's) so that every client connection, not only
 * the bootstrap one, goes through the proxy; each later child serves that directory again.
 */
final class KafkaNode implements AutoCloseable {
  private static final String READY = "bootstrap-servers=";
  private static final String DIRECTORY = "directory=";
  private static final String PORT = "port=";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path directory;
  private final int port;
  private final List<String> jvmOptions;
  private Process process;

  private KafkaNode(Path directory, int port, List<String> jvmOptions, Process process) {
    this.directory = directory;
    this.port = port;
    this.jvmOptions = jvmOptions;
    this.process = process;
  }

  /**
   * Formats and starts a broker that advertises the address {@code advertised} returns for its
   * port: a fault proxy's port, started once the broker's port is known; its JVM (and every
   * restart's) with {@code jvmOptions}.
   */
  static KafkaNode start(List<String> jvmOptions,
      java.util.function.IntUnaryOperator advertised) {
    Process child = launch(jvmOptions, "fresh");
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
          StandardCharsets.UTF_8));
      String line = out.readLine();
      if (line == null || !line.startsWith(PORT)) {
        throw new IllegalStateException("the Kafka child JVM exited before it formatted: "
            + line);
      }
      int port = Integer.parseInt(line.substring(PORT.length()));
      Writer in = new java.io.OutputStreamWriter(child.getOutputStream(),
          StandardCharsets.UTF_8);
      in.write(advertised.applyAsInt(port) + "\n");
      in.flush();
      String[] lines = await(out, child);
      return new KafkaNode(Path.of(lines[0]), port, jvmOptions, child);
    } catch (IOException | RuntimeException e) {
      child.destroyForcibly();
      throw new IllegalStateException("could not start the Kafka child JVM: " + e, e);
    }
  }

  /** The broker's own port: a fault proxy forwards to it. */
  int port() {
    return port;
  }

  boolean isRunning() {
    return process.isAlive();
  }

  /** SIGKILL to the broker's JVM; returns once it is gone. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts a new child on the same directory and ports; returns once it serves. */
  void restart() {
    if (process.isAlive()) {
      kill();
    }
    process = launch(jvmOptions, "resume", directory.toString());
    await(new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8)), process);
  }

  @Override
  public void close() {
    kill();
    deleteTree(directory);
  }

  private static Process launch(List<String> jvmOptions, String... args) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new java.util.ArrayList<>(List.of(java.toString(), "-Xmx512m"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        KafkaNode.class.getName()));
    command.addAll(List.of(args));
    try {
      return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start a Kafka child JVM", e);
    }
  }

  /**
   * Reads the child's output up to its ready line: the directory it printed (if any) and its
   * bootstrap address.
   */
  private static String[] await(BufferedReader out, Process child) {
    try {
      String directory = null;
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith(DIRECTORY)) {
          directory = line.substring(DIRECTORY.length());
        } else if (line.startsWith(READY)) {
          return new String[] {directory, line.substring(READY.length())};
        }
      }
      child.destroyForcibly();
      throw new IllegalStateException("the Kafka child JVM exited with " + child.waitFor()
          + " before it served");
    } catch (IOException e) {
      child.destroyForcibly();
      throw new UncheckedIOException("could not read the Kafka child JVM's output", e);
    } catch (InterruptedException e) {
      child.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the Kafka child started", e);
    }
  }

  static void deleteTree(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (var paths = Files.walk(directory)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + directory, e);
    }
  }

  /**
   * The child: {@code fresh} (prints its port, reads the port to advertise) or {@code resume
   * DIRECTORY}; serves until its standard input ends, or until killed.
   */
  public static void main(String[] args) throws Exception {
    Path directory;
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    if (args[0].equals("fresh")) {
      EmbeddedKafka formatted = EmbeddedKafka.start();  // formats, with the testkit's settings
      formatted.stop();
      directory = formatted.directory();
      String own = formatted.bootstrapServers();
      System.out.println(PORT + own.substring(own.lastIndexOf(':') + 1));
      System.out.flush();
      String port = in.readLine();
      Path settings = directory.resolve("server.properties");
      Properties props = load(settings);
      props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
      try (Writer writer = Files.newBufferedWriter(settings, StandardCharsets.UTF_8)) {
        props.store(writer, "advertised through a fault proxy");
      }
      System.out.println(DIRECTORY + directory);
    } else {
      directory = Path.of(args[1]);
    }
    Properties props = load(directory.resolve("server.properties"));
    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
    server.startup();
    String listener = props.getProperty("listeners").split(",")[0];
    String bootstrap = listener.substring(listener.indexOf("//") + 2);
    awaitAnswer(bootstrap);
    System.out.println(READY + bootstrap);
    System.out.flush();
    System.setOut(System.err);
    while (in.read() >= 0) {
      // The end of the input is the signal to stop.
    }
    server.shutdown();
    server.awaitShutdown();
    System.exit(0);
  }

  private static Properties load(Path file) throws IOException {
    Properties props = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(reader);
    }
    return props;
  }

  /** Waits until the broker appears in a describeCluster answer (through the proxy, if any). */
  private static void awaitAnswer(String bootstrap) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 50);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    try (Admin admin = Admin.create(props)) {
      while (System.nanoTime() < deadline) {
        try {
          Collection<Node> nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
          if (!nodes.isEmpty()) {
            return;
          }
        } catch (Exception notYet) {
          // Retried until the deadline.
        }
      }
    }
    throw new IllegalStateException("the broker did not answer within " + START_TIMEOUT);
  }
}
