package dev.realtime.testkit.env;

import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.BrokerEnvironment;
import java.util.Map;

/**
 * The in-memory broker ({@code realtime.broker=memory}): needs nothing installed, lives in the
 * test's JVM, and offers no fault hooks, since there is no network or server to break.
 */
public final class MemoryEnvironment implements BrokerEnvironment {
  private static final RealtimeConfig CONFIG = RealtimeConfig.of(Map.of("realtime.broker",
      "memory"));

  private MemoryEnvironment() {}

  /** Returns an environment for the in-memory broker; closing it is optional and does nothing. */
  public static MemoryEnvironment create() {
    return new MemoryEnvironment();
  }

  /** Returns {@code memory (in-process)}. */
  @Override
  public String description() {
    return "memory (in-process)";
  }

  /** Returns {@code realtime.broker=memory} and nothing else, so every option has its default. */
  @Override
  public RealtimeConfig config() {
    return CONFIG;
  }

  /** Returns true: the in-memory log counts payload bytes and drops message by message. */
  @Override
  public boolean keepsExactlyByBytes() {
    return true;
  }

  /** Returns {@link #description()}. */
  @Override
  public String toString() {
    return description();
  }
}
