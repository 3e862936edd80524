package dev.realtime.benchmarks.harness;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * One workload on one backend, raw and SDK side by side, printed: for profiling a single case
 * (attach JFR with {@code -XX:StartFlightRecording}) without the whole comparison.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.realtime.benchmarks.harness.OneRun
 * BACKEND SIDES RATE [SECONDS] [SIZE]}: BACKEND is an id of {@link Backends#all()} ({@code
 * redis-pubsub}), SIDES {@code raw}, {@code sdk} or {@code both}, RATE messages per second or
 * {@code 0} for the maximum (closed loop, as the report measures it), SECONDS measured after two
 * of warm-up (5), SIZE the payload (100).
 */
public final class OneRun {
  private OneRun() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: OneRun BACKEND raw|sdk|both RATE [SECONDS] [SIZE]");
      System.exit(2);
    }
    long rate = Long.parseLong(args[2]);
    Duration measure = Duration.ofSeconds(args.length > 3 ? Long.parseLong(args[3]) : 5);
    int size = args.length > 4 ? Integer.parseInt(args[4]) : 100;
    Duration warmUp = Duration.ofSeconds(2);
    Workload workload = rate == 0 ? Workload.maxThroughput(size, warmUp, measure)
        : Workload.fixedRate(size, rate, warmUp, measure);
    List<String> sides = args[1].equals("both") ? List.of("raw", "sdk") : List.of(args[1]);
    try (Backends all = new Backends(System.getenv())) {
      if (!all.all().containsKey(args[0])) {
        throw new IllegalArgumentException("no backend named '" + args[0] + "'; the backends "
            + "are " + all.all().keySet());
      }
      Backend backend = all.all().get(args[0]).get();
      for (String side : sides) {
        if (side.equals("raw") && backend.raw() == null) {
          System.out.println(backend.name() + " has no raw client");
          continue;
        }
        Driver driver = side.equals("raw") ? backend.raw().get() : backend.sdk().get();
        Result result = LoadRunner.run(backend.name(), side, driver,
            "bench." + UUID.randomUUID().toString().substring(0, 8), workload);
        System.out.printf(Locale.ROOT, "%s %s %s: publish %,.0f/s, end to end %,.0f/s, "
            + "p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms, missing %d, failed %d, "
            + "CPU %.1f us/msg%n", backend.name(), side, workload.label(), result.publishRate(),
            result.endToEndRate(), result.p50() / 1e6, result.p99() / 1e6, result.p999() / 1e6,
            result.max() / 1e6, result.missing(), result.failed(),
            result.cpuPerMessage() / 1e3);
      }
    }
    System.exit(0); // Clients' non-daemon threads must not keep the JVM.
  }
}
