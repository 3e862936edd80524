package dev.realtime.testkit.env;

import java.util.function.Supplier;

/**
 * A broker process (or cluster) that every environment of a JVM shares: started on first use,
 * closed by a shutdown hook when the JVM exits. Starting one takes seconds to a minute, and a
 * test class per adapter asks for it again and again.
 */
final class OnePerJvm<T extends AutoCloseable> {
  private final Supplier<T> start;
  private final String name;
  private T started; // guarded by this

  OnePerJvm(String name, Supplier<T> start) {
    this.name = name;
    this.start = start;
  }

  /** The shared one, started now if none was. */
  synchronized T get() {
    if (started == null) {
      T made = start.get();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          made.close();
        } catch (Exception e) {
          // The JVM is exiting: the processes go with their reaper anyway.
        }
      }, "realtime-testkit-" + name + "-shutdown"));
      started = made;
    }
    return started;
  }
}
