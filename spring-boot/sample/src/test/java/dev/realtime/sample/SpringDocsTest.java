package dev.realtime.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/spring-boot.md shows the sample's own files, as built and run by its test. */
class SpringDocsTest {
  private static final Path DOCS = Path.of("..", "..", "docs", "spring-boot.md");
  private static final Path SOURCES = Path.of("src", "main", "java", "dev", "realtime", "sample");

  @Test
  void theGuidesPropertiesAreTheSamplesFile() throws Exception {
    assertThat(blocks("properties")).containsExactly(
        Files.readString(Path.of("src", "main", "resources", "application.properties")).strip());
  }

  @Test
  void theGuidesJavaBlocksAreTheSamplesClasses() throws Exception {
    assertThat(blocks("java")).containsExactly(body("Orders.java"), body("Mailer.java"));
  }

  @Test
  void theGuidesDependenciesAreTheSamplesOwn() throws Exception {
    String pom = Files.readString(Path.of("pom.xml"));
    Matcher artifact = Pattern.compile("<artifactId>([^<]+)</artifactId>")
        .matcher(String.join("\n", blocks("xml")));
    List<String> named = new ArrayList<>();
    while (artifact.find()) {
      named.add(artifact.group(1));
    }
    assertThat(named).as("the artifacts docs/spring-boot.md tells a user to add")
        .containsExactly("realtime-spring-boot-starter", "realtime-redis")
        .allSatisfy(name -> assertThat(pom).contains("<artifactId>" + name + "</artifactId>"));
  }

  /** A class from its annotations on: the package, imports and class comment left out. */
  private static String body(String file) throws Exception {
    List<String> lines = Files.readString(SOURCES.resolve(file)).lines().toList();
    int start = 0;
    while (!lines.get(start).startsWith("@")) {
      start++;
    }
    return String.join("\n", lines.subList(start, lines.size())).strip();
  }

  private static List<String> blocks(String language) throws Exception {
    Matcher fence = Pattern.compile("```" + language + "\n(.*?)\n```", Pattern.DOTALL)
        .matcher(Files.readString(DOCS));
    List<String> found = new ArrayList<>();
    while (fence.find()) {
      found.add(fence.group(1).strip());
    }
    return found.stream().collect(Collectors.toList());
  }
}
