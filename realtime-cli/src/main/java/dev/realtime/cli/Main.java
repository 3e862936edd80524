package dev.realtime.cli;

import java.io.PrintWriter;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code realtime} command's entry point: parses, runs, and turns the outcome into an exit
 * code. 0 is success (an interrupted run that drained cleanly included), 1 a failure at the
 * broker or in the configuration, told in one sentence, 2 a usage error, told with the usage
 * line, and 130 a run forced to stop by a second interrupt.
 */
public final class Main {
  /** A failure at the broker, in the configuration, or a check that did not pass. */
  static final int FAILED = 1;
  /** Options or arguments that do not parse. */
  static final int USAGE = 2;
  /** A second Ctrl-C or SIGTERM: stopped without draining, as shells report a SIGINT death. */
  static final int FORCED = 130;

  private Main() {}

  /** Runs {@code realtime} with {@code args} and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs {@code realtime} with {@code args}, printing to stdout and stderr; returns the code. */
  static int run(String... args) {
    RealtimeCommand root = new RealtimeCommand();
    CommandLine commandLine = new CommandLine(root);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setParameterExceptionHandler(Main::usageError);
    commandLine.setExecutionExceptionHandler((failure, command, parsed) -> {
      PrintWriter err = command.getErr();
      err.println("realtime: " + sentence(failure));
      if (root.verbose()) {
        failure.printStackTrace(err);
      } else {
        err.println("(run with --verbose for the stack trace)");
      }
      err.flush();
      return FAILED;
    });
    return commandLine.execute(args);
  }

  private static int usageError(ParameterException problem, String[] args) {
    CommandLine command = problem.getCommandLine();
    PrintWriter err = command.getErr();
    err.println("realtime: " + problem.getMessage());
    UnmatchedArgumentException.printSuggestions(problem, err);
    err.print(command.getHelp().fullSynopsis());
    err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more.");
    err.flush();
    return USAGE;
  }

  /** The failure's own message, from under the wrappers that asynchronous calls add. */
  static String sentence(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
  }
}
