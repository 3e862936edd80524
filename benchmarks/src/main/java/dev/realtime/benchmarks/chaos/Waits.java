package dev.realtime.benchmarks.chaos;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting for a condition with a deadline, and letting time pass where that is the point. */
final class Waits {
  private Waits() {}

  /**
   * Returns once {@code condition} holds.
   *
   * @throws IllegalStateException naming {@code what} if it did not within {@code limit}
   */
  static void await(BooleanSupplier condition, Duration limit, String what) {
    if (!awaitQuietly(condition, limit)) {
      throw new IllegalStateException("no " + what + " within " + limit);
    }
  }

  /** Whether {@code condition} held within {@code limit}, checked every 10 ms. */
  static boolean awaitQuietly(BooleanSupplier condition, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      pause(Duration.ofMillis(10));
    }
    return true;
  }

  /** A fault's length or a poll's interval: time passing is the point, nothing to wait for. */
  static void pause(Duration duration) {
    long deadline = System.nanoTime() + duration.toNanos();
    for (long left = duration.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }
}
