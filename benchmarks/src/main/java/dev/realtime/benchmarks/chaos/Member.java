package dev.realtime.benchmarks.chaos;

import dev.realtime.Broker;
import dev.realtime.BrokerUnavailableException;
import dev.realtime.Brokers;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.SubscriptionSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A group member in a JVM of its own, so that kill -9 and SIGTERM are real: the child subscribes
 * to one channel in one group, prints the id of each message its handler gets, and on SIGTERM
 * closes the broker (the SDK's clean stop), prints how many messages it handled and exits. The
 * parent follows those lines as they come and stamps them with its own clock.
 */
final class Member implements AutoCloseable {
  private static final String READY = "ready";
  private static final String MESSAGE = "m ";
  private static final String HANDLED = "handled ";

  private final String name;
  private final Process process;
  private final Path output;
  private final Ledger ledger;
  private final Thread reader;
  private final CountDownLatch ready = new CountDownLatch(1);
  private volatile int handledAtExit = -1;

  private Member(String name, Process process, Path output, Ledger ledger) {
    this.name = name;
    this.process = process;
    this.output = output;
    this.ledger = ledger;
    this.reader = new Thread(this::read, "chaos-member-" + name);
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /**
   * Starts a member with {@code config} (the realtime settings); {@link #awaitReady()} waits
   * until it has subscribed. Its handler takes {@code handlerMillis} per message, so that a
   * backlog lasts.
   */
  static Member start(String name, List<String> jvmOptions, Map<String, String> config,
      String channel, String group, int handlerMillis, Ledger ledger) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx256m"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        Member.class.getName(), channel, group, String.valueOf(handlerMillis)));
    config.forEach((key, value) -> command.add(key + "=" + value));
    Process process;
    Path output;
    try {
      // A file, not a pipe: the JDK closes a child's pipe when the child exits and a reader
      // blocked on it loses the last lines ("Stream closed"), the very lines a stop writes.
      output = Files.createTempFile("chaos-member-" + name + "-", ".out");
      process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
          .redirectOutput(output.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start a member JVM", e);
    }
    return new Member(name, process, output, ledger);
  }

  /** Returns once the member has subscribed. */
  Member awaitReady() {
    try {
      if (!ready.await(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("member " + name + " did not subscribe within 120 s");
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    if (!process.isAlive()) {
      throw new IllegalStateException("member " + name + " exited with " + process.exitValue()
          + " before it subscribed");
    }
    return this;
  }

  String name() {
    return name;
  }

  /** How many messages the member's handler took, as it said on a clean exit; -1 if not. */
  int handledAtExit() {
    return handledAtExit;
  }

  /** SIGKILL; returns once the process is gone and every line it wrote is counted. */
  void kill() {
    process.destroyForcibly();
    awaitExit(30);
  }

  /**
   * SIGTERM, the clean stop; returns how long the process took to exit, in milliseconds, or -1
   * if it had not within {@code limitSeconds} (it is then killed).
   */
  long terminate(int limitSeconds) {
    long start = System.nanoTime();
    process.destroy();
    if (!awaitExit(limitSeconds)) {
      process.destroyForcibly();
      awaitExit(30);
      return -1;
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  private boolean awaitExit(int seconds) {
    try {
      boolean exited = process.waitFor(seconds, TimeUnit.SECONDS);
      if (exited) {
        reader.join(10_000);
      }
      return exited;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      awaitExit(30);
    }
  }

  /** Follows the member's output file line by line until the member has exited. */
  private void read() {
    try (InputStream in = Files.newInputStream(output)) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      while (true) {
        boolean exited = !process.isAlive();  // before reading: what it wrote is there now
        int read = in.read(buffer);
        if (read > 0) {
          for (int i = 0; i < read; i++) {
            if (buffer[i] == '\n') {
              line(line.toString(StandardCharsets.UTF_8));
              line.reset();
            } else {
              line.write(buffer[i]);
            }
          }
        } else if (exited) {
          return;
        } else {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));  // polling a file
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + output, e);
    } finally {
      ready.countDown();
      try {
        Files.deleteIfExists(output);
      } catch (IOException ignored) {
        // A temporary file; the OS cleans its temporary directory.
      }
    }
  }

  private void line(String line) {
    if (line.startsWith(MESSAGE)) {
      ledger.received(name, line.substring(MESSAGE.length()));
    } else if (line.startsWith(HANDLED)) {
      handledAtExit = Integer.parseInt(line.substring(HANDLED.length()));
    } else if (line.equals(READY)) {
      ready.countDown();
    }
  }

  /**
   * Opens the broker, trying again for a minute: on a loaded machine a member's first connect
   * can outlast the adapter's connect timeout, and the campaign measures faults, not that.
   */
  private static Broker open(RealtimeConfig config) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (true) {
      try {
        return Brokers.open(config);
      } catch (BrokerUnavailableException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  /** The child: {@code CHANNEL GROUP HANDLER_MILLIS key=value...}. */
  public static void main(String[] args) throws Exception {
    String channel = args[0];
    String group = args[1];
    long handlerMillis = Long.parseLong(args[2]);
    Map<String, String> settings = new HashMap<>();
    for (int i = 3; i < args.length; i++) {
      int equals = args[i].indexOf('=');
      settings.put(args[i].substring(0, equals), args[i].substring(equals + 1));
    }
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out),
        true, StandardCharsets.UTF_8);
    Broker broker = open(RealtimeConfig.of(settings));
    CountDownLatch closed = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger handled = new java.util.concurrent.atomic.AtomicInteger();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      broker.close();  // the clean stop: running handlers finish and are acknowledged
      synchronized (out) {
        out.println(HANDLED + handled.get());
      }
      closed.countDown();
    }, "chaos-member-stop"));
    broker.subscribe(SubscriptionSpec.builder().channels(channel)
        .group(group).start(StartPosition.earliest()).build(), message -> {
          synchronized (out) {
            out.println(MESSAGE + message.id());
          }
          handled.incrementAndGet();
          if (handlerMillis > 0) {
            Thread.sleep(handlerMillis);  // work that takes time, so that the backlog lasts
          }
        });
    out.println(READY);
    closed.await();  // until SIGTERM; the hook's exit ends this JVM
  }
}
