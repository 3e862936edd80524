package dev.realtime.testkit.process;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What both launchers do with a server process: find it, start it, wait for it, end it. */
final class Launch {
  /** How often a starting server is asked whether it answers yet. */
  private static final Duration POLL = Duration.ofMillis(50);
  /** How many lines of a server's log an error shows, of its first errors and of its end. */
  private static final int LOG_LINES = 15;

  /** A question to a server that succeeds once it answers. */
  @FunctionalInterface
  interface Answer {
    void check() throws IOException;
  }

  /** A server that exited before it answered: with a port taken, the caller picks another. */
  static final class ExitedEarly extends IllegalStateException {
    private final boolean portTaken;

    ExitedEarly(String message, boolean portTaken) {
      super(message);
      this.portTaken = portTaken;
    }

    boolean portTaken() {
      return portTaken;
    }
  }

  private Launch() {}

  /**
   * Finds {@code name} as given when it contains a slash, else on the {@code PATH}.
   *
   * @throws IllegalStateException naming what to install, if it is not there
   */
  static Path executable(String name, String install) {
    if (name.contains("/")) {
      Path path = Path.of(name);
      if (!Files.isExecutable(path)) {
        throw new IllegalStateException(name + " is not an executable file; " + install);
      }
      return path;
    }
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    return Stream.of(path.split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, name))
        .filter(Files::isExecutable)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(name + " is not on the PATH (" + path
            + "); " + install));
  }

  /** Starts {@code command} with its output appended to {@code log}. */
  static Process start(ProcessBuilder command, Path log) {
    command.redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    try {
      return command.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + command.command(), e);
    }
  }

  /**
   * Waits until {@code answer} succeeds. On an exit first, or at the deadline (the process tree
   * is then killed), throws with the end of the log.
   *
   * @throws ExitedEarly if the process exited before it answered
   * @throws IllegalStateException if it did not answer in time
   */
  static void awaitAnswer(Process process, Answer answer, Duration timeout, String what,
      Path log) {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    while (true) {
      try {
        answer.check();
        return;
      } catch (IOException notYet) {
        last = notYet;
      }
      if (!process.isAlive()) {
        String tail = tail(log);
        throw new ExitedEarly(what + " exited with code " + process.exitValue()
            + " before it answered; the end of " + log + ":\n" + tail,
            tail.contains("Address already in use") || tail.contains("eaddrinuse"));
      }
      if (System.nanoTime() > deadline) {
        Reaper.killTree(process.toHandle(), Duration.ofSeconds(10));
        throw new IllegalStateException(what + " did not answer within " + timeout
            + " (last: " + last.getMessage() + "), so it was killed; the end of " + log + ":\n"
            + tail(log));
      }
      try {
        process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        Reaper.killTree(process.toHandle(), Duration.ofSeconds(10));
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
  }

  /**
   * Sends SIGTERM to {@code process} and waits up to {@code grace} for it to exit, then kills
   * what is left of its tree.
   *
   * @return whether it exited within {@code grace}
   */
  static boolean terminate(Process process, Duration grace) {
    List<ProcessHandle> below = process.descendants().toList();
    process.destroy();
    boolean exited;
    try {
      exited = process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exited = false;
    }
    Reaper.killTree(process.toHandle(), Duration.ofSeconds(10));
    below.forEach(ProcessHandle::destroyForcibly);
    return exited;
  }

  /**
   * The first lines of {@code log} that report an error, which name the cause (a crash report
   * that follows can be long), then its last lines; or a note why there are none.
   */
  static String tail(Path log) {
    try {
      // Decoded leniently: a log may hold bytes that are not UTF-8.
      List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines()
          .toList();
      List<String> errors = lines.stream()
          .filter(line -> line.matches("(?i).*(error|fatal|failed).*"))
          .limit(LOG_LINES)
          .toList();
      List<String> last = lines.subList(Math.max(0, lines.size() - LOG_LINES), lines.size());
      return errors.isEmpty() || last.containsAll(errors) ? String.join("\n", last)
          : String.join("\n", errors) + "\n...\n" + String.join("\n", last);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /**
   * Runs each task on a thread of its own, not on the common pool: on two cores that runs one
   * task at a time, and the start of a cluster's node waits for the others.
   */
  static java.util.concurrent.Executor threadPerTask(String name) {
    return task -> new Thread(task, name).start();
  }

  /**
   * Runs a command-line tool to its end (its output and errors in one text) and returns what it
   * printed, such as {@code rabbitmqctl} or {@code redis-cli}.
   *
   * @throws IllegalStateException if it exits non-zero or takes longer than {@code timeout};
   *     the message holds its output
   */
  static String run(ProcessBuilder builder, Duration timeout) {
    String shown = String.join(" ", builder.command());
    builder.redirectErrorStream(true);
    try {
      Process tool = builder.start();
      tool.getOutputStream().close();
      byte[] output = tool.getInputStream().readAllBytes();
      if (!tool.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        tool.destroyForcibly();
        throw new IllegalStateException(shown + " took more than " + timeout);
      }
      String text = new String(output, StandardCharsets.UTF_8);
      if (tool.exitValue() != 0) {
        throw new IllegalStateException(shown + " exited with " + tool.exitValue() + ":\n"
            + text);
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + shown, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + shown, e);
    }
  }

  /**
   * Asks {@code problem} every 100 ms until it answers null (nothing wrong any more), such as a
   * cluster's nodes asked whether they all serve.
   *
   * @throws IllegalStateException if it still names a problem after {@code timeout}; the
   *     message says which, about {@code what}
   */
  static void awaitSettled(String what, Duration timeout,
      java.util.function.Supplier<String> problem) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String now = problem.get();
      if (now == null) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + " did not settle within " + timeout + ": "
            + now);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(100); // A pause between questions, not a synchronisation.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
  }

  /**
   * Runs {@code count} starts at once, each on a thread of its own, and adds each process that
   * started to {@code into} (whose owner closes them all should one fail).
   *
   * @throws RuntimeException the failure of a start that failed, once every start has ended
   */
  static <T> void startAll(String name, int count, java.util.function.Supplier<T> start,
      List<T> into) {
    List<java.util.concurrent.CompletableFuture<T>> starting = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      starting.add(java.util.concurrent.CompletableFuture.supplyAsync(start,
          threadPerTask(name)));
    }
    RuntimeException failure = null;
    for (java.util.concurrent.CompletableFuture<T> started : starting) {
      try {
        into.add(started.join());
      } catch (java.util.concurrent.CompletionException e) {
        failure = e.getCause() instanceof RuntimeException cause ? cause : e;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  static Path tempDirectory(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a temporary directory " + prefix, e);
    }
  }
}
