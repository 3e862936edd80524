package dev.realtime.testkit.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * A Redis primary with one replica, watched by three Sentinels that promote the replica when
 * the primary dies, all on this machine: {@link RedisProcess}es of their own (ports,
 * directories, append-only files for the two servers), so that a test can kill the primary
 * with -9 and see the failover.
 *
 * <pre>{@code
 * try (RedisSentinel redis = RedisSentinel.start()) {  // a few seconds
 *   config.set("realtime.redis.uri", redis.uri());     // redis-sentinel://...#realtime
 *   int primary = redis.primary().orElseThrow();       // 1 at first
 *   redis.kill(primary);                               // kill -9
 *   redis.awaitPrimaryOtherThan(primary);              // the sentinels promoted the replica
 *   redis.startAgain(primary);                         // it returns as a replica
 * }
 * }</pre>
 *
 * <p>Servers are numbered 1 (the first primary) and 2; the sentinels declare a primary down
 * after 2 seconds without an answer, two of the three agreeing. Not thread-safe: one test
 * drives it.
 */
public final class RedisSentinel implements AutoCloseable {
  /** The name the sentinels know the primary by: the URI's {@code #realtime}. */
  public static final String PRIMARY_NAME = "realtime";
  private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(60);

  private final List<RedisProcess> servers = new ArrayList<>();
  private final List<RedisProcess> sentinels = new ArrayList<>();
  private boolean closed;

  private RedisSentinel() {}

  /**
   * Starts the primary, its replica and three sentinels, and returns once the replica has
   * synced and every sentinel knows the replica and the other sentinels.
   *
   * @throws IllegalStateException if a process does not start, or the setup does not settle
   *     within a minute; the message says what was missing
   */
  public static RedisSentinel start() {
    RedisSentinel redis = new RedisSentinel();
    try {
      RedisProcess primary = RedisProcess.builder().args("--appendonly", "yes").start();
      redis.servers.add(primary);
      RedisProcess replica = RedisProcess.builder().args("--appendonly", "yes", "--replicaof",
          primary.host(), String.valueOf(primary.port())).start();
      redis.servers.add(replica);
      Launch.startAll("redis-sentinel-start", 3, () -> RedisProcess.builder()
          .sentinelOf(PRIMARY_NAME, primary.host(), primary.port(), 2).start(), redis.sentinels);
      redis.await("the replica synced and every sentinel knows it and the others", () ->
          replica.cli("info", "replication").contains("master_link_status:up")
              && redis.sentinels.stream().allMatch(sentinel -> {
                String state = sentinel.cli("sentinel", "master", PRIMARY_NAME);
                return field(state, "num-slaves").equals("1")
                    && field(state, "num-other-sentinels").equals("2");
              }));
      return redis;
    } catch (RuntimeException e) {
      redis.close();
      throw e;
    }
  }

  /** The value after {@code name} in a redis-cli reply of one field name, one value per line. */
  private static String field(String reply, String name) {
    List<String> lines = reply.lines().map(String::trim).toList();
    int at = lines.indexOf(name);
    return at >= 0 && at + 1 < lines.size() ? lines.get(at + 1) : "";
  }

  /**
   * Returns {@code redis-sentinel://127.0.0.1:S1,127.0.0.1:S2,127.0.0.1:S3#realtime}, for
   * {@code realtime.redis.uri}.
   */
  public String uri() {
    return "redis-sentinel://" + sentinels.stream()
        .map(sentinel -> sentinel.host() + ":" + sentinel.port())
        .collect(Collectors.joining(",")) + "#" + PRIMARY_NAME;
  }

  /** Returns server {@code id}: 1, the first primary, or 2, its first replica. */
  public RedisProcess server(int id) {
    if (id < 1 || id > servers.size()) {
      throw new IllegalArgumentException("no server " + id + " in " + this + ": servers are 1 "
          + "and 2");
    }
    return servers.get(id - 1);
  }

  /** Returns the sentinels, for {@code cli("sentinel", ...)}. */
  public List<RedisProcess> sentinels() {
    return List.copyOf(sentinels);
  }

  /**
   * Returns the server a running sentinel names as the primary now; empty if it names none of
   * the two.
   *
   * @throws IllegalStateException if no sentinel runs
   */
  public OptionalInt primary() {
    RedisProcess asked = sentinels.stream().filter(RedisProcess::isRunning).findFirst()
        .orElseThrow(() -> new IllegalStateException("no sentinel of " + this + " runs"));
    List<String> address = asked.cli("sentinel", "get-master-addr-by-name", PRIMARY_NAME)
        .lines().map(String::trim).toList();
    for (int id = 1; id <= servers.size(); id++) {
      if (address.size() >= 2 && address.get(1).equals(String.valueOf(server(id).port()))) {
        return OptionalInt.of(id);
      }
    }
    return OptionalInt.empty();
  }

  /**
   * Waits until the sentinels name another primary than {@code id} and it has the role.
   *
   * @throws IllegalStateException if that takes over a minute
   */
  public void awaitPrimaryOtherThan(int id) {
    await("a primary other than server " + id, () -> {
      OptionalInt now = primary();
      return now.isPresent() && now.getAsInt() != id
          && server(now.getAsInt()).cli("role").startsWith("master");
    });
  }

  /** Returns whether server {@code id} is alive. */
  public boolean isRunning(int id) {
    return server(id).isRunning();
  }

  /** Kills server {@code id} with SIGKILL; returns once it is gone. */
  public void kill(int id) {
    server(id).kill();
  }

  /**
   * Starts server {@code id} again on its port and data, if it is not running, and returns once
   * it is a replica of the current primary with its link up (the sentinels turn a returning old
   * primary into one).
   */
  public void startAgain(int id) {
    if (!server(id).isRunning()) {
      server(id).restart();
    }
    await("server " + id + " a replica with its link up", () -> {
      String replication = server(id).cli("info", "replication");
      return replication.contains("role:slave")
          && replication.contains("master_link_status:up");
    });
  }

  private void await(String what, java.util.function.BooleanSupplier condition) {
    Launch.awaitSettled(toString(), FAILOVER_TIMEOUT, () -> {
      try {
        return condition.getAsBoolean() ? null : "no " + what + " yet";
      } catch (IllegalStateException e) {
        return e.getMessage(); // A process not answering yet: asked again.
      }
    });
  }

  /** Kills every process and deletes every directory. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    sentinels.forEach(RedisProcess::close);
    servers.forEach(RedisProcess::close);
  }

  @Override
  public String toString() {
    return "RedisSentinel{" + uri() + ", servers " + servers.stream()
        .map(server -> String.valueOf(server.port())).collect(Collectors.joining(",")) + "}";
  }
}
