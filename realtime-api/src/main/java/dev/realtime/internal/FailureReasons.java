package dev.realtime.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Why something failed, in a few words for a log line or an exception message: the reason of a
 * failure without the wrappers that say nothing of their own (a future's {@link
 * ExecutionException} and {@link CompletionException}, an exception without a message), with
 * its cause's message when that says more ("Unable to connect to host" (Connection refused)),
 * credentials masked. The adapters word their failures with it, so that one failure reads the
 * same on every broker.
 *
 * <p>Not for public use: this class may change at any time.
 */
public final class FailureReasons {
  private FailureReasons() {}

  /** The reason of {@code failure}, credentials masked. */
  public static String of(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root
        && (root instanceof ExecutionException || root instanceof CompletionException
            || root.getMessage() == null)) {
      root = root.getCause();
    }
    String text = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    Throwable cause = root.getCause();
    if (cause != null && cause != root && cause.getMessage() != null
        && !text.contains(cause.getMessage())) {
      text += " (" + cause.getMessage() + ")";
    }
    return UriCredentials.mask(text);
  }
}
