package dev.realtime.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A one-line progress bar on stderr, redrawn in place at most five times a second; nothing at
 * all when the output is not a terminal, so that logs and pipes get only the summary.
 */
final class ProgressBar {
  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final PrintStream err;
  private final long total;
  private final boolean enabled;
  private final long started = System.nanoTime();
  private long lastDrawn;

  private ProgressBar(PrintStream err, long total, boolean enabled) {
    this.err = err;
    this.total = total;
    this.enabled = enabled;
  }

  /**
   * A bar for {@code total} steps on stderr, drawn only on a terminal. (Java tells only whether
   * stdin and stdout are both one, which is the interactive case this is for.)
   */
  static ProgressBar forStderr(long total) {
    return new ProgressBar(System.err, total, System.console() != null);
  }

  /** Shows {@code done} of the total, if the last redraw is old enough. */
  void show(long done) {
    long now = System.nanoTime();
    if (enabled && now - lastDrawn >= REDRAW_NANOS) {
      lastDrawn = now;
      draw(done, now);
    }
  }

  /** Shows the final count and ends the line. */
  void done(long done) {
    if (enabled) {
      draw(done, System.nanoTime());
      err.println();
    }
  }

  private void draw(long done, long now) {
    int filled = total == 0 ? WIDTH : (int) (WIDTH * Math.min(done, total) / total);
    double rate = done * 1e9 / Math.max(1, now - started);
    err.print(String.format(Locale.ROOT, "\r[%s%s] %3d%%  %,d/%,d  %,.0f msg/s",
        "#".repeat(filled), ".".repeat(WIDTH - filled),
        total == 0 ? 100 : 100 * Math.min(done, total) / total, done, total, rate));
    err.flush();
  }
}
