package dev.realtime.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Leaves nothing behind: kills process trees, deletes directories, and at JVM exit does both for
 * every launcher not closed yet (a test that failed before {@code close()}, a run stopped with
 * Ctrl-C), so that no broker of one's own outlives the JVM that started it. A JVM killed with -9
 * runs no hook: its brokers are left running and can be found by their temporary directory on
 * the command line ({@code realtime-redis-}, {@code realtime-rabbitmq-}).
 */
final class Reaper {
  private static final Set<AutoCloseable> OPEN = ConcurrentHashMap.newKeySet();

  static {
    Thread hook = new Thread(() -> OPEN.forEach(Reaper::closeQuietly), "realtime-process-reaper");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  private Reaper() {}

  /** Closes {@code launcher} at JVM exit unless {@link #forget} is called first. */
  static void remember(AutoCloseable launcher) {
    OPEN.add(launcher);
  }

  static void forget(AutoCloseable launcher) {
    OPEN.remove(launcher);
  }

  /**
   * As {@link #killTree(ProcessHandle, Duration)} for {@code process} and what runs below it, and
   * returns once {@code process} itself reports that it exited (or {@code wait} passed).
   */
  static void killTree(Process process, Duration wait) {
    killTree(process.toHandle(), wait);
    // Then the Process itself: the JDK completes the handle's exit before the Process learns
    // of it (in a callback of the same future), so isAlive() could still say true right after
    // a kill (RedisProcessTest failed so, once, in CI).
    try {
      process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Sends SIGKILL to {@code root} and to every process below it, children first seen before the
   * kill (they are re-parented once their parent dies), and waits up to {@code wait} for them to
   * be gone.
   */
  static void killTree(ProcessHandle root, Duration wait) {
    List<ProcessHandle> tree = root.descendants().collect(Collectors.toList());
    tree.add(0, root);
    tree.forEach(ProcessHandle::destroyForcibly);
    long deadline = System.nanoTime() + wait.toNanos();
    for (ProcessHandle process : tree) {
      long left = deadline - System.nanoTime();
      try {
        process.onExit().get(Math.max(left, 0), TimeUnit.NANOSECONDS);
      } catch (Exception stillThere) {
        // A zombie whose parent does not reap it counts as gone: it holds no port or file.
        return;
      }
    }
  }

  /** Deletes {@code directory} and everything in it; a missing one is fine. */
  static void deleteTree(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try {
      Files.walkFileTree(directory, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
            throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
          if (e instanceof NoSuchFileException) {
            return FileVisitResult.CONTINUE;  // a broker still shutting down removed it
          }
          throw e;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + directory, e);
    }
  }

  private static void closeQuietly(AutoCloseable launcher) {
    try {
      launcher.close();
    } catch (Exception ignored) {
      // The JVM is exiting; there is no one left to tell.
    }
  }
}
