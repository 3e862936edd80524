package dev.realtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clone's {@code ./realtime} script, with a stand-in for {@code mvnw} (a real first build
 * takes a minute): it says what it does while it builds, once, and shows the build's output
 * only when the build fails.
 */
class RootLauncherTest {
  /** Maven's batch-mode lines, then the distribution's launcher, as `package` leaves it. */
  private static final String FAKE_MVNW = """
      #!/usr/bin/env bash
      echo "[INFO] Scanning for projects..."
      echo "[INFO] Building realtime-parent 0.1.0-SNAPSHOT                     [1/3]"
      echo "[INFO] Building realtime-api 0.1.0-SNAPSHOT                        [2/3]"
      echo "[INFO] Building realtime-cli 0.1.0-SNAPSHOT                        [3/3]"
      if [ -n "${FAIL_BUILD:-}" ]; then echo "[ERROR] COMPILATION ERROR"; exit 1; fi
      mkdir -p realtime-cli/target/realtime/bin
      printf '#!/bin/sh\\necho "ran $*"\\n' > realtime-cli/target/realtime/bin/realtime
      chmod +x realtime-cli/target/realtime/bin/realtime
      """;

  @TempDir
  Path clone;

  @Test
  void theFirstRunSaysItBuildsHowLongItTakesAndEachModule() throws Exception {
    setUp();
    Result first = run(false, "--version");
    assertThat(first.exit).isZero();
    assertThat(first.stdout).isEqualTo("ran --version\n");
    assertThat(first.stderr)
        .contains("realtime: building the command line on first use: about a minute")
        .contains("realtime:   [2/3] realtime-api").contains("realtime:   [3/3] realtime-cli")
        .containsPattern("realtime: built in \\d+ s")
        .doesNotContain("Scanning for projects");

    Result second = run(false, "--version");
    assertThat(second.stderr).as("built already: nothing to say").isEmpty();
    assertThat(second.stdout).isEqualTo("ran --version\n");
  }

  @Test
  void aFailedBuildShowsMavensOutputAndExitsWithItsCode() throws Exception {
    setUp();
    Result failed = run(true, "--version");
    assertThat(failed.exit).isEqualTo(1);
    assertThat(failed.stdout).isEmpty();
    assertThat(failed.stderr).contains("[ERROR] COMPILATION ERROR")
        .contains("realtime: the build failed (exit 1)");
  }

  private void setUp() throws IOException {
    Path script = Path.of(System.getProperty("user.dir")).resolve("../realtime");
    Files.copy(script, clone.resolve("realtime"));
    Files.writeString(clone.resolve("mvnw"), FAKE_MVNW, StandardCharsets.UTF_8);
    for (String name : new String[] {"realtime", "mvnw"}) {
      Files.setPosixFilePermissions(clone.resolve(name),
          PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  private record Result(int exit, String stdout, String stderr) {}

  private Result run(boolean failBuild, String... args) throws Exception {
    Path out = clone.resolve("out.txt");
    Path err = clone.resolve("err.txt");
    ProcessBuilder builder = new ProcessBuilder(clone.resolve("realtime").toString())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.command().addAll(java.util.List.of(args));
    if (failBuild) {
      builder.environment().put("FAIL_BUILD", "1");
    }
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the script ended").isTrue();
    return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }
}
