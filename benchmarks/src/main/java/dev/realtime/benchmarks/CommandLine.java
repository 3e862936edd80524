package dev.realtime.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** What the benchmark commands share of their command lines: options, and where a report goes. */
public final class CommandLine {
  private CommandLine() {}

  /** The value of {@code --name=VALUE} in {@code args}, if given. */
  public static Optional<String> option(String[] args, String name) {
    String prefix = "--" + name + "=";
    return Arrays.stream(args).filter(a -> a.startsWith(prefix))
        .map(a -> a.substring(prefix.length())).findFirst();
  }

  /** Writes {@code markdown} to {@code output} and says so, or prints it when there is none. */
  public static void writeOrPrint(@Nullable Path output, String markdown) throws IOException {
    if (output != null) {
      Files.writeString(output, markdown);
      System.err.println("wrote " + output);
    } else {
      System.out.print(markdown);
    }
  }
}
