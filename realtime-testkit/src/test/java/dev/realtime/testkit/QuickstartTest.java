package dev.realtime.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.testkit.env.Environments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README's quickstart, as a newcomer would copy it: it compiles, runs and prints. */
class QuickstartTest {
  @Test
  void theReadmeQuickstartIsTheCompiledOne() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(block.find()).as("README.md has a java block").isTrue();
    String source = Files.readString(
        Path.of("src", "main", "java", "dev", "realtime", "testkit", "Quickstart.java"));

    assertThat(codeOf(source)).isEqualTo(codeOf(block.group(1)));
  }

  /** The in-memory broker; each adapter module runs it on its broker (KafkaQuickstartTest...). */
  @Test
  void theQuickstartRunsAndReceivesBothMessages() throws Exception {
    QuickstartRun.assertBothArrive(Environments.memory(), null);
  }

  /** The lines that matter: no package line, no Javadoc, no import of Realtime (implicit there). */
  private static String codeOf(String java) {
    return java.lines()
        .filter(line -> !line.startsWith("package ") && !line.startsWith("/**")
            && !line.equals("import dev.realtime.Realtime;") && !line.isBlank())
        .collect(Collectors.joining("\n"));
  }
}
