package dev.realtime.benchmarks;

import dev.realtime.benchmarks.chaos.ChaosMain;
import dev.realtime.benchmarks.gateway.GatewayFanout;
import dev.realtime.benchmarks.harness.Backend;
import dev.realtime.benchmarks.harness.Backends;
import dev.realtime.benchmarks.harness.Harness;
import dev.realtime.benchmarks.harness.KafkaWireFormats;
import dev.realtime.benchmarks.harness.ReplicationPrice;
import dev.realtime.benchmarks.harness.Report;
import dev.realtime.benchmarks.harness.Result;
import dev.realtime.benchmarks.harness.TopFrames;
import dev.realtime.benchmarks.l0.L0;
import dev.realtime.benchmarks.throughput.PublishThroughput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * {@code java -jar benchmarks.jar chaos [--quick] [--broker=ID] [--output=FILE]}: the fault
 * campaign ({@link dev.realtime.benchmarks.chaos.Campaign}); {@code java -jar benchmarks.jar
 * compare [--quick] [--backend=ID] [--output=FILE]}: L0, the harness and the publish
 * benchmark, every backend one after the other (or the one with that id), into the report;
 * {@code java -jar benchmarks.jar clusters [--quick] [--broker=ID] [--output=FILE]}: each
 * broker's single node and a cluster of its own, raw and SDK ({@link ReplicationPrice});
 * {@code java -jar benchmarks.jar kafka-wire [--rounds=N] [--quick]}: the raw Kafka client bare
 * and carrying the SDK's envelope in each wire format ({@link KafkaWireFormats}); {@code java
 * -jar benchmarks.jar jmh [JMH options]}: the JMH benchmarks alone; {@code java -jar
 * benchmarks.jar gateway [--connections=N] [--quick] [--output=FILE]}: the gateway's fan-out
 * ({@link GatewayFanout}); {@code java -jar
 * benchmarks.jar top-frames FILE.jfr [N]}: where a JFR recording's CPU samples fall ({@link
 * TopFrames}).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("jmh")) {
      org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("kafka-wire")) {
      KafkaWireFormats.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("top-frames")) {
      TopFrames.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("chaos")) {
      ChaosMain.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("gateway")) {
      GatewayFanout.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("clusters")) {
      clusters(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length == 0 || !args[0].equals("compare")) {
      System.err.println("usage: benchmarks.jar compare [--quick] [--backend=ID] [--output=FILE]"
          + " | clusters [--quick] [--broker=ID] [--output=FILE]"
          + " | chaos [--quick] [--broker=ID] [--output=FILE] | kafka-wire [--rounds=N] [--quick]"
          + " | gateway [--connections=N] [--rounds=N] [--quick] [--output=FILE]"
          + " | jmh [...] | top-frames FILE.jfr [N]");
      System.exit(2);
    }
    boolean quick = List.of(args).contains("--quick");
    Path output = CommandLine.option(args, "output").map(Path::of).orElse(null);
    String only = CommandLine.option(args, "backend").orElse(null);
    Harness.Timing timing = quick ? Harness.Timing.QUICK : Harness.Timing.REPORT;
    long started = System.nanoTime();
    List<Backend> backends = new ArrayList<>();
    List<Result> results = new ArrayList<>();
    List<L0.Row> l0;
    List<PublishThroughput.Row> publish;
    try (Backends all = new Backends(System.getenv())) {
      if (only != null && !all.all().containsKey(only)) {
        throw new IllegalArgumentException("no backend named '" + only + "'; the backends are "
            + all.all().keySet());
      }
      System.err.println("L0 (JMH, in-memory broker)...");
      l0 = only == null || only.equals("memory") ? L0.run(timing.l0()) : List.of();
      compare(all, new Harness(timing, quick, System.err::println), only, backends, results);
      // After the harness: the Kafka broker's JVM is warm by then, so that the first JMH fork
      // does not measure its JIT at work, which a later fork would not: two modes, one interval.
      System.err.println("Publish throughput (JMH, raw and SDK)...");
      publish = only != null && !PublishThroughput.backends().contains(only) ? List.of()
          : PublishThroughput.run(timing.publish(), quick, only,
              only == null || only.equals("kafka") ? all.kafkaBootstrapServers() : null);
    }
    String charts = output == null ? null
        : output.getFileName().toString().replaceFirst("\\.md$", "");
    String markdown = Report.markdown(backends, results, l0, publish, timing, charts);
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

  /** The {@code clusters} command: {@link ReplicationPrice}, printed or written. */
  private static void clusters(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    Path output = CommandLine.option(args, "output").map(Path::of).orElse(null);
    String only = CommandLine.option(args, "broker").orElse(null);
    Harness.Timing timing = quick ? Harness.Timing.QUICK : Harness.Timing.REPORT;
    long started = System.nanoTime();
    List<Backend> backends = new ArrayList<>();
    List<Result> results = new ArrayList<>();
    try (Backends single = new Backends(System.getenv())) {
      ReplicationPrice.run(single, new Harness(timing, quick, System.err::println), only,
          backends, results);
    }
    String markdown = ReplicationPrice.markdown(backends, results, timing)
        + String.format(java.util.Locale.ROOT, "%nThis report took %.1f minutes.%n",
            (System.nanoTime() - started) / 60e9);
    CommandLine.writeOrPrint(output, markdown);
    System.exit(0); // Clients' non-daemon threads must not keep the JVM.
  }

  /**
   * Runs the comparison over every backend ({@code only}: the one with that id), one at a
   * time, into the two lists.
   */
  static void compare(Backends all, Harness harness, @Nullable String only,
      List<Backend> backends, List<Result> results) throws Exception {
    // Each made just before its runs: the embedded Kafka starts only then.
    for (Map.Entry<String, Supplier<Backend>> next : all.all().entrySet()) {
      if (only != null && !next.getKey().equals(only)) {
        continue;
      }
      Backend backend = next.getValue().get();
      backends.add(backend);
      results.addAll(harness.run(backend));
    }
  }
}
