package dev.realtime.testkit.process;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What the testkit's clusters of server processes share: nodes numbered from 1, killed and
 * started again one by one or all together, the whole lot killed and deleted on close. A
 * cluster adds how its nodes join and what it reports of them.
 */
abstract class ProcessCluster<N extends ServerProcess> implements AutoCloseable {
  final List<N> nodes = new ArrayList<>();
  private boolean closed;

  /** Returns the node ids, 1 to the cluster's size. */
  public List<Integer> nodeIds() {
    List<Integer> ids = new ArrayList<>();
    for (int id = 1; id <= nodes.size(); id++) {
      ids.add(id);
    }
    return ids;
  }

  /** Returns node {@code id}. */
  public N node(int id) {
    if (id < 1 || id > nodes.size()) {
      throw new IllegalArgumentException("no node " + id + " in " + this + ": nodes are 1 to "
          + nodes.size());
    }
    return nodes.get(id - 1);
  }

  /** Returns whether node {@code id}'s process is alive. */
  public boolean isRunning(int id) {
    return node(id).isRunning();
  }

  /** Kills node {@code id} with SIGKILL; returns once it is gone. */
  public void kill(int id) {
    node(id).kill();
  }

  /** Kills every node with SIGKILL: the whole cluster down at once, data kept. */
  public void killAll() {
    nodes.forEach(ServerProcess::kill);
  }

  /** Starts every node that is not running, at once, and returns once each answers. */
  void startStopped() {
    List<CompletableFuture<Void>> starts = new ArrayList<>();
    for (N node : nodes) {
      if (!node.isRunning()) {
        starts.add(CompletableFuture.runAsync(node::restart,
            Launch.threadPerTask(getClass().getSimpleName() + "-start")));
      }
    }
    try {
      CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException failure ? failure : e;
    }
  }

  /** A running node, to ask about the cluster. */
  N anyRunning() {
    return nodes.stream().filter(ServerProcess::isRunning).findFirst()
        .orElseThrow(() -> new IllegalStateException("no node of " + this + " runs"));
  }

  /** Kills every node and deletes every directory. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // Killed, not stopped: the data goes anyway, and a clean stop may wait for peers that are
    // gone (RabbitMQ's last nodes do).
    killAll();
    nodes.forEach(ServerProcess::close);
  }
}
