package dev.realtime.testkit.kafka;

import dev.realtime.testkit.fault.FaultProxy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running inside this
 * JVM, for tests. It listens on loopback only and keeps its data in a fresh temporary directory.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *   producerProps.put("bootstrap.servers", kafka.bootstrapServers());
 *   ...
 *   kafka.restart();  // same address, same data: clients reconnect on their own
 * }
 * }</pre>
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>{@link #start()} gives you a broker of your own: close it (try-with-resources) to stop it
 *       and delete its data. {@link #shared()} gives the one broker of the JVM, which nobody may
 *       stop, restart or close; use it for plain tests and your own broker for fault tests.
 *   <li>{@link #stop()}, {@link #startAgain()} and {@link #restart()} keep the ports, the log
 *       directory and the cluster id, so a client made before a restart works after it.
 *   <li>The settings suit one node: every internal topic has one replica, topics are created on
 *       first use with one partition, and the first consumer group rebalance is not delayed.
 *   <li>Needs {@code org.apache.kafka:kafka_2.13} and {@code kafka-clients} on the test classpath
 *       (they are optional dependencies of the testkit).
 *   <li>Kafka logs through SLF4J at INFO, which is a lot; set the loggers {@code kafka}, {@code
 *       org.apache.kafka} and {@code state.change.logger} to WARN in your test logging setup.
 * </ul>
 *
 * <p>Thread-safe: every method may be called from any thread; the ones that start or stop the
 * broker wait for one another.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final String HOST = "127.0.0.1";
  private static final int NODE_ID = 1;
  private static final String BROKER_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  /** A third listener, advertised at a FaultProxy in front of it (see proxiedBootstrapServers). */
  private static final String PROXIED_LISTENER = "PROXIED";
  private static final String SETTINGS_FILE = "server.properties";
  private static final String LOG_DIR = "logs";

  /** Bounds a start: the broker's own startup and the wait for it to answer a client. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  /** A free port can be taken by someone else before the broker binds it; try again that often. */
  private static final int BIND_ATTEMPTS = 3;

  private static final Object SHARED_LOCK = new Object();
  private static EmbeddedKafka shared; // guarded by SHARED_LOCK

  private final Path directory;
  private final int brokerPort;
  private final int controllerPort;
  private final String clusterId;
  private final boolean isShared;
  /** A broker of {@link #startKeeping}: its directory is the user's, never deleted. */
  private final boolean keepsData;
  /** The proxy in front of the PROXIED listener, or null (a broker of startKeeping has none). */
  private FaultProxy proxy;
  private int proxiedPort;
  private final Object lock = new Object();
  private KafkaRaftServer server; // guarded by lock; null while stopped
  private boolean closed; // guarded by lock

  private EmbeddedKafka(
      Path directory, int brokerPort, int controllerPort, String clusterId, boolean isShared) {
    this(directory, brokerPort, controllerPort, clusterId, isShared, false);
  }

  private EmbeddedKafka(Path directory, int brokerPort, int controllerPort, String clusterId,
      boolean isShared, boolean keepsData) {
    this.directory = directory;
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
    this.clusterId = clusterId;
    this.isShared = isShared;
    this.keepsData = keepsData;
  }

  /**
   * Starts a broker on {@code 127.0.0.1:port} whose data lives in {@code directory} and outlives
   * it: the first start formats the directory (creating it), a later one starts on what is
   * there, with the same cluster id, topics, messages and group offsets. The controller listens
   * on a free port chosen at each start. {@link #close()} stops it and keeps the directory.
   * For {@code realtime broker kafka}; tests use {@link #start()}.
   *
   * @throws IllegalStateException if the broker does not start (the port is taken, another
   *     broker holds the directory); the message says why
   */
  public static EmbeddedKafka startKeeping(Path directory, int port) {
    Path dir = directory.toAbsolutePath();
    Path meta = dir.resolve(LOG_DIR).resolve("meta.properties");
    boolean formatted = Files.exists(meta);
    String clusterId;
    if (formatted) {
      Properties properties = new Properties();
      try (var in = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
        properties.load(in);
      } catch (IOException e) {
        throw new IllegalStateException("Could not read " + meta + ": " + e.getMessage(), e);
      }
      clusterId = properties.getProperty("cluster.id");
      if (clusterId == null) {
        throw new IllegalStateException(meta + " has no cluster.id: it is not a Kafka data "
            + "directory this can start on. Give another directory.");
      }
    } else {
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new IllegalStateException("Could not create " + dir + ": " + e.getMessage(), e);
      }
      clusterId = Uuid.randomUuid().toString();
    }
    EmbeddedKafka kafka = new EmbeddedKafka(dir, port, freePorts(1)[0], clusterId, false, true);
    synchronized (kafka.lock) {
      if (!formatted) {
        kafka.format();
      }
      kafka.startServer();
    }
    return kafka;
  }

  /**
   * Starts a new broker of your own on free loopback ports with a new, empty log directory, and
   * returns once it answers clients (a few seconds). Close it when done: that stops it and
   * deletes its data.
   *
   * @throws IllegalStateException if the broker does not start; the message says why and where
   *     its log directory is
   */
  public static EmbeddedKafka start() {
    return startNew(false);
  }

  /**
   * Returns the one broker shared by every test of this JVM, starting it on the first call. It
   * runs until the JVM exits (a shutdown hook stops it and deletes its data). Because others use
   * it at the same time, {@link #stop()}, {@link #startAgain()}, {@link #restart()} and {@link
   * #close()} throw on it, and tests should use their own topic and group names.
   *
   * @throws IllegalStateException if the broker does not start (a later call tries again)
   */
  public static EmbeddedKafka shared() {
    synchronized (SHARED_LOCK) {
      if (shared == null) {
        EmbeddedKafka kafka = startNew(true);
        Runtime.getRuntime()
            .addShutdownHook(new Thread(kafka::shutDownAndDelete, "embedded-kafka-shutdown"));
        shared = kafka;
      }
      return shared;
    }
  }

  /**
   * The address of a listener reached only through a {@link FaultProxy}, and advertised at it: a
   * client bootstrapped here talks to the broker through the proxy alone (a proxy in front of the
   * usual listener would not do: clients connect to the addresses metadata advertises), so
   * {@link #cutProxied()} drops its connections and no one else's.
   *
   * @throws IllegalStateException on a broker of {@link #startKeeping}, which has no such
   *     listener
   */
  public String proxiedBootstrapServers() {
    return requireProxy().host() + ":" + proxy.port();
  }

  /**
   * Drops every connection through the {@linkplain #proxiedBootstrapServers() proxied listener}
   * and refuses new ones until {@link #restoreProxied()}; the broker and its other clients go on.
   */
  public void cutProxied() {
    requireProxy().cut();
  }

  /** Accepts connections through the proxied listener again. */
  public void restoreProxied() {
    requireProxy().restore();
  }

  private FaultProxy requireProxy() {
    if (proxy == null) {
      throw new IllegalStateException("EmbeddedKafka at " + bootstrapServers()
          + " has no proxied listener: only brokers of start() and shared() have one");
    }
    return proxy;
  }

  /** The address for {@code bootstrap.servers}, such as {@code 127.0.0.1:41234}; never changes. */
  public String bootstrapServers() {
    return HOST + ":" + brokerPort;
  }

  /** The cluster id the log directory was formatted with; the same after a restart. */
  public String clusterId() {
    return clusterId;
  }

  /**
   * This broker's temporary directory: its settings in {@code server.properties} and its data in
   * {@link #logDir()}. Kept across restarts, deleted by {@link #close()}.
   */
  public Path directory() {
    return directory;
  }

  /**
   * The broker's data directory (its {@code log.dirs}), inside {@link #directory()}. Do not
   * change it while the broker runs: if it fails, Kafka may halt the JVM.
   */
  public Path logDir() {
    return directory.resolve(LOG_DIR);
  }

  /** Returns true from a start until the next {@link #stop()} or {@link #close()}. */
  public boolean isRunning() {
    synchronized (lock) {
      return server != null;
    }
  }

  /**
   * Stops the broker, keeping its data on disk, and returns once it is down; clients then fail to
   * connect until {@link #startAgain()}. Nothing holds its ports meanwhile: if another process
   * takes one, starting again fails. Does nothing if it is already stopped.
   *
   * @throws IllegalStateException on the {@link #shared()} broker
   */
  public void stop() {
    refuseIfShared("stop");
    synchronized (lock) {
      stopServer();
    }
  }

  /**
   * Starts the stopped broker again on the same ports with the same data and cluster id, and
   * returns once it answers clients. Does nothing if it is running.
   *
   * @throws IllegalStateException on the {@link #shared()} broker, after {@link #close()}, or if
   *     the broker does not start (the message says why and where its log directory is)
   */
  public void startAgain() {
    refuseIfShared("start");
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("EmbeddedKafka at " + bootstrapServers() + " is closed");
      }
      if (server == null) {
        startServer();
      }
    }
  }

  /**
   * Stops the broker (if running) and starts it again on the same ports with the same data, and
   * returns once it answers clients: a broker outage as a client sees it.
   *
   * @throws IllegalStateException as {@link #startAgain()} does
   */
  public void restart() {
    refuseIfShared("restart");
    synchronized (lock) {
      stopServer();
      startAgain();
    }
  }

  /**
   * Stops the broker and deletes its {@link #directory()} (kept for a broker of {@link
   * #startKeeping}); afterwards it cannot be started again. Calling it twice does nothing more.
   *
   * @throws IllegalStateException on the {@link #shared()} broker, which a shutdown hook closes
   */
  @Override
  public void close() {
    refuseIfShared("close");
    shutDownAndDelete();
  }

  @Override
  public String toString() {
    return "EmbeddedKafka[" + bootstrapServers() + ", " + directory + "]";
  }

  private static EmbeddedKafka startNew(boolean isShared) {
    for (int attempt = 1; ; attempt++) {
      int[] ports = freePorts(3);
      Path dir = createDirectory();
      EmbeddedKafka kafka =
          new EmbeddedKafka(dir, ports[0], ports[1], Uuid.randomUuid().toString(), isShared);
      kafka.proxiedPort = ports[2];
      kafka.proxy = FaultProxy.start(HOST, ports[2]);
      try {
        synchronized (kafka.lock) {
          kafka.format();
          kafka.startServer();
        }
        return kafka;
      } catch (RuntimeException e) {
        try {
          kafka.shutDownAndDelete();
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
        // Only a port taken between choosing it and binding it is worth another try.
        if (attempt >= BIND_ATTEMPTS || !causedByBind(e)) {
          throw e;
        }
      }
    }
  }

  /**
   * Writes the settings to server.properties and formats the log directory with them (its
   * meta.properties and bootstrap metadata), exactly as {@code kafka-storage.sh format} does.
   */
  private void format() {
    Path settings = directory.resolve(SETTINGS_FILE);
    try (Writer writer = Files.newBufferedWriter(settings, StandardCharsets.UTF_8)) {
      settings().store(writer, "EmbeddedKafka " + bootstrapServers());
    } catch (IOException e) {
      throw new IllegalStateException("Could not write " + settings, e);
    }
    format(settings, clusterId, logDir());
  }

  /** Formats {@code logDir} as the settings file says, for the cluster {@code clusterId}. */
  static void format(Path settings, String clusterId, Path logDir) {
    // StorageTool rather than its Formatter: the Formatter's module (kafka-metadata) is only a
    // runtime dependency of kafka_2.13, so code compiled against kafka_2.13 cannot name it.
    String[] args = {"format", "--config", settings.toString(), "--cluster-id", clusterId};
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      int status = StorageTool.execute(args, print); // prints progress: noise unless it fails
      if (status != 0) {
        throw new IllegalStateException("kafka-storage format exited with " + status);
      }
    } catch (Exception e) {
      throw new IllegalStateException(
          "Could not format the embedded Kafka log dir " + logDir + ": " + e.getMessage()
              + "\n" + output.toString(StandardCharsets.UTF_8),
          e);
    }
  }

  /** Starts a new server on the formatted directory; a stopped one cannot be started again. */
  private void startServer() {
    // Only KafkaConfig's constructor: its superclass lives in kafka-server, a runtime-only
    // dependency of kafka_2.13, so javac cannot look up any of its methods. false: no log dump.
    KafkaConfig config = new KafkaConfig(settings(), false);
    KafkaRaftServer started = new KafkaRaftServer(config, Time.SYSTEM);
    try {
      started.startup();
      awaitListed(bootstrapServers(), NODE_ID);
    } catch (Exception e) { // Scala code may throw checked exceptions it does not declare
      try {
        shutDown(started); // a half-started server still holds ports and threads
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw new IllegalStateException(
          "Embedded Kafka broker did not start on " + bootstrapServers() + " (controller " + HOST
              + ":" + controllerPort + "); log dir: " + logDir() + ": " + describe(e),
          e);
    }
    server = started;
  }

  /**
   * Waits until a client of {@code bootstrapServers} gets broker {@code nodeId} in a
   * describeCluster answer. Startup already waits for the broker to be unfenced; this proves
   * the client listener is open and serving.
   */
  static void awaitListed(String bootstrapServers, int nodeId) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 50);
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 50);
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-readiness");
    Exception last = null;
    try (Admin admin = Admin.create(props)) {
      while (true) {
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (remainingMs <= 0) {
          throw new IllegalStateException(
              "no describeCluster answer within " + START_TIMEOUT.toSeconds() + " s"
                  + (last == null ? "" : " (last error: " + last + ")"),
              last);
        }
        DescribeClusterResult result =
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) remainingMs));
        try {
          Collection<Node> nodes = result.nodes().get(remainingMs, TimeUnit.MILLISECONDS);
          if (nodes.stream().anyMatch(node -> node.id() == nodeId)) {
            return;
          }
          last = new IllegalStateException("broker " + nodeId + " not yet in " + nodes);
        } catch (ExecutionException | TimeoutException e) {
          last = e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the broker", e);
        }
      }
    }
  }

  private void stopServer() {
    if (server != null) {
      KafkaRaftServer stopping = server;
      server = null;
      shutDown(stopping);
    }
  }

  private static void shutDown(KafkaRaftServer stopping) {
    // Shuts down the broker, then the controller; awaitShutdown returns once both are down, so
    // the ports are free for the next start.
    stopping.shutdown();
    stopping.awaitShutdown();
  }

  private void shutDownAndDelete() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      try {
        stopServer();
      } finally {
        if (proxy != null) {
          proxy.close();
        }
        if (!keepsData) {
          deleteRecursively(directory);
        }
      }
    }
  }

  private void refuseIfShared(String action) {
    if (isShared) {
      throw new IllegalStateException(
          "Cannot " + action + " the shared EmbeddedKafka: other tests use it, and a JVM shutdown"
              + " hook closes it. Use EmbeddedKafka.start() for a broker of your own.");
    }
  }

  private Properties settings() {
    Properties props = nodeSettings(NODE_ID, NODE_ID + "@" + HOST + ":" + controllerPort,
        brokerPort, controllerPort, logDir(), 1);
    if (proxy != null) {
      addProxiedListener(props, proxiedPort, proxy.port());
    }
    return props;
  }

  /**
   * Adds to a node's {@code props} a listener on {@code port}, advertised at {@code
   * proxyPort}: a client bootstrapped through the proxy learns every broker's proxied address
   * and reaches the cluster through proxies only, which a test can cut without touching the
   * other clients.
   */
  static void addProxiedListener(Properties props, int port, int proxyPort) {
    props.put("listeners", props.getProperty("listeners") + "," + PROXIED_LISTENER + "://"
        + HOST + ":" + port);
    props.put("advertised.listeners", props.getProperty("advertised.listeners") + ","
        + PROXIED_LISTENER + "://" + HOST + ":" + proxyPort);
    props.put("listener.security.protocol.map",
        props.getProperty("listener.security.protocol.map") + "," + PROXIED_LISTENER
            + ":PLAINTEXT");
  }

  /**
   * The settings of one combined broker and controller on loopback: node {@code nodeId} of the
   * quorum {@code voters} ({@code id@host:port,...}), keeping {@code replicas} copies of every
   * partition (internal topics included) and requiring a majority of them in sync. One node
   * gives the embedded broker; three, a {@code KafkaCluster}'s node.
   */
  static Properties nodeSettings(int nodeId, String voters, int brokerPort, int controllerPort,
      Path logDir, int replicas) {
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", String.valueOf(nodeId));
    props.put("controller.quorum.voters", voters);
    props.put("controller.listener.names", CONTROLLER_LISTENER);
    props.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
        + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
    props.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
    props.put("listener.security.protocol.map",
        BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    props.put("inter.broker.listener.name", BROKER_LISTENER);
    props.put("log.dirs", logDir.toString());

    // Every replicated topic, internal ones included, gets every replica asked for, and a
    // write with acks=all needs a majority of them: one of one, two of three.
    String copies = String.valueOf(replicas);
    String inSync = String.valueOf(replicas / 2 + 1);
    props.put("offsets.topic.replication.factor", copies);
    props.put("transaction.state.log.replication.factor", copies);
    props.put("transaction.state.log.min.isr", inSync);
    props.put("share.coordinator.state.topic.replication.factor", copies);
    props.put("share.coordinator.state.topic.min.isr", inSync);
    props.put("default.replication.factor", copies);
    props.put("min.insync.replicas", inSync);

    // Fewer internal partitions than the default 50: creating them is most of a first
    // consumer group's wait, and a test cluster has no load to spread.
    props.put("offsets.topic.num.partitions", "1");
    props.put("transaction.state.log.num.partitions", "1");
    // Tests expect a consumer to get partitions at once, not after the default 3 s.
    props.put("group.initial.rebalance.delay.ms", "0");
    // Lets a test's member declare itself dead after a second or two (realtime.kafka.session-
    // timeout), rather than the 6 s minimum; the default session is unchanged.
    props.put("group.min.session.timeout.ms", "500");
    props.put("auto.create.topics.enable", "true");
    props.put("num.partitions", "1");
    // Retention is checked every 5 minutes by default; a test of retention cannot wait that.
    props.put("log.retention.check.interval.ms", "1000");
    // And that check first runs 30 s after a start by default: a broker that a test had just
    // restarted (conformance case 26 cuts connections by stopping it) kept case 27's expired
    // records for those 30 s.
    props.put("log.initial.task.delay.ms", "0");

    // Small thread pools and cleaner buffer: the test JVM also runs the tests (the default
    // cleaner buffer alone is 128 MiB of heap).
    props.put("num.network.threads", "2");
    props.put("num.io.threads", "2");
    props.put("background.threads", "2");
    props.put("log.cleaner.threads", "1");
    props.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
    // Bound startup instead of Kafka's default of waiting forever.
    props.put("server.max.startup.time.ms", String.valueOf(START_TIMEOUT.toMillis()));
    return props;
  }

  /** Reserves n distinct free loopback ports by binding them at once, then releases them. */
  private static int[] freePorts(int n) {
    ServerSocket[] sockets = new ServerSocket[n];
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        sockets[i] = new ServerSocket(0, 1, InetAddress.getByName(HOST));
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new IllegalStateException("Could not find a free port on " + HOST, e);
    } finally {
      for (ServerSocket socket : sockets) {
        if (socket != null) {
          try {
            socket.close();
          } catch (IOException ignored) {
            // The port is still usable once the JVM closes it; nothing to do.
          }
        }
      }
    }
  }

  private static Path createDirectory() {
    try {
      return Files.createTempDirectory("embedded-kafka-");
    } catch (IOException e) {
      throw new IllegalStateException(
          "Could not create a temporary log directory in " + System.getProperty("java.io.tmpdir"),
          e);
    }
  }

  /** The failure and, when it only wraps another, the root cause: that names the real problem. */
  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (cause: " + root + ")";
  }

  private static boolean causedByBind(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
        return true;
      }
    }
    return false;
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      List<Path> deepestFirst = paths.sorted(Comparator.reverseOrder()).toList();
      for (Path path : deepestFirst) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new IllegalStateException("Could not delete the embedded Kafka log dir " + dir, e);
    }
  }
}
