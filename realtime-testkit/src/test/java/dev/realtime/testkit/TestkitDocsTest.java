package dev.realtime.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/testkit.md's examples are realtime-kafka's test classes, as compiled and run. */
class TestkitDocsTest {
  @Test
  void theExampleIsTheKafkaModulesConformanceTest() throws IOException {
    String docs = Files.readString(Path.of("..", "docs", "testkit.md"));
    Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(docs);
    assertThat(block.find()).as("docs/testkit.md has a java block").isTrue();
    String source = Files.readString(Path.of("..", "realtime-kafka", "src", "test", "java",
        "dev", "realtime", "kafka", "KafkaConformanceTest.java"));

    assertThat(codeOf(block.group(1))).isEqualTo(codeOf(source));
  }

  @Test
  void theMutationExampleIsTheKafkaModulesCaseByCase() throws IOException {
    String docs = Files.readString(Path.of("..", "docs", "testkit.md"));
    String section = docs.substring(docs.indexOf("**One test per case.**"));
    Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(section);
    assertThat(block.find()).as("docs/testkit.md shows a CaseByCase").isTrue();
    String source = Files.readString(Path.of("..", "realtime-kafka", "src", "test", "java",
        "dev", "realtime", "kafka", "KafkaCasesMutation.java"));

    assertThat(codeOf(block.group(1))).isEqualTo(codeOf(source));
  }

  /** The lines that matter: no Javadoc, no blank lines. */
  private static String codeOf(String java) {
    return java.lines().filter(line -> !line.startsWith("/**") && !line.isBlank())
        .collect(Collectors.joining("\n"));
  }
}
