package dev.realtime.testkit.process;

import dev.realtime.testkit.env.Ports;
import dev.realtime.testkit.env.Probes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@code redis-server} of one's own, for a test that kills or restarts Redis or needs it
 * configured differently: never the machine's shared Redis. It listens on {@code 127.0.0.1} at a
 * port free when it started, keeps its files in a temporary directory of its own, and answers
 * {@code PING} when {@link #start()} returns.
 *
 * <p>By default nothing is saved ({@code --save "" --appendonly no}); pass {@code
 * args("--appendonly", "yes")} for data that survives {@link #kill()} and {@link #restart()}.
 * Later arguments win, so {@link Builder#args} can override any default.
 *
 * <pre>{@code
 * try (RedisProcess redis = RedisProcess.builder().args("--proto-max-bulk-len", "1mb").start()) {
 *   config.set("realtime.redis.uri", redis.uri());
 *   redis.kill();     // kill -9
 *   redis.restart();  // same port, same directory
 * }                   // stopped and its directory deleted
 * }</pre>
 *
 * <p>{@link #stop()} sends SIGTERM and SIGKILL 10 seconds later if Redis has not exited. {@link
 * #close()} stops the server and deletes its directory (its data and {@code redis.log}); a JVM
 * that exits without it does the same from a shutdown hook. Not thread-safe: one test drives it.
 */
public final class RedisProcess extends ServerProcess {
  /** How long SIGTERM may take (Redis writes its append-only file) before SIGKILL. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final String INSTALL = "install Redis (Debian: apt-get install redis-server) "
      + "or give RedisProcess.builder().executable(\"/path/to/redis-server\").";

  /** How long a {@code redis-cli} call may take. */
  private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);

  private final Path executable;
  private final List<String> args;
  private final boolean clusterNode;
  /** A sentinel's first lines: the primary it watches; null for a server. */
  private final @org.jspecify.annotations.Nullable String sentinelOf;
  private int port;
  private int clusterPort;

  private RedisProcess(Builder builder, Path executable) {
    super(Launch.tempDirectory("realtime-redis-"), "redis.log", builder.startTimeout,
        STOP_GRACE);
    this.executable = executable;
    this.args = List.copyOf(builder.args);
    this.clusterNode = builder.clusterNode;
    this.sentinelOf = builder.sentinelOf;
  }

  /** Starts a Redis with the defaults; see {@link Builder#start()}. */
  public static RedisProcess start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Returns {@code 127.0.0.1}. */
  public String host() {
    return "127.0.0.1";
  }

  /** Returns the port, the same across {@link #restart()}. */
  public int port() {
    return port;
  }

  /** Returns {@code redis://127.0.0.1:PORT}, for {@code realtime.redis.uri}. */
  public String uri() {
    return "redis://" + host() + ":" + port;
  }

  /**
   * Runs {@code redis-cli -h 127.0.0.1 -p PORT ARGS...} (the {@code redis-cli} beside the
   * server) and returns what it printed, such as {@code cli("cluster", "info")}.
   *
   * @throws IllegalStateException if it exits non-zero or takes over a minute; the message holds
   *     its output
   */
  public String cli(String... args) {
    List<String> command = new ArrayList<>(List.of(cliExecutable(), "-h", host(), "-p",
        String.valueOf(port)));
    command.addAll(List.of(args));
    return Launch.run(new ProcessBuilder(command).directory(directory().toFile()), CLI_TIMEOUT);
  }

  /**
   * Waits until every replica of this primary has acknowledged what the primary has written so
   * far, so that a write made before this call survives the primary's death. {@code WAIT} cannot
   * do it here: it counts acknowledgements of its own connection's writes, and each {@link #cli}
   * call is a connection of its own.
   *
   * @throws IllegalStateException if a replica is still behind after 10 seconds
   */
  public void awaitReplicated() {
    long written = number(cli("info", "replication"), "master_repl_offset:");
    Launch.awaitSettled(this + "'s replicas", Duration.ofSeconds(10), () -> {
      String replication = cli("info", "replication");
      for (int at = replication.indexOf(",offset="); at >= 0;
          at = replication.indexOf(",offset=", at + 1)) {
        if (number(replication.substring(at), ",offset=") < written) {
          return "a replica has acknowledged less than offset " + written + ": " + replication;
        }
      }
      return null;
    });
  }

  /** The number after the first {@code label} in {@code text}. */
  private static long number(String text, String label) {
    int start = text.indexOf(label) + label.length();
    int end = start;
    while (end < text.length() && Character.isDigit(text.charAt(end))) {
      end++;
    }
    return Long.parseLong(text.substring(start, end));
  }

  /** {@code redis-cli} next to the server's binary, else on the {@code PATH}. */
  String cliExecutable() {
    Path beside = executable.resolveSibling("redis-cli");
    return java.nio.file.Files.isExecutable(beside) ? beside.toString() : "redis-cli";
  }

  /** Returns the OS process id of the running server. */
  public long pid() {
    return running().pid();
  }

  /**
   * Kills the server with SIGKILL, as a crash would: no save, connections reset. Returns once it
   * is gone. Does nothing if it is not running.
   */
  @Override
  public void kill() {
    if (isRunning()) {
      Reaper.killTree(process(), STOP_GRACE);
    }
  }

  /**
   * Starts the server again on the same port with the same directory and arguments, stopping it
   * first if it runs, and returns once it answers {@code PING}.
   *
   * @throws IllegalStateException if it does not answer within the start timeout, or exits
   *     (its log's last lines are in the message), or this was closed
   */
  @Override
  public RedisProcess restart() {
    relaunch("RedisProcess");
    return this;
  }

  @Override
  public String toString() {
    return "RedisProcess{" + uri() + ", " + directory() + (isRunning() ? ", pid " + pid() : "")
        + "}";
  }

  @Override
  void choosePorts() {
    port = Ports.closedPort();
    if (clusterNode) {
      clusterPort = Ports.closedPort();
    }
  }

  @Override
  ProcessBuilder command() {
    List<String> command = new ArrayList<>(List.of(executable.toString()));
    if (sentinelOf != null) {
      // Sentinel keeps its state in its configuration file, which it rewrites: written once, so
      // that a restart finds what it learnt (the current primary, the other sentinels).
      Path config = directory().resolve("sentinel.conf");
      if (!java.nio.file.Files.exists(config)) {
        try {
          java.nio.file.Files.writeString(config, sentinelOf);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException("could not write " + config, e);
        }
      }
      command.addAll(List.of(config.toString(), "--sentinel"));
    }
    command.addAll(List.of(
        "--port", String.valueOf(port), "--bind", "127.0.0.1", "--dir", directory().toString(),
        "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", ""));
    if (clusterNode) {
      command.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
          "--cluster-port", String.valueOf(clusterPort), "--cluster-node-timeout", "2000",
          "--appendonly", "yes"));
    }
    command.addAll(args);
    return new ProcessBuilder(command);
  }

  @Override
  void answer() throws IOException {
    Probes.redisAnswers(host(), port);
  }

  @Override
  String what() {
    return "redis-server on port " + port;
  }

  private Process running() {
    if (!isRunning()) {
      throw new IllegalStateException("redis-server on port " + port + " is not running");
    }
    return process();
  }

  /** What to start; {@link #start()} starts it. */
  public static final class Builder {
    private String executable = "redis-server";
    private final List<String> args = new ArrayList<>();
    private Duration startTimeout = Duration.ofSeconds(20);
    private boolean clusterNode;
    private @org.jspecify.annotations.Nullable String sentinelOf;

    private Builder() {}

    /**
     * Makes it a Sentinel watching the primary {@code name} at {@code host:port}, which {@code
     * quorum} sentinels must agree is down; it declares a primary down after 2 seconds without
     * an answer. {@link RedisSentinel} starts three.
     */
    public Builder sentinelOf(String name, String host, int port, int quorum) {
      this.sentinelOf = "sentinel monitor " + name + " " + host + " " + port + " " + quorum
          + "\nsentinel down-after-milliseconds " + name + " 2000\n"
          + "sentinel failover-timeout " + name + " 10000\n";
      return this;
    }

    /**
     * Makes it a Redis Cluster node: {@code cluster-enabled}, its layout in {@code nodes.conf}
     * and its data in an append-only file in its directory (both survive {@link #kill()}), a
     * cluster bus port of its own, and a node timeout of 2 seconds, so that a replica takes a
     * dead primary's place within a few seconds. {@link RedisCluster} joins such nodes.
     */
    public Builder clusterNode() {
      this.clusterNode = true;
      return this;
    }

    /** The server binary: a path, or a name looked up on the {@code PATH}. */
    public Builder executable(String executable) {
      this.executable = Objects.requireNonNull(executable, "executable == null");
      return this;
    }

    /**
     * Adds command-line arguments after the defaults, such as {@code "--proto-max-bulk-len",
     * "1mb"}; each option and each value is its own argument.
     */
    public Builder args(String... args) {
      for (String arg : args) {
        this.args.add(Objects.requireNonNull(arg, "args contains null"));
      }
      return this;
    }

    /** How long a start may take before it fails; 20 seconds unless set. */
    public Builder startTimeout(Duration startTimeout) {
      Objects.requireNonNull(startTimeout, "startTimeout == null");
      if (startTimeout.isNegative() || startTimeout.isZero()) {
        throw new IllegalArgumentException("startTimeout " + startTimeout + " is not positive");
      }
      this.startTimeout = startTimeout;
      return this;
    }

    /**
     * Starts the server and returns once it answers {@code PING}.
     *
     * @throws IllegalStateException if {@code redis-server} is missing, or exits, or does not
     *     answer in time; the message holds the end of its log
     */
    public RedisProcess start() {
      RedisProcess redis = new RedisProcess(this, Launch.executable(executable, INSTALL));
      redis.firstStart();
      return redis;
    }
  }
}
