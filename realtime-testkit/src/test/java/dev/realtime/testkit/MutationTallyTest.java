package dev.realtime.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/mutation-tally}, which turns PIT's report into the scores of docs/conformance.md,
 * run on a small report of four mutants of the real Dispatcher: one killed, one that
 * docs/mutation-equivalents.md shows to be equivalent, one it explains as a race no case can
 * order, one it does not explain. The scores must count each as what it is, and no survivor may
 * vanish from the list under the table.
 */
class MutationTallyTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path DISPATCHER =
      ROOT.resolve("realtime-api/src/main/java/dev/realtime/spi/Dispatcher.java");

  @TempDir Path dir;

  @Test
  void countsEquivalentsApartAndListsEverySurvivorThatIsNot() throws Exception {
    Path report = dir.resolve("mutations.xml");
    Files.writeString(report, "<mutations>\n"
        + mutation("KILLED", "Dispatcher", "dispatch", "for (int i = 0; i < lanes.length; i++) {",
            "negated conditional")
        + mutation("SURVIVED", "Dispatcher", "dispatch",
            "if (batch.size() == spec.batchSize()) {", "negated conditional")
        + mutation("SURVIVED", "Dispatcher$Lane", "enqueue", "releaseQueued();",
            "removed call to dev/realtime/spi/Dispatcher$Lane::releaseQueued")
        + mutation("NO_COVERAGE", "Dispatcher", "finish", "if (isClosing()) {",
            "negated conditional")
        + "</mutations>\n");
    Path doc = dir.resolve("conformance.md");
    Files.writeString(doc, "# Conformance\n");

    String printed = tally(report, doc);

    String written = Files.readString(doc);
    assertThat(written)
        .contains("### core: 33% of the killable mutants (25% of all) of what was mutated")
        .contains("| `spi.Dispatcher` | 4 | 1 | 2 | 1 | 0 | 1 | 25% | 33% |")
        .contains("Survivors that are not equivalent but that no case can reach (1)")
        .contains("- `spi.Dispatcher$Lane.enqueue` line ")
        .contains("Survivors not explained (1)")
        .contains("- `spi.Dispatcher.finish` line ")
        .doesNotContain("batchSize");
    assertThat(printed).contains("1 survivor(s) not explained:");
  }

  private static String mutation(String status, String className, String method, String source,
      String description) throws IOException {
    List<String> lines = Files.readAllLines(DISPATCHER, StandardCharsets.UTF_8);
    int line = 0;
    for (int i = 0; i < lines.size() && line == 0; i++) {
      if (lines.get(i).strip().equals(source)) {
        line = i + 1;
      }
    }
    assertThat(line).as("Dispatcher.java has the line " + source).isPositive();
    return "<mutation detected='" + status.equals("KILLED") + "' status='" + status + "'>"
        + "<sourceFile>Dispatcher.java</sourceFile>"
        + "<mutatedClass>dev.realtime.spi." + className + "</mutatedClass>"
        + "<mutatedMethod>" + method + "</mutatedMethod>"
        + "<lineNumber>" + line + "</lineNumber>"
        + "<description>" + description + "</description></mutation>\n";
  }

  private static String tally(Path report, Path doc) throws Exception {
    Process process = new ProcessBuilder(ROOT.resolve("scripts/mutation-tally").toString(),
        report.toString(), "core", "what was mutated", "1", "--write", doc.toString())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
