package dev.realtime;

/**
 * Thrown when an operation needs a {@link Capability} that the configured broker does not have:
 * a consumer group on Redis Pub/Sub, say, or {@link Broker#history} on an ephemeral broker.
 */
public final class UnsupportedCapabilityException extends RealtimeException {
  private static final long serialVersionUID = 1L;

  private final Capability capability;

  /** Creates the exception for {@code operation}, which needs {@code capability}. */
  public UnsupportedCapabilityException(String broker, Capability capability, String operation) {
    super(operation + " needs " + capability + ", which broker \"" + broker
        + "\" does not provide. Choose a broker that lists " + capability
        + " in its capabilities() (see docs/conformance.md).");
    this.capability = capability;
  }

  /**
   * Creates the exception for {@code operation}, which needs {@code capability} where the broker
   * has it only in part: {@code reason} says where it stops and what to do instead, such as a
   * replay that a broker offers for channels named one by one but not for a pattern.
   */
  public UnsupportedCapabilityException(String broker, Capability capability, String operation,
      String reason) {
    super(operation + " needs " + capability + ", which broker \"" + broker
        + "\" does not provide for it: " + reason);
    this.capability = capability;
  }

  /** The capability that was missing. */
  public Capability capability() {
    return capability;
  }
}
