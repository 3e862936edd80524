package dev.realtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.config.ConfigOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/kafka.md lists every option the adapter declares, as the code declares it. */
class KafkaDocsTest {
  @Test
  void everyOptionIsDocumentedWithItsTypeAndDescription() throws IOException {
    String docs = Files.readString(Path.of("..", "docs", "kafka.md"));
    for (ConfigOption<?> option : KafkaOptions.ALL) {
      assertThat(docs).as("docs/kafka.md row for " + option.name())
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
