package dev.realtime.testkit.process;

import dev.realtime.testkit.env.Ports;
import dev.realtime.testkit.fault.FaultProxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * A real Kafka cluster of several KRaft nodes on this machine, each a combined broker and
 * controller in a JVM of its own, so that a test can kill one with -9 as a node dies in
 * production, and start it again on its data. Every partition, the internal topics' included,
 * has one replica per node (three by default) and needs a majority of them in sync ({@code
 * min.insync.replicas=2} of 3): a write confirmed with {@code acks=all} survives the loss of any
 * one node.
 *
 * <pre>{@code
 * try (KafkaCluster kafka = KafkaCluster.start()) {   // three nodes, about 20 s
 *   config.set("realtime.kafka.bootstrap-servers", kafka.bootstrapServers());
 *   int leader = kafka.leaderOf("realtime_orders", 0).orElseThrow();
 *   kafka.kill(leader);    // kill -9
 *   kafka.startAgain(leader);  // same ports, same data; returns once it serves
 * }                        // every node killed, every directory deleted
 * }</pre>
 *
 * <p>Nodes are numbered from 1. Each listens on loopback at ports free when the cluster started
 * (a port taken meanwhile: the whole cluster is tried again on others) and keeps its data and
 * {@code kafka.log} in a temporary directory of its own ({@code realtime-kafka-node-}). The
 * cluster needs {@code org.apache.kafka:kafka_2.13} on the classpath, which the child JVMs
 * inherit. Not thread-safe: one test drives it.
 */
public final class KafkaCluster implements AutoCloseable {
  private static final String HOST = "127.0.0.1";
  /** A node starts in ~5-10 s alone; three at once on two cores, and log recovery after -9. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  /** A clean shutdown first moves the node's leaderships, which waits on the controller. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  private static final int ATTEMPTS = 3;
  private static final String MAIN = "dev.realtime.testkit.kafka.KafkaNodeMain";

  private final List<KafkaNode> nodes;
  private final String bootstrapServers;
  private Admin admin;
  private boolean closed;

  private KafkaCluster(List<KafkaNode> nodes) {
    this.nodes = nodes;
    this.bootstrapServers = nodes.stream().map(node -> HOST + ":" + node.brokerPort)
        .collect(Collectors.joining(","));
  }

  /** Starts three nodes; see {@link #start(int)}. */
  public static KafkaCluster start() {
    return start(3);
  }

  /**
   * Starts {@code size} nodes at once (a quorum answers only once a majority runs) and returns
   * when every one serves clients.
   *
   * @throws IllegalArgumentException if {@code size} is not 1 to 9
   * @throws IllegalStateException if a node does not start; the message holds the end of its log
   */
  public static KafkaCluster start(int size) {
    if (size < 1 || size > 9) {
      throw new IllegalArgumentException("a KafkaCluster has 1 to 9 nodes, not " + size);
    }
    for (int attempt = 1; ; attempt++) {
      KafkaCluster cluster = new KafkaCluster(plan(size));
      try {
        cluster.startAll(true);
        return cluster;
      } catch (RuntimeException e) {
        cluster.close();
        if (attempt == ATTEMPTS || !portTaken(e)) {
          throw e;
        }
      }
    }
  }

  /** Returns {@code host:port} of every node, comma-separated, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Returns the node ids, 1 to the cluster's size. */
  public List<Integer> nodeIds() {
    return nodes.stream().map(node -> node.id).toList();
  }

  /** Returns whether node {@code id}'s JVM is alive. */
  public boolean isRunning(int id) {
    return node(id).isRunning();
  }

  /** Returns the OS process id of node {@code id}'s JVM. */
  public long pid(int id) {
    KafkaNode node = node(id);
    if (!node.isRunning()) {
      throw new IllegalStateException(node.what() + " is not running");
    }
    return node.process().pid();
  }

  /**
   * Returns the node that leads {@code partition} of {@code topic} now, as the cluster's
   * metadata says; empty while it has no leader (during an election, or with no replica alive).
   *
   * @throws IllegalStateException if the cluster does not answer within 10 seconds, or has no
   *     such topic or partition
   */
  public OptionalInt leaderOf(String topic, int partition) {
    try {
      TopicDescription description = admin().describeTopics(List.of(topic)).allTopicNames()
          .get(10, TimeUnit.SECONDS).get(topic);
      for (TopicPartitionInfo info : description.partitions()) {
        if (info.partition() == partition) {
          Node leader = info.leader();
          return leader == null || leader.id() < 0 ? OptionalInt.empty()
              : OptionalInt.of(leader.id());
        }
      }
      throw new IllegalStateException(topic + " has no partition " + partition);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("could not describe " + topic + " on " + this + ": " + e,
          e);
    }
  }

  /**
   * Returns the node that is the active controller of the quorum now, as a client sees it.
   *
   * @throws IllegalStateException if the cluster does not answer within 10 seconds
   */
  public int controller() {
    try {
      return admin().describeCluster().controller().get(10, TimeUnit.SECONDS).id();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("could not find the controller of " + this + ": " + e, e);
    }
  }

  /**
   * Kills node {@code id} with SIGKILL, as a crash would: no clean shutdown, its leaderships
   * move only when the controller notices (the broker session, 9 s by default). Returns once
   * the JVM is gone; does nothing if it is not running.
   */
  public void kill(int id) {
    node(id).kill();
  }

  /**
   * Stops node {@code id} cleanly (SIGTERM: its leaderships move first), SIGKILL after 30 s.
   *
   * @return whether it stopped cleanly in time
   */
  public boolean stop(int id) {
    return node(id).stop();
  }

  /**
   * Starts node {@code id} again on its ports and data, if it is not running, and returns once
   * it serves clients (its replicas then catch up in the background).
   *
   * @throws IllegalStateException if it does not serve in time, or after {@link #close()}
   */
  public void startAgain(int id) {
    KafkaNode node = node(id);
    if (!node.isRunning()) {
      node.restart();
    }
  }

  /** Kills every node with SIGKILL: the whole cluster down at once, data kept. */
  public void killAll() {
    nodes.forEach(KafkaNode::kill);
  }

  /**
   * Starts every node that is not running, at once (a majority must run before any serves),
   * and returns once each serves.
   */
  public void startAll() {
    startAll(false);
  }

  /** Kills every node, deletes every directory. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (admin != null) {
      admin.close(Duration.ZERO);
    }
    // Killed, not stopped: a clean shutdown of the last nodes would wait on a quorum that the
    // first ones took away, and the data goes anyway.
    killAll();
    nodes.forEach(node -> {
      node.proxy.close();
      node.close();
    });
  }

  /**
   * The nodes' proxied listeners, for a client that a test will cut off ({@link #cutProxied}):
   * bootstrapped here, it learns every node at its proxy and reaches none another way.
   */
  public String proxiedBootstrapServers() {
    return nodes.stream().map(node -> node.proxy.host() + ":" + node.proxy.port())
        .collect(Collectors.joining(","));
  }

  /**
   * Drops every connection through the proxied listeners and refuses new ones until {@link
   * #restoreProxied()}: the clients bootstrapped at {@link #proxiedBootstrapServers()} lose the
   * cluster as a killed process does; the cluster and its other clients go on.
   */
  public void cutProxied() {
    nodes.forEach(node -> node.proxy.cut());
  }

  /** Accepts connections through the proxied listeners again. */
  public void restoreProxied() {
    nodes.forEach(node -> node.proxy.restore());
  }

  @Override
  public String toString() {
    return "KafkaCluster{" + bootstrapServers + ", running " + nodes.stream()
        .filter(KafkaNode::isRunning).map(node -> node.id).toList() + "}";
  }

  private KafkaNode node(int id) {
    if (id < 1 || id > nodes.size()) {
      throw new IllegalArgumentException("no node " + id + " in " + this + ": nodes are 1 to "
          + nodes.size());
    }
    return nodes.get(id - 1);
  }

  private Admin admin() {
    if (admin == null) {
      Properties props = new Properties();
      props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      props.put(AdminClientConfig.CLIENT_ID_CONFIG, "kafka-cluster-testkit");
      props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
      admin = Admin.create(props);
    }
    return admin;
  }

  private void startAll(boolean first) {
    // Each node's start waits for the others: a quorum answers once a majority runs.
    java.util.concurrent.Executor threads = Launch.threadPerTask("kafka-cluster-start");
    List<CompletableFuture<Void>> starts = new ArrayList<>();
    for (KafkaNode node : nodes) {
      if (first) {
        starts.add(CompletableFuture.runAsync(node::firstStart, threads));
      } else if (!node.isRunning()) {
        starts.add(CompletableFuture.runAsync(node::restart, threads));
      }
    }
    try {
      CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException failure ? failure : e;
    }
  }

  /** Chooses distinct ports for every node and writes nothing yet. */
  private static List<KafkaNode> plan(int size) {
    Set<Integer> ports = new HashSet<>();
    while (ports.size() < 3 * size) {
      ports.add(Ports.closedPort());
    }
    List<Integer> chosen = new ArrayList<>(ports);
    String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
    StringBuilder voters = new StringBuilder();
    for (int id = 1; id <= size; id++) {
      voters.append(voters.length() == 0 ? "" : ",").append(id).append('@').append(HOST)
          .append(':').append(chosen.get(3 * id - 2));
    }
    List<KafkaNode> nodes = new ArrayList<>();
    for (int id = 1; id <= size; id++) {
      nodes.add(new KafkaNode(id, chosen.get(3 * id - 3), chosen.get(3 * id - 2),
          chosen.get(3 * id - 1), clusterId, voters.toString(), size));
    }
    return nodes;
  }

  private static boolean portTaken(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Launch.ExitedEarly early && early.portTaken()) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code classPath} with every entry made absolute: a node runs in its own directory, where a
   * relative entry (this JVM started as {@code java -jar target/app.jar}) would name nothing.
   */
  static String absolute(String classPath) {
    return java.util.Arrays.stream(classPath.split(java.io.File.pathSeparator))
        .map(entry -> Path.of(entry).toAbsolutePath().toString())
        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
  }

  /** One node's JVM: {@code KafkaNodeMain} with the node's part of the plan. */
  private static final class KafkaNode extends ServerProcess {
    private final int id;
    private final int brokerPort;
    private final int controllerPort;
    /** A third listener, advertised at {@link #proxy} in front of it. */
    private final int proxiedPort;
    private final FaultProxy proxy;
    private final String clusterId;
    private final String voters;
    private final int replicas;

    KafkaNode(int id, int brokerPort, int controllerPort, int proxiedPort, String clusterId,
        String voters, int replicas) {
      super(Launch.tempDirectory("realtime-kafka-node-"), "kafka.log", START_TIMEOUT,
          STOP_GRACE);
      this.id = id;
      this.brokerPort = brokerPort;
      this.controllerPort = controllerPort;
      this.proxiedPort = proxiedPort;
      this.proxy = FaultProxy.start(HOST, proxiedPort);
      this.clusterId = clusterId;
      this.voters = voters;
      this.replicas = replicas;
    }

    /** The cluster chose the ports: each node's are in every other's quorum list. */
    @Override
    void choosePorts() {}

    @Override
    public void kill() {
      if (isRunning()) {
        Reaper.killTree(process(), STOP_GRACE);
      }
    }

    @Override
    public KafkaNode restart() {
      relaunch("KafkaCluster");
      return this;
    }

    @Override
    ProcessBuilder command() {
      try {
        // The node writes it once it serves; gone before the launch, so no start sees the last.
        Files.deleteIfExists(directory().resolve("ready"));
      } catch (IOException e) {
        throw new IllegalStateException("could not clear " + directory().resolve("ready"), e);
      }
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      // Serial GC and a bounded heap: three of these beside the tests on two cores.
      return new ProcessBuilder(java.toString(), "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC",
          "-cp", absolute(System.getProperty("java.class.path")), MAIN,
          directory().toString(), String.valueOf(id), clusterId, String.valueOf(brokerPort),
          String.valueOf(controllerPort), voters, String.valueOf(replicas),
          String.valueOf(proxiedPort), String.valueOf(proxy.port()));
    }

    @Override
    void answer() throws IOException {
      if (!Files.exists(directory().resolve("ready"))) {
        throw new IOException("not serving yet");
      }
    }

    @Override
    String what() {
      return "Kafka node " + id + " on port " + brokerPort;
    }
  }
}
