package dev.realtime;

/** Thrown by a publish, subscribe or admin call on a broker that was closed. */
public final class BrokerClosedException extends RealtimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception for {@code operation} on broker {@code broker}. */
  public BrokerClosedException(String broker, String operation) {
    super("cannot " + operation + ": broker \"" + broker + "\" is closed. Open a new one with "
        + "Brokers.open(config), or close it only when the application stops.");
  }
}
