package dev.realtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the distribution's real launcher, {@code target/realtime/bin/realtime}, as a child
 * process, the way a user does: its own JVM, settings through environment variables, output on
 * stdout and stderr (captured in files, so that a large output never blocks the child).
 */
final class Launcher {
  /** Variables of the test's own environment that would leak settings into the child. */
  private static final List<String> FOREIGN = List.of("REALTIME_", "KAFKA_", "REDIS_URL",
      "RABBITMQ_URL", "JAVA_OPTS");
  /**
   * JVM options for every child, through the launcher's own JAVA_OPTS: the ITs start over a
   * hundred short-lived JVMs, and on CI's two cores C2 compiling code a short run never
   * reuses doubled each one's CPU (a `doctor` took 2.2 s of CPU, 1.2 s with C1 alone). What
   * the child does is the same at any JIT tier; a test that sets JAVA_OPTS itself replaces this.
   */
  private static final String CHILD_JAVA_OPTS = "-XX:TieredStopAtLevel=1 -Xshare:auto";

  private final Path launcher;
  private final Map<String, String> environment = new LinkedHashMap<>();

  private Launcher(Path launcher) {
    this.launcher = launcher;
    environment.put("JAVA_OPTS", CHILD_JAVA_OPTS);
  }

  /** The launcher that {@code package} built (failsafe passes its path). */
  static Launcher distribution() {
    String path = System.getProperty("realtime.cli.launcher",
        "target/realtime/bin/realtime");
    Path launcher = Path.of(path);
    assertThat(launcher).as("the launcher (run `./mvnw package` first)").isExecutable();
    return new Launcher(launcher);
  }

  /** Returns this launcher with {@code name=value} in the child's environment. */
  Launcher env(String name, String value) {
    Launcher copy = new Launcher(launcher);
    copy.environment.putAll(environment);
    copy.environment.put(name, value);
    return copy;
  }

  /** Runs {@code realtime args...} to its end (at most two minutes), with empty stdin. */
  Run run(String... args) {
    return runWithInput("", args);
  }

  /** Runs {@code realtime args...} to its end (at most two minutes), with {@code stdin}. */
  Run runWithInput(String stdin, String... args) {
    Running running = start(args);
    try (OutputStream in = running.process.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return running.await(Duration.ofMinutes(2));
  }

  /** Starts {@code realtime args...} and returns at once. */
  Running start(String... args) {
    List<String> command = new ArrayList<>();
    command.add(launcher.toString());
    command.addAll(List.of(args));
    try {
      Path out = Files.createTempFile("realtime-cli-out", ".txt");
      Path err = Files.createTempFile("realtime-cli-err", ".txt");
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      builder.environment().keySet().removeIf(name -> FOREIGN.stream().anyMatch(
          name::startsWith));
      builder.environment().putAll(environment);
      return new Running(builder.start(), out, err, String.join(" ", args));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A child that is running. */
  static final class Running {
    final Process process;
    private final Path out;
    private final Path err;
    private final String description;

    Running(Process process, Path out, Path err, String description) {
      this.process = process;
      this.out = out;
      this.err = err;
      this.description = description;
    }

    /** What the child printed to stdout so far. */
    String stdoutSoFar() {
      return read(out);
    }

    /** What the child printed to stderr so far. */
    String stderrSoFar() {
      return read(err);
    }

    /** Ends the child at once if it still runs (after a failed test). */
    void kill() {
      process.destroyForcibly();
    }

    /** Sends SIGTERM, as `kill` and container runtimes do. */
    void terminate() {
      process.destroy(); // SIGTERM on Unix.
    }

    /** Waits for the end; kills the child and fails if it takes longer than {@code bound}. */
    Run await(Duration bound) {
      try {
        if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor();
          throw new AssertionError("realtime " + description + " did not end within " + bound
              + "; stderr:\n" + read(err));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        throw new AssertionError("interrupted", e);
      }
      Run run = new Run(process.exitValue(), read(out), read(err), description);
      try {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return run;
    }

    private static String read(Path file) {
      try (InputStream in = Files.newInputStream(file)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** A finished run: its exit code and output. */
  static final class Run {
    final int exitCode;
    final String stdout;
    final String stderr;
    private final String description;

    Run(int exitCode, String stdout, String stderr, String description) {
      this.exitCode = exitCode;
      this.stdout = stdout;
      this.stderr = stderr;
      this.description = description;
    }

    /** The lines of stdout, without blank ones. */
    List<String> lines() {
      return stdout.lines().filter(line -> !line.isBlank()).toList();
    }

    /** Fails, showing the output, unless the exit code is {@code expected}. */
    Run exits(int expected) {
      assertThat(exitCode).as("exit code of realtime %s%nstdout:%n%s%nstderr:%n%s", description,
          stdout, stderr).isEqualTo(expected);
      return this;
    }

    @Override
    public String toString() {
      return "realtime " + description + " -> " + exitCode;
    }
  }
}
