package dev.realtime.testkit.process;

import dev.realtime.testkit.env.Ports;
import dev.realtime.testkit.env.Probes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A RabbitMQ node of one's own, for a test that kills or restarts RabbitMQ or needs it configured
 * differently: never the machine's shared node, whose name, ports, files and Erlang cookie it
 * does not touch. Each node has a unique name ({@code rt-<random>@localhost}), AMQP and Erlang
 * distribution ports on {@code 127.0.0.1} free when it started, its database, logs,
 * configuration and cookie in a temporary directory of its own, no plugins (so no management
 * listener), and an absolute memory high watermark (512 MiB unless set), so that it does not
 * block publishers because the machine's other processes use memory. The user {@code guest}
 * (password {@code guest}) may connect from the loopback interface, as on every RabbitMQ.
 *
 * <pre>{@code
 * try (RabbitMqProcess rabbit = RabbitMqProcess.builder()
 *     .config("max_message_size = 1048576").start()) {
 *   config.set("realtime.rabbitmq.uri", rabbit.uri());
 *   rabbit.kill();     // kill -9 of the Erlang VM
 *   rabbit.restart();  // same name, ports and data: durable queues and their messages are back
 * }                    // stopped and its directory deleted
 * }</pre>
 *
 * <p>A start takes about 5 seconds on an idle machine and up to a minute on a loaded one (the
 * default start timeout is 90 seconds). It runs the scripts of the installed RabbitMQ directly
 * ({@code /usr/lib/rabbitmq/bin} on Debian, whose {@code /usr/sbin} wrappers switch user and
 * hide the output; else {@code rabbitmq-server} on the {@code PATH}); {@code epmd}, the Erlang
 * port mapper, is shared with the machine's nodes and started by the first node if none runs.
 *
 * <p>{@link #stop()} sends SIGTERM and SIGKILL 30 seconds later if the node has not exited.
 * {@link #close()} stops the node and deletes its directory; a JVM that exits without it does
 * the same from a shutdown hook. Not thread-safe: one test drives it.
 */
public final class RabbitMqProcess extends ServerProcess {
  /** A clean stop flushes queues to disk; more than this means it hangs. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  /** How long {@code rabbitmqctl} may take: it starts an Erlang VM of its own. */
  private static final Duration CTL_TIMEOUT = Duration.ofSeconds(60);
  private static final Path DEBIAN_SCRIPTS = Path.of("/usr/lib/rabbitmq/bin");
  private static final String INSTALL = "install RabbitMQ (Debian: apt-get install "
      + "rabbitmq-server) or give RabbitMQProcess.builder().scripts(\"/path/to/sbin\").";

  private final Path scripts;
  private final String nodeName;
  private int port;
  private int distributionPort;

  private RabbitMqProcess(Builder builder, Path scripts) {
    super(Launch.tempDirectory("realtime-rabbitmq-"), "rabbitmq-server.out",
        builder.startTimeout, STOP_GRACE);
    this.scripts = scripts;
    this.nodeName = "rt-" + HexFormat.of().formatHex(randomBytes(4)) + "@localhost";
    writeFiles(builder.memoryHighWatermark, builder.configLines, builder.cookie);
  }

  /** Starts a node with the defaults; see {@link Builder#start()}. */
  public static RabbitMqProcess start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Returns {@code 127.0.0.1}. */
  public String host() {
    return "127.0.0.1";
  }

  /** Returns the AMQP port, the same across {@link #restart()}. */
  public int port() {
    return port;
  }

  /**
   * Returns {@code amqp://guest:guest@127.0.0.1:PORT}, for {@code realtime.rabbitmq.uri}: no
   * path, which means the default virtual host {@code /} (a path {@code /} would mean the one
   * named by the empty string).
   */
  public String uri() {
    return "amqp://guest:guest@" + host() + ":" + port;
  }

  /** Returns the Erlang node name, such as {@code rt-1a2b3c4d@localhost}. */
  public String nodeName() {
    return nodeName;
  }

  /**
   * Returns the OS process id of the node's Erlang VM ({@code beam.smp}), the process that
   * {@link #kill()} kills; the launched process is a shell script that waits for it.
   *
   * @throws IllegalStateException if the node is not running
   */
  public long pid() {
    if (!isRunning()) {
      throw new IllegalStateException("RabbitMQ node " + nodeName + " is not running");
    }
    return beam().orElseThrow(() -> new IllegalStateException("RabbitMQ node " + nodeName
        + " runs but its Erlang VM was not found: no pid file and no beam process below "
        + process().pid())).pid();
  }

  /**
   * Kills the node's Erlang VM with SIGKILL, as a crash would; returns once it is gone. Durable
   * queues and persistent messages the node confirmed are kept for {@link #restart()}, except a
   * queue declared within the last moment: Mnesia logs declarations asynchronously, so call
   * {@code rabbitmqctl("eval", "mnesia:sync_log().")} first when a test needs it. Does nothing
   * if it is not running.
   */
  @Override
  public void kill() {
    if (!isRunning()) {
      return;
    }
    beam().ifPresent(vm -> Reaper.killTree(vm, STOP_GRACE));
    Reaper.killTree(process(), STOP_GRACE);
  }

  /**
   * Starts the node again with the same name, ports, configuration and data, stopping it first
   * if it runs, and returns once AMQP answers.
   *
   * @throws IllegalStateException if it does not answer within the start timeout, or exits
   *     (its log's last lines are in the message), or this was closed
   */
  @Override
  public RabbitMqProcess restart() {
    relaunch("RabbitMqProcess");
    return this;
  }

  /**
   * Runs {@code rabbitmqctl -n NODE ARGS...} against this node and returns what it printed,
   * such as {@code rabbitmqctl("list_queues", "name", "messages")}.
   *
   * @throws IllegalStateException if it exits non-zero or takes over a minute; the message holds
   *     its output
   */
  public String rabbitmqctl(String... args) {
    List<String> command = new ArrayList<>(List.of(scripts.resolve("rabbitmqctl").toString(),
        "-n", nodeName));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory().toFile());
    environment(builder.environment());
    return Launch.run(builder, CTL_TIMEOUT);
  }

  @Override
  public String toString() {
    return "RabbitMqProcess{" + nodeName + ", amqp://" + host() + ":" + port + ", "
        + directory() + "}";
  }

  @Override
  void choosePorts() {
    port = Ports.closedPort();
    distributionPort = Ports.closedPort();
  }

  @Override
  ProcessBuilder command() {
    ProcessBuilder builder = new ProcessBuilder(scripts.resolve("rabbitmq-server").toString());
    environment(builder.environment());
    builder.environment().put("RABBITMQ_NODE_IP_ADDRESS", host());
    builder.environment().put("RABBITMQ_NODE_PORT", String.valueOf(port));
    builder.environment().put("RABBITMQ_DIST_PORT", String.valueOf(distributionPort));
    return builder;
  }

  @Override
  void answer() throws IOException {
    Probes.amqpAnswers(host(), port);
  }

  @Override
  String what() {
    return "RabbitMQ node " + nodeName + " (AMQP port " + port + ")";
  }

  /**
   * The variables both the server and {@code rabbitmqctl} need: every file of the node in its
   * directory, and none of the machine's RabbitMQ or Erlang settings, which name the shared node.
   */
  private void environment(Map<String, String> env) {
    env.keySet().removeIf(name -> name.startsWith("RABBITMQ_") || name.startsWith("ERL_"));
    Path directory = directory();
    env.put("HOME", directory.resolve("home").toString());  // where Erlang finds the cookie
    env.put("RABBITMQ_NODENAME", nodeName);
    env.put("RABBITMQ_CONF_ENV_FILE", directory.resolve("rabbitmq-env.conf").toString());
    env.put("RABBITMQ_CONFIG_FILE", directory.resolve("rabbitmq.conf").toString());
    env.put("RABBITMQ_ADVANCED_CONFIG_FILE", directory.resolve("advanced.config").toString());
    env.put("RABBITMQ_ENABLED_PLUGINS_FILE", directory.resolve("enabled_plugins").toString());
    env.put("RABBITMQ_MNESIA_BASE", directory.resolve("mnesia").toString());
    env.put("RABBITMQ_LOG_BASE", directory.resolve("log").toString());
    env.put("RABBITMQ_PID_FILE", directory.resolve("rabbitmq.pid").toString());
    env.put("ERL_EPMD_ADDRESS", "127.0.0.1");
    // No scheduler busy-waiting: an idle node otherwise spins a core for a while after work,
    // and a cluster of three beside the tests on two cores would take them from the tests.
    env.put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}"
        + " +sbwt none +sbwtdcpu none +sbwtdio none");
  }

  private void writeFiles(String memoryHighWatermark, List<String> configLines,
      String sharedCookie) {
    Path directory = directory();
    try {
      Path home = Files.createDirectories(directory.resolve("home"));
      Path cookie = home.resolve(".erlang.cookie");
      Files.writeString(cookie, sharedCookie != null ? sharedCookie : newCookie());
      Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("r--------"));
      Files.writeString(directory.resolve("rabbitmq-env.conf"), "");
      Files.writeString(directory.resolve("enabled_plugins"), "[].\n");
      List<String> config = new ArrayList<>();
      config.add("vm_memory_high_watermark.absolute = " + memoryHighWatermark);
      config.addAll(configLines);
      Files.write(directory.resolve("rabbitmq.conf"), config, StandardCharsets.UTF_8);
    } catch (IOException e) {
      Reaper.deleteTree(directory);
      throw new UncheckedIOException("could not write the files of RabbitMQ node " + nodeName
          + " in " + directory, e);
    }
  }

  /** The Erlang VM: from the pid file it writes at boot, else the beam process below ours. */
  private Optional<ProcessHandle> beam() {
    try {
      String pid = Files.readString(directory().resolve("rabbitmq.pid")).trim();
      Optional<ProcessHandle> vm = ProcessHandle.of(Long.parseLong(pid))
          .filter(ProcessHandle::isAlive);
      if (vm.isPresent()) {
        return vm;
      }
    } catch (IOException | NumberFormatException noPidFile) {
      // Not written yet: look for it below the script.
    }
    return process().descendants()
        .filter(child -> child.info().command().orElse("").contains("beam"))
        .findFirst();
  }

  private static Path findScripts() {
    if (Files.isExecutable(DEBIAN_SCRIPTS.resolve("rabbitmq-server"))) {
      return DEBIAN_SCRIPTS;
    }
    try {
      return Launch.executable("rabbitmq-server", INSTALL).toRealPath().getParent();
    } catch (IOException e) {
      throw new UncheckedIOException("could not resolve rabbitmq-server", e);
    }
  }

  /** A random Erlang cookie: nodes with the same one may talk to each other (a cluster). */
  static String newCookie() {
    return HexFormat.of().withUpperCase().formatHex(randomBytes(20));
  }

  private static byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }

  /** What to start; {@link #start()} starts it. */
  public static final class Builder {
    private Path scripts;
    private final List<String> configLines = new ArrayList<>();
    private String memoryHighWatermark = "512MiB";
    private Duration startTimeout = Duration.ofSeconds(90);
    private String cookie;

    private Builder() {}

    /**
     * The node's Erlang cookie; a random one of its own unless set. Nodes that share one may
     * form a cluster ({@link RabbitMqCluster} sets it).
     */
    Builder cookie(String cookie) {
      this.cookie = Objects.requireNonNull(cookie, "cookie == null");
      return this;
    }

    /**
     * The directory of RabbitMQ's scripts ({@code rabbitmq-server}, {@code rabbitmqctl}); found
     * unless set.
     */
    public Builder scripts(Path scripts) {
      this.scripts = Objects.requireNonNull(scripts, "scripts == null");
      return this;
    }

    /**
     * Adds a line to the node's {@code rabbitmq.conf}, such as {@code max_message_size =
     * 1048576}.
     */
    public Builder config(String line) {
      Objects.requireNonNull(line, "line == null");
      if (line.contains("\n")) {
        throw new IllegalArgumentException("config line has a line break; give one line per "
            + "call: " + line);
      }
      configLines.add(line);
      return this;
    }

    /**
     * The memory above which the node blocks publishers, as {@code rabbitmq.conf}'s {@code
     * vm_memory_high_watermark.absolute} takes it, such as {@code 512MiB} (the default) or
     * {@code 1GB}.
     */
    public Builder memoryHighWatermark(String absolute) {
      Objects.requireNonNull(absolute, "absolute == null");
      if (!absolute.matches("\\d+([kKMG]i?B)?")) {
        throw new IllegalArgumentException("memoryHighWatermark " + absolute + " is not an "
            + "amount such as 512MiB or 1GB");
      }
      this.memoryHighWatermark = absolute;
      return this;
    }

    /** How long a start may take before it fails; 90 seconds unless set. */
    public Builder startTimeout(Duration startTimeout) {
      Objects.requireNonNull(startTimeout, "startTimeout == null");
      if (startTimeout.isNegative() || startTimeout.isZero()) {
        throw new IllegalArgumentException("startTimeout " + startTimeout + " is not positive");
      }
      this.startTimeout = startTimeout;
      return this;
    }

    /**
     * Starts the node and returns once AMQP answers.
     *
     * @throws IllegalStateException if RabbitMQ is not installed, or the node exits, or does not
     *     answer in time; the message holds the end of its output
     */
    public RabbitMqProcess start() {
      RabbitMqProcess rabbit = new RabbitMqProcess(this, scripts != null ? scripts
          : findScripts());
      rabbit.firstStart();
      return rabbit;
    }
  }
}
