package dev.realtime.benchmarks.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The fan-out benchmark's quick mode on the machine's Redis: two node JVMs, 200 clients, every
 * receipt counted; it asserts what the run proves (nothing missed, both nodes measured), no
 * figure.
 */
class QuickGatewayFanoutTest {
  @Test
  void everyClientOnBothNodesReceivesEveryRoundAndTheReportSaysSo() throws Exception {
    String report = GatewayFanout.run(200, 3, true, null);

    assertThat(report).contains("Receipts: 600 of 600 (0 missed).")
        .contains("| A | 100 |").contains("| B | 100 |")
        .contains("A --quick run");
  }
}
