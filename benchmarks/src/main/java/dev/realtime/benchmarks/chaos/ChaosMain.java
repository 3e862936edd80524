package dev.realtime.benchmarks.chaos;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code java -jar benchmarks.jar chaos [--quick] [--broker=ID] [--experiment=ID]
 * [--output=FILE]}: the campaign on every broker (or the one with that id), every experiment
 * (or the one with that id, such as {@code sigterm}), the report written to the file or printed.
 */
public final class ChaosMain {
  private static final List<String> ORDER = List.of("kafka", "redis", "rabbitmq");

  private ChaosMain() {}

  public static void main(String[] args) throws Exception {
    List<String> arguments = List.of(args);
    boolean quick = arguments.contains("--quick");
    Path output = dev.realtime.benchmarks.CommandLine.option(args, "output").map(Path::of)
        .orElse(null);
    String only = dev.realtime.benchmarks.CommandLine.option(args, "broker").orElse(null);
    if (only != null && !ORDER.contains(only)) {
      System.err.println("no broker named '" + only + "'; the brokers are " + ORDER);
      System.exit(2);
    }
    Set<Experiment> experiments = EnumSet.allOf(Experiment.class);
    String chosen = arguments.stream().filter(a -> a.startsWith("--experiment="))
        .map(a -> a.substring("--experiment=".length())).findFirst().orElse(null);
    if (chosen != null) {
      experiments = Arrays.stream(Experiment.values()).filter(e -> e.id().equals(chosen))
          .collect(Collectors.toCollection(() -> EnumSet.noneOf(Experiment.class)));
      if (experiments.isEmpty()) {
        System.err.println("no experiment named '" + chosen + "'; the experiments are "
            + Arrays.stream(Experiment.values()).map(Experiment::id).toList());
        System.exit(2);
      }
    }
    Campaign.Sizes sizes = quick ? Campaign.Sizes.QUICK : Campaign.Sizes.FULL;
    long started = System.nanoTime();
    List<Row> rows = run(sizes, only, experiments);
    String markdown = ReliabilityReport.markdown(rows, sizes,
        (System.nanoTime() - started) / 60e9);
    dev.realtime.benchmarks.CommandLine.writeOrPrint(output, markdown);
    System.exit(0);  // Clients' non-daemon threads must not keep the JVM.
  }

  /**
   * The experiments on every broker ({@code only}: that one), in the report's order, logging
   * progress to standard error.
   */
  public static List<Row> run(Campaign.Sizes sizes, String only, Set<Experiment> experiments) {
    Campaign campaign = new Campaign(sizes, experiments,
        line -> System.err.println("chaos: " + line));
    List<Row> rows = new ArrayList<>();
    for (String broker : ORDER) {
      if (only == null || only.equals(broker)) {
        rows.addAll(campaign.run(broker));
      }
    }
    return rows;
  }
}
