package dev.realtime.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report keeps every adapter's column, whichever module wrote it last, and the mutation
 * scores scripts/mutation wrote into it.
 */
class ConformanceReportTest {
  @Test
  void eachRunReplacesOnlyItsOwnColumnNamesWithSpacesIncluded(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("conformance.md");
    String scores = "\n" + ConformanceReport.MUTATION_HEADING + "\n\n<!-- mutation core begin -->\n"
        + "| `spi.Dispatcher` | 10 | 9 | 1 | 0 | 0 | 90% |\n<!-- mutation core end -->\n";
    Files.writeString(file, "# Conformance\n\nan older matrix\n" + scores);
    ConformanceCase first = ConformanceSuite.cases().get(0);
    String previous = System.getProperty("realtime.conformance.report");
    System.setProperty("realtime.conformance.report", file.toString());
    try {
      ConformanceReport.record("report-test (mode)", first, ConformanceReport.Result.PASSED,
          "");
      ConformanceReport.writeIfAsked("report-test (mode)", "a broker | with a pipe");
      ConformanceReport.record("report-test", first, ConformanceReport.Result.NOT_CLAIMED,
          "not claimed: X");
      ConformanceReport.writeIfAsked("report-test", "another broker");
    } finally {
      if (previous == null) {
        System.clearProperty("realtime.conformance.report");
      } else {
        System.setProperty("realtime.conformance.report", previous);
      }
    }
    String report = Files.readString(file);
    assertThat(report).contains("| # | case | report-test | report-test (mode) |")
        .contains("| 1 | " + first.name() + " | not claimed (not claimed: X) | passed |")
        .contains("- **report-test (mode)**: a broker / with a pipe")
        .doesNotContain("an older matrix")
        .endsWith(scores);
  }
}
