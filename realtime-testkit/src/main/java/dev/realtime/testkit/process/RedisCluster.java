package dev.realtime.testkit.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster on this machine: primaries and their replicas, each a {@link
 * RedisProcess} cluster node of its own (ports, cluster bus port, directory with its append-only
 * file and {@code nodes.conf}), so that a test can kill one with -9 as a node dies in production,
 * see its replica take over, and start it again.
 *
 * <pre>{@code
 * try (RedisCluster redis = RedisCluster.start()) {  // 3 primaries, 3 replicas, a few seconds
 *   config.set("realtime.redis.uri", redis.uri());   // redis://127.0.0.1:P1,...,127.0.0.1:P6
 *   int primary = redis.primaryOf("realtime:orders").orElseThrow();
 *   redis.kill(primary);         // kill -9; its replica is promoted within a few seconds
 *   redis.awaitHealthy();        // every slot served again
 *   redis.startAgain(primary);   // same ports and data; it rejoins, as a replica now
 * }
 * }</pre>
 *
 * <p>The nodes start at once and are joined by {@code redis-cli --cluster create}; the first
 * {@code primaries} nodes get the slots. Nodes are numbered from 1. A node times out after 2
 * seconds ({@code cluster-node-timeout}). Not thread-safe: one test drives it.
 */
public final class RedisCluster extends ProcessCluster<RedisProcess> {
  /** How long the cluster may take to serve every slot, after a start or a failover. */
  private static final Duration HEALTHY_TIMEOUT = Duration.ofSeconds(60);
  private static final int SLOTS = 16384;

  private RedisCluster() {}

  /** Starts three primaries with a replica each; see {@link #start(int, int)}. */
  public static RedisCluster start() {
    return start(3, 1);
  }

  /**
   * Starts {@code primaries} primaries with {@code replicas} replicas each, joined in one
   * cluster, and returns once every slot is served and every replica has synced.
   *
   * @throws IllegalArgumentException if {@code primaries} is not 3 to 7 (Redis wants 3 at
   *     least) or {@code replicas} not 0 to 2
   * @throws IllegalStateException if a node does not start or the cluster does not form; the
   *     message says why
   */
  public static RedisCluster start(int primaries, int replicas) {
    if (primaries < 3 || primaries > 7) {
      throw new IllegalArgumentException("a RedisCluster has 3 to 7 primaries, not " + primaries);
    }
    if (replicas < 0 || replicas > 2) {
      throw new IllegalArgumentException("a RedisCluster has 0 to 2 replicas per primary, not "
          + replicas);
    }
    RedisCluster cluster = new RedisCluster();
    List<RedisProcess> nodes = cluster.nodes;
    try {
      Launch.startAll("redis-cluster-start", primaries * (1 + replicas),
          () -> RedisProcess.builder().clusterNode().start(), nodes);
      List<String> create = new ArrayList<>(List.of("--cluster", "create"));
      nodes.forEach(node -> create.add(node.host() + ":" + node.port()));
      create.addAll(List.of("--cluster-replicas", String.valueOf(replicas), "--cluster-yes"));
      nodes.get(0).cli(create.toArray(String[]::new));
      cluster.awaitHealthy();
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * Returns {@code redis://127.0.0.1:P1,...} with every node, for {@code realtime.redis.uri}:
   * the adapter's seeds.
   */
  public String uri() {
    return "redis://" + nodes.stream().map(node -> node.host() + ":" + node.port())
        .collect(Collectors.joining(","));
  }

  /**
   * Returns the node that serves {@code key}'s hash slot now, as a running node sees the
   * cluster; empty while no live primary has it (after a kill, before the failover).
   *
   * @throws IllegalStateException if no node runs
   */
  public OptionalInt primaryOf(String key) {
    RedisProcess asked = anyRunning();
    int slot = Integer.parseInt(asked.cli("cluster", "keyslot", key).trim());
    Integer primary = primariesBySlot(asked).get(slot);
    return primary == null ? OptionalInt.empty() : OptionalInt.of(primary);
  }

  /**
   * Returns the live primaries, each with how many slots it serves, as a running node sees the
   * cluster.
   *
   * @throws IllegalStateException if no node runs
   */
  public Map<Integer, Integer> primaries() {
    Map<Integer, Integer> counts = new TreeMap<>();
    primariesBySlot(anyRunning()).values().forEach(id -> counts.merge(id, 1, Integer::sum));
    return counts;
  }

  /** Slot to node id, for the slots a live primary serves, read from CLUSTER NODES. */
  private Map<Integer, Integer> primariesBySlot(RedisProcess asked) {
    Map<Integer, Integer> bySlot = new TreeMap<>();
    for (String line : asked.cli("cluster", "nodes").lines().toList()) {
      // <id> <ip:port@cport> <flags> <primary> <ping> <pong> <epoch> <link> <slot>...
      String[] fields = line.trim().split(" ");
      if (fields.length < 9 || !fields[2].contains("master") || fields[2].contains("fail")) {
        continue;
      }
      int id = idOfAddress(fields[1]);
      if (id < 0) {
        continue;
      }
      for (int i = 8; i < fields.length; i++) {
        if (fields[i].startsWith("[")) {
          continue; // A slot being migrated: not this node's alone.
        }
        String[] range = fields[i].split("-");
        int from = Integer.parseInt(range[0]);
        int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
        for (int slot = from; slot <= to; slot++) {
          bySlot.put(slot, id);
        }
      }
    }
    return bySlot;
  }

  /** The id of the node at {@code ip:port@cport}, or -1. */
  private int idOfAddress(String address) {
    String hostPort = address.split("@")[0];
    for (int id = 1; id <= nodes.size(); id++) {
      RedisProcess node = nodes.get(id - 1);
      if (hostPort.equals(node.host() + ":" + node.port())) {
        return id;
      }
    }
    return -1;
  }

  /**
   * Waits until every running node reports {@code cluster_state:ok}, live primaries serve all
   * slots, and every running replica's link to its primary is up.
   *
   * @throws IllegalStateException if that takes over a minute; the message says what was missing
   */
  public void awaitHealthy() {
    Launch.awaitSettled(toString(), HEALTHY_TIMEOUT, this::unhealthy);
  }

  /** What is not healthy yet, or null. */
  private String unhealthy() {
    try {
      for (int id = 1; id <= nodes.size(); id++) {
        RedisProcess node = nodes.get(id - 1);
        if (!node.isRunning()) {
          continue;
        }
        if (!node.cli("cluster", "info").contains("cluster_state:ok")) {
          return "node " + id + " does not report cluster_state:ok";
        }
        String replication = node.cli("info", "replication");
        if (replication.contains("role:slave")
            && !replication.contains("master_link_status:up")) {
          return "replica node " + id + " is not linked to its primary";
        }
        int served = primariesBySlot(node).size();
        if (served != SLOTS) {
          return "node " + id + " sees " + served + " of " + SLOTS
              + " slots served by a live primary";
        }
      }
      return null;
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
  }

  /**
   * Starts node {@code id} again on its ports and data, if it is not running; it rejoins the
   * cluster (a primary that lost its place comes back as a replica). Returns once the cluster is
   * healthy.
   */
  public void startAgain(int id) {
    if (!node(id).isRunning()) {
      node(id).restart();
    }
    awaitHealthy();
  }

  /** Starts every node that is not running, at once, and returns once the cluster is healthy. */
  public void startAll() {
    startStopped();
    awaitHealthy();
  }

  @Override
  public String toString() {
    return "RedisCluster{" + uri() + "}";
  }
}
