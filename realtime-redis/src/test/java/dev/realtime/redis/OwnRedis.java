package dev.realtime.redis;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of the test's own, for what the shared one must not be put through: another
 * configuration (a lower proto-max-bulk-len, a renamed command) or being killed. On a free port,
 * with no persistence, in a temporary directory; stopped by its PID.
 */
final class OwnRedis implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final List<String> settings;
  private Process process;

  /** Starts redis-server with extra {@code settings}, such as {@code --proto-max-bulk-len 1mb}. */
  OwnRedis(String... settings) {
    try {
      this.dir = Files.createTempDirectory("realtime-own-redis");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.port = freePort();
    this.settings = List.of(settings);
    start();
  }

  /** Starts it (again, on the same port, empty). */
  void start() {
    List<String> command = new ArrayList<>(List.of("redis-server", "--port",
        String.valueOf(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--dir", dir.toString()));
    command.addAll(settings);
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis.log").toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start redis-server (is it installed?)", e);
    }
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
        .until(this::accepts);
  }

  /** Kills it with -9, as a crash. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  private boolean accepts() {
    if (!process.isAlive()) {
      throw new IllegalStateException("redis-server exited: see " + dir.resolve("redis.log"));
    }
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    kill();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temporary directory left behind is harmless.
    }
  }
}
