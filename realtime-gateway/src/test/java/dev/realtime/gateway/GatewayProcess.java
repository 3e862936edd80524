package dev.realtime.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link GatewayNodeMain} in a child JVM, on this JVM's classpath, that a test can kill with
 * -9 ({@link Process#destroyForcibly()} sends SIGKILL on Linux).
 */
final class GatewayProcess implements AutoCloseable {
  private final Process process;
  private final int port;

  private GatewayProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts a node with {@code settings} as system properties; returns once it listens. */
  static GatewayProcess start(Map<String, String> settings) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Xmx256m");
    settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(GatewayNodeMain.class.getName());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    StringBuilder output = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) {
          synchronized (output) {
            output.append(line).append('\n');
          }
          if (line.startsWith("port ")) {
            port.complete(Integer.parseInt(line.substring("port ".length()).trim()));
          }
        }
      } catch (IOException e) {
        port.completeExceptionally(new UncheckedIOException(e));
      }
      port.completeExceptionally(new AssertionError("The gateway process ended before it"
          + " listened:\n" + output));
    }, "gateway-process-output");
    reader.setDaemon(true);
    reader.start();
    try {
      return new GatewayProcess(process, port.get(60, TimeUnit.SECONDS));
    } catch (Exception e) {
      process.destroyForcibly().waitFor();
      throw e;
    }
  }

  int port() {
    return port;
  }

  /** Kills the node with SIGKILL: no goodbye, no cleanup. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
