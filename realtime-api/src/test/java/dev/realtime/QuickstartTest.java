package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
        Path.of("src", "test", "java", "dev", "realtime", "Quickstart.java"));

    assertThat(codeOf(source)).isEqualTo(codeOf(block.group(1)));
  }

  @Test
  void theQuickstartRunsAndReceivesBothMessages() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      Quickstart.main(new String[0]);
    } finally {
      System.setOut(original);
    }
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("push to user 1: {\"title\":\"Hello\"}")
        .contains("send mail {to=ada@example.com}");
  }

  /** The lines that matter: no package, no Javadoc, no import of a class in this package. */
  private static String codeOf(String java) {
    return java.lines()
        .filter(line -> !line.startsWith("package ") && !line.startsWith("/**")
            && !line.equals("import dev.realtime.Realtime;") && !line.isBlank())
        .collect(Collectors.joining("\n"));
  }
}
