package dev.realtime;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/** The set of {@link Capability capabilities} a broker adapter claims. Immutable. */
public final class Capabilities {
  private final Set<Capability> set;

  private Capabilities(Set<Capability> set) {
    this.set = Collections.unmodifiableSet(set);
  }

  /** Returns the capabilities listed. */
  public static Capabilities of(Capability... capabilities) {
    EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
    Collections.addAll(set, capabilities);
    return new Capabilities(set);
  }

  /** Returns the capabilities in {@code capabilities}. */
  public static Capabilities of(Collection<Capability> capabilities) {
    Objects.requireNonNull(capabilities, "capabilities == null");
    return new Capabilities(
        capabilities.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(capabilities));
  }

  /** Returns true if {@code capability} is claimed. */
  public boolean has(Capability capability) {
    return set.contains(capability);
  }

  /**
   * Checks that {@code capability} is claimed before {@code operation} goes ahead.
   *
   * @throws UnsupportedCapabilityException if it is not, naming the operation and the broker.
   */
  public void require(Capability capability, String broker, String operation) {
    if (!has(capability)) {
      throw new UnsupportedCapabilityException(broker, capability, operation);
    }
  }

  /** The claimed capabilities, as an unmodifiable set. */
  public Set<Capability> asSet() {
    return set;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Capabilities && ((Capabilities) other).set.equals(set);
  }

  @Override
  public int hashCode() {
    return set.hashCode();
  }

  @Override
  public String toString() {
    return set.toString();
  }
}
