package dev.realtime.benchmarks.harness;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU time this process spends inside a run's measurement window: read by a timer thread
 * when the window opens and when it closes, since the publisher and the consumer are busy at
 * those instants. It counts every thread of the process (the client's I/O threads, the SDK's
 * poll and handler threads, the harness, the garbage collector), which is the cost a user
 * pays; the brokers run in other processes and are not in it.
 */
final class CpuClock {
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile long atStart = -1;
  private volatile long atEnd = -1;

  private CpuClock() {}

  /** Starts the timer for a window from {@code start} to {@code end}, on the nanoTime clock. */
  static CpuClock reading(long start, long end) {
    CpuClock clock = new CpuClock();
    Thread timer = new Thread(() -> {
      clock.atStart = readAt(start);
      clock.atEnd = readAt(end);
      clock.done.countDown();
    }, "cpu-clock");
    timer.setDaemon(true);
    timer.start();
    return clock;
  }

  private static long readAt(long instant) {
    for (long wait; (wait = instant - System.nanoTime()) > 0; ) {
      LockSupport.parkNanos(wait);
    }
    return processCpuNanos();
  }

  /**
   * CPU nanoseconds per message over the window, or -1 if the JVM cannot say. Called after the
   * window has closed (the run drains first).
   */
  long nanosPer(long messages) {
    try {
      done.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (atStart < 0 || atEnd < 0 || messages <= 0) {
      return -1;
    }
    return (atEnd - atStart) / messages;
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }
}
