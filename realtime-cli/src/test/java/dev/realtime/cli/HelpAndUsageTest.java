package dev.realtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The help and the pattern errors, as {@link Main#run} prints them, in this JVM: what they say
 * is the same through the launcher, which passes the arguments, the output and the exit code on
 * untouched ({@code LauncherIT} checks that, a usage error included), so these need no JVM each.
 */
class HelpAndUsageTest {
  @Test
  void everyCommandHasHelpWithExamples() {
    for (String command : new String[] {"consume", "publish", "history", "channels", "doctor",
        "demo", "bench"}) {
      Ran help = run(command, "--help");
      assertThat(help.exitCode).as(command).isZero();
      assertThat(help.stdout).as(command).contains("Usage: realtime " + command)
          .contains("--broker");
    }
    Ran root = run("--help");
    assertThat(root.exitCode).isZero();
    assertThat(root.stdout).contains("consume", "publish", "history", "channels", "doctor",
        "demo", "bench", "Exit codes");
  }

  @Test
  void aBadPatternIsToldAsAPatternWithWhatPatternsAllow() {
    for (String bad : new String[] {"x.**", "x.*a", "user#"}) {
      Ran run = run("consume", "--channels=" + bad);
      assertThat(run.exitCode).as(bad).isEqualTo(Main.USAGE);
      assertThat(run.stderr).as(bad).contains("Invalid channel pattern \"" + bad + "\"")
          .contains("'*' stands for exactly one segment and '#' for any number");
    }
  }

  private record Ran(int exitCode, String stdout, String stderr) {}

  /** Runs {@link Main#run} with stdout and stderr captured. */
  private static Ran run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
      code = Main.run(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return new Ran(code, stdout.toString(StandardCharsets.UTF_8),
        stderr.toString(StandardCharsets.UTF_8));
  }
}
