package dev.realtime.benchmarks;

import dev.realtime.benchmarks.harness.Backend;
import dev.realtime.benchmarks.harness.Backends;
import dev.realtime.benchmarks.harness.Harness;
import dev.realtime.benchmarks.harness.Report;
import dev.realtime.benchmarks.harness.Result;
import dev.realtime.benchmarks.l0.L0;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar benchmarks.jar compare [--quick] [--output=FILE]}: the harness, every backend
 * one after the other; {@code java -jar benchmarks.jar jmh [JMH options]}: the JMH benchmarks.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("jmh")) {
      org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length == 0 || !args[0].equals("compare")) {
      System.err.println("usage: benchmarks.jar compare [--quick] [--output=FILE] | jmh [...]");
      System.exit(2);
    }
    boolean quick = List.of(args).contains("--quick");
    Path output = List.of(args).stream().filter(a -> a.startsWith("--output="))
        .map(a -> Path.of(a.substring("--output=".length()))).findFirst().orElse(null);
    Harness.Timing timing = quick ? Harness.Timing.QUICK : Harness.Timing.REPORT;
    long started = System.nanoTime();
    System.err.println("L0 (JMH, in-memory broker)...");
    List<L0.Row> l0 = L0.run(quick);
    List<Backend> backends = new ArrayList<>();
    List<Result> results = new ArrayList<>();
    compare(quick, timing, backends, results);
    String charts = output == null ? null
        : output.getFileName().toString().replaceFirst("\\.md$", "");
    String markdown = Report.markdown(backends, results, l0, timing, charts);
    markdown += String.format(java.util.Locale.ROOT, "%nThis report took %.1f minutes.%n",
        (System.nanoTime() - started) / 60e9);
    if (output != null) {
      Path dir = output.toAbsolutePath().getParent();
      Files.writeString(output, markdown);
      Files.writeString(dir.resolve(charts + "-throughput.svg"),
          Report.throughputChart(backends, results));
      Files.writeString(dir.resolve(charts + "-latency.svg"),
          Report.latencyChart(backends, results));
      System.err.println("wrote " + output + " and its charts");
    } else {
      System.out.print(markdown);
    }
    System.exit(0); // Clients' non-daemon threads must not keep the JVM.
  }

  /** Runs the comparison over every backend, one at a time, into the two lists. */
  static void compare(boolean quick, Harness.Timing timing, List<Backend> backends,
      List<Result> results) throws Exception {
    Harness harness = new Harness(timing, quick, System.err::println);
    try (Backends all = new Backends(System.getenv())) {
      // Each made just before its runs: the embedded Kafka starts only then.
      for (java.util.function.Supplier<Backend> next : all.all()) {
        Backend backend = next.get();
        backends.add(backend);
        results.addAll(harness.run(backend));
      }
    }
  }
}
