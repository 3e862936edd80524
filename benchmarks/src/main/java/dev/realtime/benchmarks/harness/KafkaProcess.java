package dev.realtime.benchmarks.harness;

import dev.realtime.testkit.kafka.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The embedded Kafka broker in a JVM of its own, as Redis and RabbitMQ run in processes of
 * their own. In the harness's JVM the broker's threads, allocation and garbage collection would
 * be billed to whichever client runs beside it, and the CPU a client spends per message could
 * not be read; and JMH's forked benchmark JVMs can share this one broker.
 *
 * <p>The child prints its bootstrap address, then serves until its standard input ends: when
 * this process exits, however it exits, the pipe closes and the broker stops and removes its
 * files.
 */
public final class KafkaProcess implements AutoCloseable {
  private static final String READY = "bootstrap-servers=";

  private final Process process;
  private final String bootstrapServers;

  private KafkaProcess(Process process, String bootstrapServers) {
    this.process = process;
    this.bootstrapServers = bootstrapServers;
  }

  /** Starts the broker in a child JVM with this JVM's class path, and waits until it serves. */
  public static KafkaProcess start() {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder = new ProcessBuilder(List.of(java.toString(), "-Xmx1g",
        "-cp", System.getProperty("java.class.path"), KafkaProcess.class.getName()))
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    Process process = null;
    try {
      process = builder.start();
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8));
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith(READY)) {
          return new KafkaProcess(process, line.substring(READY.length()));
        }
      }
      process.destroyForcibly();
      throw new IllegalStateException("the Kafka broker process exited with "
          + process.waitFor() + " before it served");
    } catch (IOException e) {
      if (process != null) {
        process.destroyForcibly();
      }
      throw new IllegalStateException("could not start the Kafka broker process: " + e, e);
    } catch (InterruptedException e) {
      if (process != null) {
        process.destroyForcibly();
      }
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the Kafka broker started", e);
    }
  }

  /** Where the child's broker listens, {@code 127.0.0.1:PORT}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Ends the child's input, so that it stops its broker, and waits for it. */
  @Override
  public void close() {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      if (process != null) {
        process.destroyForcibly();
      }
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The child: starts a broker, says where, serves until standard input ends. Exits in every
   * case, so that the broker's non-daemon threads never keep it (or the parent waiting on its
   * output) alive.
   */
  public static void main(String[] args) {
    int status = 0;
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      System.out.println(READY + kafka.bootstrapServers());
      System.out.flush();
      System.setOut(System.err); // Nobody reads this pipe any more: a full one would block.
      while (System.in.read() >= 0) {
        // Nothing is sent; the end of the input is the signal to stop.
      }
    } catch (Throwable e) { // Whatever it is, the parent sees the exit instead of a hang.
      e.printStackTrace();
      status = 1;
    }
    System.exit(status);
  }
}
