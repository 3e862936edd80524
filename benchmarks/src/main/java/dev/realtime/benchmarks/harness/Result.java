package dev.realtime.benchmarks.harness;

/**
 * What one run measured, over the measurement window only.
 *
 * @param publishRate publishes confirmed per second
 * @param endToEndRate messages received per second
 * @param cpuPerMessage this process's CPU time (producer and consumer, all threads) over the
 *     window, per message received, in nanoseconds; the brokers' CPU is not in it
 * @param p50 end-to-end latency from the intended send time, nanoseconds; meaningful only at a
 *     fixed rate (a saturated run measures its own queue)
 * @param missing measured messages published and confirmed but never received
 * @param failed publishes that failed
 */
public record Result(String backend, String side, Workload workload, double publishRate,
    double endToEndRate, long cpuPerMessage, long p50, long p99, long p999, long max,
    long measured, long missing, long failed) {

  /** Bytes per second end to end. */
  public double endToEndBytes() {
    return endToEndRate * workload.size();
  }
}
