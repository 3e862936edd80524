package dev.realtime.testkit;

import dev.realtime.Capability;
import java.util.EnumSet;
import java.util.Set;

/**
 * One case of the conformance checklist ({@code CONFORMANCE.md}): its number and name, the
 * capabilities that gate it, whether it needs a fault hook, and what it does.
 */
public final class ConformanceCase {
  /** The fault hook a case needs from its {@link BrokerEnvironment}, if any. */
  public enum Hook {
    NONE,
    /** {@link BrokerEnvironment#restart()}. */
    RESTART,
    /** {@link BrokerEnvironment#cutConnections()}. */
    CUT_CONNECTIONS,
    /** {@link BrokerEnvironment#brokerPayloadLimit()}. */
    BROKER_LIMIT,
    /** A {@link ForeignWriter}. */
    FOREIGN_WRITER,
    /** A {@link PublishRefusal}. */
    PUBLISH_REFUSAL,
    /** {@link BrokerEnvironment#memberDeath()}. */
    MEMBER_DEATH
  }

  /** A case's body. */
  @FunctionalInterface
  public interface Body {
    void run(CaseContext context) throws Exception;
  }

  private final int number;
  private final String name;
  private final Set<Capability> gate;
  private final Hook hook;
  private final Body body;

  ConformanceCase(int number, String name, Set<Capability> gate, Hook hook, Body body) {
    this.number = number;
    this.name = name;
    this.gate = gate.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(gate);
    this.hook = hook;
    this.body = body;
  }

  static ConformanceCase of(int number, String name, Body body) {
    return new ConformanceCase(number, name, Set.of(), Hook.NONE, body);
  }

  static ConformanceCase gated(int number, String name, Set<Capability> gate, Body body) {
    return new ConformanceCase(number, name, gate, Hook.NONE, body);
  }

  static ConformanceCase withHook(int number, String name, Set<Capability> gate, Hook hook,
      Body body) {
    return new ConformanceCase(number, name, gate, hook, body);
  }

  /** The case's number in CONFORMANCE.md. */
  public int number() {
    return number;
  }

  /** The case's name in CONFORMANCE.md. */
  public String name() {
    return name;
  }

  /** The capabilities an adapter must claim for this case to run. */
  public Set<Capability> gate() {
    return gate;
  }

  /** The fault hook this case needs. */
  public Hook hook() {
    return hook;
  }

  Body body() {
    return body;
  }

  /** The name the test report shows: {@code 04 competing consumers}. */
  public String displayName() {
    return String.format("%02d %s", number, name);
  }

  @Override
  public String toString() {
    return displayName();
  }
}
