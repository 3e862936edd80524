package dev.realtime.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes a subscription's close idempotent and safe from any thread: the first caller closes,
 * later callers wait for its result, and the subscription's own threads (its poller, its
 * handlers) never wait, because the close they would wait for is waiting for them.
 *
 * <pre>{@code
 * if (!closing.begin()) {
 *   return closing.awaitResult(isOwnThread(Thread.currentThread()));
 * }
 * boolean drained = false;
 * try { ... drained = dispatcher.close(timeout); ... } finally { closing.finish(drained); }
 * }</pre>
 *
 * <p>Not for public use: this class may change at any time.
 */
public final class CloseOnce {
  private final AtomicBoolean begun = new AtomicBoolean();
  private final CompletableFuture<Boolean> result = new CompletableFuture<>();

  /** Returns true for the one caller that must do the closing. */
  public boolean begin() {
    return begun.compareAndSet(false, true);
  }

  /**
   * For the callers that did not begin: the first close's result, waited for unless {@code
   * ownThread} (then false at once).
   */
  public boolean awaitResult(boolean ownThread) {
    return ownThread ? false : result.join();
  }

  /** Called by the closing caller when done, whatever happened. */
  public void finish(boolean drained) {
    result.complete(drained);
  }
}
