package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.config.ConfigOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists every option the providers on this classpath declare. */
class ConfigurationDocsTest {
  @Test
  void everyDeclaredOptionIsDocumentedWithItsDescription() throws IOException {
    String docs = Files.readString(Path.of("..", "docs", "configuration.md"));
    for (ConfigOption<?> option : Brokers.options()) {
      assertThat(docs).as("docs/configuration.md row for " + option.name())
          .contains("| `" + option.name() + "` | " + option.typeName() + " |")
          .contains(option.description()
              + (isConstrained(option) ? " Allowed: " + option.allowed() + "." : ""));
    }
  }

  /** A range or choices, which the row states after the description. */
  private static boolean isConstrained(ConfigOption<?> option) {
    return option.min().isPresent() || option.max().isPresent() || !option.choices().isEmpty();
  }
}
