package dev.realtime.benchmarks.harness;

import dev.realtime.benchmarks.drivers.RawKafkaDriver;
import dev.realtime.benchmarks.drivers.RawKafkaDriver.Envelope;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * {@code java -jar benchmarks.jar kafka-wire [--rounds=N] [--quick]}: what each of
 * realtime.kafka.wire-format's choices costs the raw Kafka client, against the bare record:
 * maximum end-to-end throughput at 100 B and 1 KiB, the three sides taking turns in every round
 * (the order rotating) so that a load that drifts over the run falls on all of them. The ratio
 * is the median of each round's own ratio; docs/kafka.md quotes the table.
 */
public final class KafkaWireFormats {
  private KafkaWireFormats() {}

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    int rounds = List.of(args).stream().filter(a -> a.startsWith("--rounds="))
        .map(a -> Integer.parseInt(a.substring("--rounds=".length()))).findFirst()
        .orElse(quick ? 1 : 5);
    Harness.Timing timing = quick ? Harness.Timing.QUICK : Harness.Timing.REPORT;
    StringBuilder table = new StringBuilder("| size | envelope | msg/s (median) | / bare "
        + "(median of rounds) | CPU µs/msg (median) |\n|---|---|--:|--:|--:|\n");
    try (Backends all = new Backends(System.getenv())) {
      String servers = all.kafkaBootstrapServers();
      for (int size : List.of(100, 1024)) {
        Workload workload = Workload.maxThroughput(size, timing.warmUp(), timing.measure());
        Map<Envelope, List<Double>> rates = new EnumMap<>(Envelope.class);
        Map<Envelope, List<Double>> ratios = new EnumMap<>(Envelope.class);
        Map<Envelope, List<Double>> cpu = new EnumMap<>(Envelope.class);
        Envelope[] sides = Envelope.values();
        for (int round = 0; round < rounds; round++) {
          Map<Envelope, Double> thisRound = new EnumMap<>(Envelope.class);
          for (int i = 0; i < sides.length; i++) {
            Envelope side = sides[(i + round) % sides.length];
            System.err.println("kafka raw, envelope " + side + ", " + workload.label()
                + ", round " + (round + 1) + " of " + rounds + "...");
            Result result = LoadRunner.run("kafka", side.name(),
                new RawKafkaDriver(servers, false, side),
                "bench." + UUID.randomUUID().toString().substring(0, 8), workload);
            thisRound.put(side, result.endToEndRate());
            rates.computeIfAbsent(side, s -> new ArrayList<>()).add(result.endToEndRate());
            cpu.computeIfAbsent(side, s -> new ArrayList<>())
                .add(result.cpuPerMessage() / 1e3);
            System.err.printf(Locale.ROOT, "  %,.0f msg/s, %.1f µs/msg%n",
                result.endToEndRate(), result.cpuPerMessage() / 1e3);
          }
          for (Envelope side : sides) {
            ratios.computeIfAbsent(side, s -> new ArrayList<>())
                .add(thisRound.get(side) / thisRound.get(Envelope.NONE));
          }
        }
        for (Envelope side : sides) {
          table.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %.2f | %.1f |%n",
              size == 1024 ? "1 KiB" : size + " B", side.name().toLowerCase(Locale.ROOT),
              median(rates.get(side)), median(ratios.get(side)), median(cpu.get(side))));
        }
      }
    }
    System.out.print(table);
    System.exit(0); // Clients' non-daemon threads must not keep the JVM.
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
