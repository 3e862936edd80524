package dev.realtime;

/**
 * The root of the exceptions this library throws for failures that are not a caller's bad
 * argument: configuration errors, an unreachable broker, a closed broker.
 *
 * <p>Messages name the problem and the fix. They never contain a secret (a password, a token or
 * the credentials part of a URI): see {@code dev.realtime.config.RealtimeConfig}.
 */
public class RealtimeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RealtimeException(String message) {
    super(message);
  }

  public RealtimeException(String message, Throwable cause) {
    super(message, cause);
  }
}
