package dev.realtime.testkit.process;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What both launchers share: a server process in a directory of its own, started (on ports
 * chosen again while they turn out taken), waited for, stopped, restarted and cleaned up.
 * Subclasses say how to launch it and how to ask it whether it answers.
 */
abstract class ServerProcess implements AutoCloseable {
  /** Ports tried when the free one was taken between choosing and binding it. */
  private static final int PORT_ATTEMPTS = 3;

  private final Path directory;
  private final Path log;
  private final Duration startTimeout;
  private final Duration stopGrace;
  private Process process;
  private Duration startTime = Duration.ZERO;
  private boolean closed;

  ServerProcess(Path directory, String logName, Duration startTimeout, Duration stopGrace) {
    this.directory = directory;
    this.log = directory.resolve(logName);
    this.startTimeout = startTimeout;
    this.stopGrace = stopGrace;
  }

  /** Picks the ports for the first start, and again when they turned out taken. */
  abstract void choosePorts();

  /** The command that starts the server on the chosen ports. */
  abstract ProcessBuilder command();

  /** Asks the server whether it answers; throws while it does not. */
  abstract void answer() throws IOException;

  /** The server for messages, such as {@code redis-server on port 41234}. */
  abstract String what();

  /** Kills the server with SIGKILL, as a crash would; returns once it is gone. */
  public abstract void kill();

  /**
   * Starts the server again with the same ports and directory, stopping it first if it runs,
   * and returns once it answers.
   */
  public abstract ServerProcess restart();

  /** Returns the server's directory. */
  public final Path directory() {
    return directory;
  }

  /** Returns whether the server process is alive. */
  public final boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Returns how long the last start or restart took, from launch to the first answer. */
  public final Duration startTime() {
    return startTime;
  }

  /**
   * Stops the server with SIGTERM (a clean shutdown), and with SIGKILL if it has not exited
   * within the grace period. Does nothing if it is not running.
   *
   * @return whether it exited cleanly in time
   */
  public final boolean stop() {
    return !isRunning() || Launch.terminate(process, stopGrace);
  }

  /** Stops the server (SIGTERM, then SIGKILL) and deletes its directory. Idempotent. */
  @Override
  public final void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop();
      Reaper.deleteTree(directory);
    } finally {
      Reaper.forget(this);
    }
  }

  /** The launched process, alive or not; null before the first start. */
  final Process process() {
    return process;
  }

  final Duration stopGrace() {
    return stopGrace;
  }

  /** Starts the server the first time, choosing other ports while the chosen ones are taken. */
  final void firstStart() {
    Reaper.remember(this);
    for (int attempt = 1; ; attempt++) {
      choosePorts();
      try {
        launch();
        return;
      } catch (Launch.ExitedEarly e) {
        if (!e.portTaken() || attempt == PORT_ATTEMPTS) {
          close();
          throw e;
        }
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }
  }

  /** Stops the server if it runs and starts it again with the same ports and directory. */
  final void relaunch(String type) {
    if (closed) {
      throw new IllegalStateException("restart() after close(): start a new " + type + ".");
    }
    stop();
    launch();
  }

  private void launch() {
    long started = System.nanoTime();
    process = Launch.start(command().directory(directory.toFile()), log);
    Launch.awaitAnswer(process, this::answer, startTimeout, what(), log);
    startTime = Duration.ofNanos(System.nanoTime() - started);
  }
}
