package dev.realtime.benchmarks.harness;

import java.time.Duration;

/**
 * One run's load: the payload size, and either as fast as the broker confirms ({@link
 * #maxThroughput}) or a fixed rate, open loop. Warm-up is sent and received but not measured.
 *
 * @param rate messages per second, or 0 for as fast as confirms allow
 * @param inFlight the window: at maximum throughput, messages sent and not yet received (a
 *     closed loop, end to end); at a fixed rate, publishes awaiting confirmation (a safety bound:
 *     hitting it shows as latency)
 */
public record Workload(int size, long rate, Duration warmUp, Duration measure, int inFlight) {
  /** The payload starts with the intended send time and a sequence number: 16 bytes. */
  public static final int HEADER = 16;

  public Workload {
    if (size < HEADER) {
      throw new IllegalArgumentException("size must be at least " + HEADER + " bytes");
    }
  }

  /** As fast as the consumer keeps up, 1,000 messages in flight end to end. */
  public static Workload maxThroughput(int size, Duration warmUp, Duration measure) {
    return new Workload(size, 0, warmUp, measure, 1000);
  }

  /** {@code rate} messages per second, paced by intended send times. */
  public static Workload fixedRate(int size, long rate, Duration warmUp, Duration measure) {
    return new Workload(size, rate, warmUp, measure, 10_000);
  }

  public boolean isMaxThroughput() {
    return rate == 0;
  }

  /** How the report names it: {@code max, 100 B} or {@code 10,000/s, 100 B}. */
  public String label() {
    return (isMaxThroughput() ? "max" : String.format(java.util.Locale.ROOT, "%,d/s", rate))
        + ", " + (size >= 1024 && size % 1024 == 0 ? size / 1024 + " KiB" : size + " B");
  }
}
