package dev.realtime;

import dev.realtime.spi.BrokerContext;
import dev.realtime.spi.BrokerProvider;

/**
 * A provider whose constructor throws, as one does when its client library is missing a class:
 * registered in this module's test {@code META-INF/services}, so every test here that opens a
 * broker runs discovery past it.
 */
public final class ThrowingProvider implements BrokerProvider {
  /** Throws: the provider is broken on purpose. */
  public ThrowingProvider() {
    throw new IllegalStateException("broken on purpose",
        new ClassNotFoundException("com.example.client.Connection"));
  }

  @Override
  public String name() {
    return "throwing";
  }

  @Override
  public Capabilities capabilities() {
    return Capabilities.of();
  }

  @Override
  public Broker create(BrokerContext context) {
    throw new AssertionError("never constructed");
  }
}
