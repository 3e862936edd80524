package dev.realtime.cli;

import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) and SIGTERM for the commands that run until stopped: the first signal asks
 * the command to stop (it stops taking messages, finishes and acknowledges what is in flight,
 * prints its summary and exits 0); a second one ends the process at once with 130.
 *
 * <p>Why {@code sun.misc.Signal} rather than a shutdown hook: a hook runs only once the JVM is
 * already exiting, when a second signal can no longer be told apart, and exiting from inside a
 * hook deadlocks. The class is in {@code jdk.unsupported}, which every JDK ships and exports.
 */
final class Signals {
  private Signals() {}

  /**
   * Calls {@code stop} on the first SIGINT or SIGTERM, from a thread of its own; halts the JVM
   * with {@link Main#FORCED} on the second.
   */
  static void onStop(Runnable stop) {
    AtomicInteger received = new AtomicInteger();
    for (String name : new String[] {"INT", "TERM"}) {
      Signal.handle(new Signal(name), signal -> {
        if (received.incrementAndGet() == 1) {
          Thread stopper = new Thread(stop, "realtime-stop");
          stopper.setDaemon(true);
          stopper.start();
        } else {
          System.err.println();
          System.err.println("realtime: stopped without draining (second " + signal.getName()
              + "); messages in flight were not acknowledged.");
          System.err.flush();
          Runtime.getRuntime().halt(Main.FORCED);
        }
      });
    }
  }
}
