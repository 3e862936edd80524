package dev.realtime.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.benchmarks.chaos.Campaign;
import dev.realtime.benchmarks.chaos.ChaosMain;
import dev.realtime.benchmarks.chaos.Experiment;
import dev.realtime.benchmarks.chaos.ReliabilityReport;
import dev.realtime.benchmarks.chaos.Row;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fault campaign's quick mode, as CI runs it: every broker (processes of the test's own)
 * through every experiment with small counts and short outages. It asserts the promise the
 * campaign exists for, no confirmed message lost, and that the report has every row; the
 * other figures are measured, not asserted.
 */
class QuickChaosTest {
  @Test
  void noConfirmedMessageIsLostInAnyFaultOnAnyBroker() {
    List<Row> rows = ChaosMain.run(Campaign.Sizes.QUICK, null,
        java.util.EnumSet.allOf(Experiment.class));

    assertThat(rows).extracting(row -> row.broker() + ", " + row.experiment().label())
        .hasSize(3 * Experiment.values().length)
        .contains("kafka, member kill -9", "redis streams, network cut",
            "rabbitmq, SIGTERM, broker down");
    assertThat(rows).allSatisfy(row -> {
      assertThat(row.error()).as("%s: did not finish", row).isEmpty();
      assertThat(row.lost()).as("%s: confirmed but never received", row).isZero();
      assertThat(row.confirmed()).as("%s: confirmed", row).isPositive();
    });
    assertThat(ReliabilityReport.markdown(rows, Campaign.Sizes.QUICK, 1))
        .contains("| kafka | broker kill -9 |", "## What the numbers mean");
  }
}
