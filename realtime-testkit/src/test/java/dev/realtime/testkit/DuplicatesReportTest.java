package dev.realtime.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.Message;
import dev.realtime.testkit.env.Environments;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Duplicates reach a case's result: counted in its report line when it passes, and failing it
 * where a log promised once-only delivery (they used to be noted after the result was recorded,
 * so a case that saw duplicates reported a bare "passed").
 */
class DuplicatesReportTest {
  @Test
  void aCaseThatSawDuplicatesCountsThemInItsReportLine() throws Exception {
    ConformanceCase duplicating = ConformanceCase.of(91, "duplicates counted", ctx -> {
      DeliveryLog log = ctx.log("subscriber");
      Message message = ctx.message(ctx.channel("twice"), "twice");
      log.record(message);
      log.record(message);
    });
    try (CaseContext context = new CaseContext(Environments.memory(), duplicating, "rdup",
        Duration.ofSeconds(5))) {
      ConformanceSuite.runIn(context, duplicating, "duplicates-test");
    }

    assertThat(ConformanceReport.cell("duplicates-test", 91))
        .isEqualTo("passed (subscriber: 1 delivered more than once)");
  }

  @Test
  void aDuplicateInAOnceOnlyLogFailsTheCase() throws Exception {
    ConformanceCase duplicating = ConformanceCase.of(92, "once only", ctx -> {
      DeliveryLog log = ctx.onceOnlyLog("group");
      Message message = ctx.message(ctx.channel("twice"), "twice");
      log.record(message);
      log.record(message);
    });
    try (CaseContext context = new CaseContext(Environments.memory(), duplicating, "rdup",
        Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> ConformanceSuite.runIn(context, duplicating, "duplicates-test"))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("group: 1 delivered more than once");
    }
    assertThat(ConformanceReport.cell("duplicates-test", 92)).isNull();
  }
}
