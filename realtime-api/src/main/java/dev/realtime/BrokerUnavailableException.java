package dev.realtime;

/**
 * Thrown when the broker cannot be reached or refused the connection: the address is wrong, the
 * broker is down, or the credentials were rejected. The message names the address tried (never
 * the credentials) and what to check.
 */
public final class BrokerUnavailableException extends RealtimeException {
  private static final long serialVersionUID = 1L;

  public BrokerUnavailableException(String message) {
    super(message);
  }

  public BrokerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
