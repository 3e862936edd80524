package dev.realtime.cli;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a catalogue file: what a mistake in it is told as. */
class CatalogueTest {
  @TempDir
  Path dir;

  @Test
  void malformedYamlIsToldWithTheFileLineAndColumn() throws IOException {
    Path file = dir.resolve("catalogue.yaml");
    Files.writeString(file, "channels:\n  orders:\n    retention: 7d\n    groups: [billing\n"
        + "  user.1: {}\n");
    assertThatThrownBy(() -> Catalogue.read(file))
        .hasMessageStartingWith(file + ":5:")
        .hasMessageContaining("not valid YAML")
        .hasMessageNotContaining("\n");

    Files.writeString(file, "channels:\n  orders:\n    retention: 7d\n  orders: {}\n");
    assertThatThrownBy(() -> Catalogue.read(file))
        .hasMessageStartingWith(file + ":4:")
        .hasMessageContaining("orders");
  }
}
