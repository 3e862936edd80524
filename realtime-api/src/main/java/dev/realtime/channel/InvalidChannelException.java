package dev.realtime.channel;

import java.util.Objects;

/**
 * Thrown when a channel name or pattern breaks the channel grammar, or when a valid channel cannot
 * be named on a backend (its topic, key or queue name would break the backend's own limits).
 *
 * <p>The message quotes the rejected text, names the rule it broke and says how to fix it.
 */
public final class InvalidChannelException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String channel;

  /**
   * Creates an exception for {@code channel}, the text that was rejected (a channel name or a
   * pattern, exactly as given), with a {@code message} that names the broken rule and the fix.
   */
  public InvalidChannelException(String channel, String message) {
    super(Objects.requireNonNull(message, "message == null"));
    this.channel = Objects.requireNonNull(channel, "channel == null");
  }

  /** The rejected channel name or pattern, exactly as it was given. */
  public String channel() {
    return channel;
  }
}
