package dev.realtime.cli;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.Capability;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.subscription.StartPosition;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code realtime history}: reads a channel's past messages without joining any group, so that
 * looking never moves a consumer's position. Prints them as {@code consume} does.
 */
@Command(name = "history", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    description = "Print a channel's past messages, oldest first, without joining any group. "
        + "Exit 1 if the channel does not exist.",
    footer = {"",
        "Examples:",
        "  realtime history --channel=user.1",
        "  realtime history --channel=orders --from=2026-11-23T09:00:00Z --limit=20 "
            + "--output=text",
        "  realtime history --channel=orders --from=0-3 --limit=1   # a position, as printed"})
final class HistoryCommand implements Callable<Integer> {
  @ParentCommand
  private RealtimeCommand root;

  @Spec
  private CommandSpec spec;

  @Option(names = "--channel", required = true, paramLabel = "CHANNEL",
      converter = Converters.ChannelName.class, description = "The channel to read.")
  private Channel channel;

  @Option(names = "--from", defaultValue = "earliest", paramLabel = "START",
      converter = Converters.Start.class,
      description = "earliest, a position, or an ISO time. Default: ${DEFAULT-VALUE}.")
  private StartPosition from;

  @Option(names = "--limit", defaultValue = "100", paramLabel = "N",
      description = "Most messages to print, 1 to " + HistoryQuery.MAX_LIMIT + ". Default: "
          + "${DEFAULT-VALUE}.")
  private int limit;

  @Option(names = "--output", defaultValue = "json", paramLabel = "FORMAT",
      description = "json (one object per line) or text. Default: ${DEFAULT-VALUE}.")
  private MessageOutput.Format output;

  @Override
  public Integer call() {
    HistoryQuery query;
    try {
      query = HistoryQuery.from(from).limit(limit);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    try (Broker broker = Brokers.open(root.config(), RealtimeMetrics.NOOP);
        MessageOutput out = new MessageOutput(output)) {
      // A misspelt channel is not an empty one: as describe does, say it does not exist
      // (exit 1) rather than "0 messages". Redis in pub/sub mode keeps no history and refuses
      // below, whatever the channel.
      if (broker.capabilities().has(Capability.REPLAY)
          && broker.admin().describe(channel).isEmpty()) {
        System.err.println("realtime: channel " + channel.name() + " does not exist on "
            + broker.name() + " (realtime channels list shows those that do)");
        return Main.FAILED;
      }
      List<Message> messages = broker.history(channel, query);
      messages.forEach(out::write);
      out.flush();
      System.err.println(messages.size() + " message" + (messages.size() == 1 ? "" : "s")
          + " of " + channel.name() + " from " + from);
    }
    return 0;
  }
}
