package dev.realtime.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report keeps every adapter's column, whichever module wrote it last. */
class ConformanceReportTest {
  @Test
  void eachRunReplacesOnlyItsOwnColumnNamesWithSpacesIncluded(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("conformance.md");
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
        .contains("- **report-test (mode)**: a broker / with a pipe");
  }
}
