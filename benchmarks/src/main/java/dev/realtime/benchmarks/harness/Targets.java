package dev.realtime.benchmarks.harness;

import dev.realtime.benchmarks.l0.L0;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The SDK's targets (issue 15), judged from one run: every figure of the SDK against the raw
 * client's measured beside it.
 *
 * <ul>
 *   <li>end to end at maximum throughput, 100 B and 1 KiB: SDK / raw at least {@value
 *       #THROUGHPUT_RATIO};
 *   <li>at each fixed rate: the SDK's p99 at most {@value #P99_FACTOR} × the raw client's, plus
 *       1 ms;
 *   <li>CPU per message received, at the rate both sides run (half the raw maximum; the quick
 *       mode's 1,000/s): the SDK's at most {@value #CPU_FACTOR} × the raw client's carrying the
 *       same envelope;
 *   <li>L0, publishing 100 B over the in-memory broker: at most {@value #L0_NANOS} ns and
 *       {@value #L0_BYTES} bytes allocated per message.
 * </ul>
 */
public final class Targets {
  static final double THROUGHPUT_RATIO = 0.90;
  static final double P99_FACTOR = 1.25;
  static final long P99_SLACK_NANOS = 1_000_000;
  static final double CPU_FACTOR = 1.15;
  static final double L0_NANOS = 300;
  static final double L0_BYTES = 400;
  /** A JMH interval at or above this share of its value is flagged in the report. */
  static final double INTERVAL = 0.10;

  /**
   * One target on one path.
   *
   * @param raw the raw client's figure (for CPU: the raw client with the envelope), as shown
   * @param sdk the SDK's figure, as shown
   * @param target the limit and, for a ratio, the ratio measured
   */
  public record Verdict(String path, String measure, String raw, String sdk, String target,
      boolean met) {}

  private Targets() {}

  /** Every target the run measured, per path in the report's order, then L0's. */
  public static List<Verdict> judge(List<Backend> backends, List<Result> results,
      List<L0.Row> l0) {
    List<Verdict> verdicts = new ArrayList<>();
    for (Backend backend : backends) {
      if (backend.raw() == null) {
        continue; // The in-memory broker has no raw client to be held to.
      }
      String path = backend.name();
      for (Result sdk : results) {
        if (!sdk.backend().equals(path) || !sdk.side().equals("sdk")) {
          continue;
        }
        Optional<Result> raw = counterpart(results, sdk, "raw");
        if (sdk.workload().isMaxThroughput() && raw.isPresent()) {
          double ratio = sdk.endToEndRate() / Math.max(1e-9, raw.get().endToEndRate());
          verdicts.add(new Verdict(path, "end to end, " + size(sdk.workload()) + " (msg/s)",
              rate(raw.get().endToEndRate()), rate(sdk.endToEndRate()),
              String.format(Locale.ROOT, "SDK/raw %.2f ≥ %.2f", ratio, THROUGHPUT_RATIO),
              ratio >= THROUGHPUT_RATIO));
        }
        if (sdk.workload().isMaxThroughput()) {
          continue;
        }
        String at = String.format(Locale.ROOT, "%,d/s", sdk.workload().rate());
        if (raw.isPresent()) {
          long limit = Math.round(P99_FACTOR * raw.get().p99()) + P99_SLACK_NANOS;
          boolean met = sdk.p99() <= limit && sdk.missing() == 0;
          verdicts.add(new Verdict(path, "p99 at " + at + " (ms)", ms(raw.get().p99()),
              ms(sdk.p99()) + (sdk.missing() > 0 ? " (" + sdk.missing() + " missing)" : ""),
              "≤ " + ms(limit), met));
        }
        Optional<Result> enveloped = counterpart(results, sdk, Harness.ENVELOPE);
        if (enveloped.isPresent() && enveloped.get().cpuPerMessage() > 0
            && sdk.cpuPerMessage() > 0) {
          long limit = Math.round(CPU_FACTOR * enveloped.get().cpuPerMessage());
          verdicts.add(new Verdict(path, "CPU per message received at " + at
              + " (µs; raw: with the envelope)", micros(enveloped.get().cpuPerMessage()),
              micros(sdk.cpuPerMessage()), "≤ " + micros(limit),
              sdk.cpuPerMessage() <= limit));
        }
      }
    }
    for (L0.Row row : l0) {
      if (row.benchmark().equals("publish") && row.size() == 100) {
        verdicts.add(new Verdict("L0 (in-memory)", "ns per published message, 100 B", "-",
            String.format(Locale.ROOT, "%.0f", row.nanos()),
            String.format(Locale.ROOT, "≤ %.0f", L0_NANOS), row.nanos() <= L0_NANOS));
        verdicts.add(new Verdict("L0 (in-memory)", "bytes allocated per published message, "
            + "100 B", "-", String.format(Locale.ROOT, "%.0f", row.bytes()),
            String.format(Locale.ROOT, "≤ %.0f", L0_BYTES), row.bytes() <= L0_BYTES));
      }
    }
    return verdicts;
  }

  /**
   * Whether a JMH score's interval is too wide to read: at or above {@value #INTERVAL} of the
   * score, or unknown (too few samples).
   */
  public static boolean wide(double score, double error) {
    return Double.isNaN(error) || score <= 0 || error / score >= INTERVAL;
  }

  /** The run of {@code side} on the same backend and workload as {@code sdk}. */
  static Optional<Result> counterpart(List<Result> results, Result sdk, String side) {
    return results.stream().filter(r -> r.side().equals(side)
        && r.backend().equals(sdk.backend()) && Objects.equals(r.workload(), sdk.workload()))
        .findFirst();
  }

  static String size(Workload workload) {
    return workload.size() >= 1024 ? workload.size() / 1024 + " KiB" : workload.size() + " B";
  }

  static String rate(double perSecond) {
    return String.format(Locale.ROOT, "%,.0f", perSecond);
  }

  static String micros(long nanos) {
    return nanos < 0 ? "-" : String.format(Locale.ROOT, "%.1f", nanos / 1e3);
  }

  static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }
}
