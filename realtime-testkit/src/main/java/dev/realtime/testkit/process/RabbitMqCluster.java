package dev.realtime.testkit.process;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * A real RabbitMQ cluster of several nodes on this machine, each a {@link RabbitMqProcess} of its
 * own (name, ports, data, an absolute memory watermark of 512 MiB) sharing one Erlang cookie, so
 * that a test can kill one with -9 as a node dies in production and start it again. Quorum
 * queues and streams declared on it get a member on every node by RabbitMQ's defaults.
 *
 * <pre>{@code
 * try (RabbitMqCluster rabbit = RabbitMqCluster.start()) {  // three nodes, about 30 s
 *   config.set("realtime.rabbitmq.uri", rabbit.uri());
 *   config.set("realtime.rabbitmq.addresses", rabbit.addresses());
 *   int leader = rabbit.leaderOf("realtime.~group.mailers~orders").orElseThrow();
 *   rabbit.kill(leader);        // kill -9 of that node's Erlang VM
 *   rabbit.startAgain(leader);  // same name, ports and data; it rejoins the cluster
 * }
 * }</pre>
 *
 * <p>The first node starts alone; each other one starts, then joins it ({@code rabbitmqctl
 * stop_app}, {@code join_cluster}, {@code start_app}). Nodes are numbered from 1. Not
 * thread-safe: one test drives it.
 */
public final class RabbitMqCluster extends ProcessCluster<RabbitMqProcess> {
  private RabbitMqCluster() {}

  /** Starts three nodes; see {@link #start(int)}. */
  public static RabbitMqCluster start() {
    return start(3);
  }

  /**
   * Starts {@code size} nodes, joined in one cluster, and returns once every one serves AMQP.
   *
   * @throws IllegalArgumentException if {@code size} is not 1 to 7
   * @throws IllegalStateException if a node does not start or join; the message says why
   */
  public static RabbitMqCluster start(int size) {
    if (size < 1 || size > 7) {
      throw new IllegalArgumentException("a RabbitMqCluster has 1 to 7 nodes, not " + size);
    }
    String cookie = RabbitMqProcess.newCookie();
    RabbitMqCluster cluster = new RabbitMqCluster();
    List<RabbitMqProcess> nodes = cluster.nodes;
    try {
      RabbitMqProcess first = RabbitMqProcess.builder().cookie(cookie).start();
      nodes.add(first);
      List<CompletableFuture<RabbitMqProcess>> joining = new ArrayList<>();
      for (int i = 1; i < size; i++) {
        joining.add(CompletableFuture.supplyAsync(() -> {
          RabbitMqProcess node = RabbitMqProcess.builder().cookie(cookie).start();
          try {
            node.rabbitmqctl("stop_app");
            node.rabbitmqctl("join_cluster", first.nodeName());
            node.rabbitmqctl("start_app");
            return node;
          } catch (RuntimeException e) {
            node.close();
            throw e;
          }
        }, Launch.threadPerTask("rabbitmq-cluster-start")));
      }
      RuntimeException failure = null;
      for (CompletableFuture<RabbitMqProcess> join : joining) {
        try {
          nodes.add(join.join());
        } catch (CompletionException e) {
          failure = e.getCause() instanceof RuntimeException cause ? cause : e;
        }
      }
      if (failure != null) {
        throw failure;
      }
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** Returns {@code amqp://guest:guest@127.0.0.1:PORT} of node 1, for the credentials. */
  public String uri() {
    return node(1).uri();
  }

  /**
   * Returns {@code host:port} of every node, comma-separated, for {@code
   * realtime.rabbitmq.addresses}.
   */
  public String addresses() {
    return nodes.stream().map(node -> node.host() + ":" + node.port())
        .collect(Collectors.joining(","));
  }

  /**
   * Returns the node that leads the quorum queue or stream {@code queue} of the default virtual
   * host now, as a running node reports it; empty while it has none, or for a queue of another
   * type.
   *
   * @throws IllegalStateException if no node runs, or the queue does not exist
   */
  public Optional<Integer> leaderOf(String queue) {
    Map<String, Optional<Integer>> leaders = leaders();
    if (!leaders.containsKey(queue)) {
      throw new IllegalStateException("no queue " + queue + " on " + this + " (it has "
          + leaders.keySet() + ")");
    }
    return leaders.get(queue);
  }

  /**
   * Returns every queue of the default virtual host with the node that leads it now (empty for
   * a classic queue, or one without a leader), as a running node reports it.
   *
   * @throws IllegalStateException if no node runs
   */
  public Map<String, Optional<Integer>> leaders() {
    RabbitMqProcess asked = anyRunning();
    String table = asked.rabbitmqctl("list_queues", "--quiet", "--no-table-headers", "name",
        "leader");
    Map<String, Optional<Integer>> leaders = new TreeMap<>();
    for (String line : table.lines().toList()) {
      String[] columns = line.split("\t");
      if (columns.length >= 1 && !columns[0].isBlank()) {
        String leader = columns.length >= 2 ? columns[1].trim() : "";
        Optional<Integer> id = Optional.empty();
        for (int i = 1; i <= nodes.size(); i++) {
          if (nodes.get(i - 1).nodeName().equals(leader)) {
            id = Optional.of(i);
          }
        }
        leaders.put(columns[0], id);
      }
    }
    return leaders;
  }

  /**
   * Returns how many AMQP connections each node holds now (node id to count, every node listed),
   * by the port each connection came in on.
   *
   * @throws IllegalStateException if no node runs
   */
  public Map<Integer, Integer> connectionsPerNode() {
    RabbitMqProcess asked = anyRunning();
    Map<Integer, Integer> counts = new TreeMap<>();
    nodeIds().forEach(id -> counts.put(id, 0));
    for (String line : asked.rabbitmqctl("list_connections", "--quiet", "--no-table-headers",
        "port").lines().toList()) {
      for (int id = 1; id <= nodes.size(); id++) {
        if (line.trim().equals(String.valueOf(nodes.get(id - 1).port()))) {
          counts.merge(id, 1, Integer::sum);
        }
      }
    }
    return counts;
  }

  /**
   * Starts node {@code id} again on its name, ports and data, if it is not running; it rejoins
   * the cluster. Returns once it serves AMQP.
   */
  public void startAgain(int id) {
    if (!node(id).isRunning()) {
      node(id).restart();
    }
  }

  /**
   * Starts every node that is not running, at once (a node that was not the last to stop waits
   * at boot for the others), and returns once each serves AMQP.
   */
  public void startAll() {
    startStopped();
  }

  @Override
  public String toString() {
    return "RabbitMqCluster{" + addresses() + "}";
  }
}
