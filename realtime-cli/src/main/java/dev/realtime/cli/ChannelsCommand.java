package dev.realtime.cli;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelAdmin;
import dev.realtime.channel.ChannelInfo;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.channel.GroupInfo;
import dev.realtime.metrics.RealtimeMetrics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code realtime channels}: create, inspect, list and delete channels, one at a time or from a
 * catalogue file. Every subcommand prints to stdout what it found or changed.
 */
@Command(name = "channels", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
    description = "Create, inspect, list and delete channels; apply a catalogue file.",
    footer = {"",
        "Examples:",
        "  realtime channels ensure orders --partitions=6 --retention=7d --group=billing",
        "  realtime channels describe orders",
        "  realtime channels list",
        "  realtime channels apply catalogue.yaml --dry-run",
        "  realtime channels delete orders"})
final class ChannelsCommand {
  @ParentCommand
  private RealtimeCommand root;

  @Spec
  private CommandSpec spec;

  @Command(name = "ensure", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
      description = "Create the channel, or bring it to these settings (partitions only grow); "
          + "idempotent. Prints the channel as it is now.")
  int ensure(
      @Parameters(paramLabel = "CHANNEL", converter = Converters.ChannelName.class)
          Channel channel,
      @Option(names = "--partitions", paramLabel = "N", description = "Partitions (Kafka).")
          @Nullable Integer partitions,
      @Option(names = "--replication-factor", paramLabel = "N",
          description = "Replicas of each partition (Kafka).") @Nullable Integer replicas,
      @Option(names = "--retention", paramLabel = "DURATION", converter = Converters.Time.class,
          description = "Keep messages this long: 7d, 12h.") @Nullable Duration retention,
      @Option(names = "--retention-bytes", paramLabel = "SIZE",
          converter = Converters.Bytes.class,
          description = "Keep at most this much: 1GiB (Kafka, RabbitMQ).")
          @Nullable Long retentionBytes,
      @Option(names = "--max-messages", paramLabel = "N",
          description = "Keep at most N messages (Redis, memory).") @Nullable Long maxMessages,
      @Option(names = "--compacted", description = "Keep the last message per key (Kafka).")
          boolean compacted,
      @Option(names = "--group", paramLabel = "GROUP",
          description = "Create this consumer group; repeatable.") List<String> groups) {
    ChannelSpec.Builder wanted = ChannelSpec.builder(channel).compacted(compacted);
    try {
      if (partitions != null) {
        wanted.partitions(partitions);
      }
      if (replicas != null) {
        wanted.replicationFactor(replicas);
      }
      if (retention != null) {
        wanted.retention(retention);
      }
      if (retentionBytes != null) {
        wanted.retentionBytes(retentionBytes);
      }
      if (maxMessages != null) {
        wanted.maxMessages(maxMessages);
      }
      if (groups != null) {
        wanted.groups(groups.toArray(new String[0]));
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.subcommands().get("ensure"), e.getMessage());
    }
    try (Broker broker = open()) {
      print(broker.admin().ensure(wanted.build()), System.out);
    }
    return 0;
  }

  @Command(name = "describe", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
      description = "Print a channel's state: backend name, partitions, messages, positions, "
          + "retention, groups with their pending messages and lag. Exit 1 if it does not "
          + "exist.")
  int describe(@Parameters(paramLabel = "CHANNEL", arity = "1..*",
      converter = Converters.ChannelName.class) List<Channel> channels) {
    int status = 0;
    try (Broker broker = open()) {
      for (Channel channel : channels) {
        Optional<ChannelInfo> info = broker.admin().describe(channel);
        if (info.isPresent()) {
          print(info.get(), System.out);
        } else {
          System.err.println("realtime: channel " + channel.name() + " does not exist on "
              + broker.name() + " (realtime channels list shows those that do)");
          status = Main.FAILED;
        }
      }
    }
    return status;
  }

  @Command(name = "list", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
      description = "Print the channels that exist on the broker, one per line, sorted.")
  int list() {
    try (Broker broker = open()) {
      broker.admin().list().forEach(channel -> System.out.println(channel.name()));
    }
    return 0;
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
      description = "Delete channels with their messages and their groups' positions.")
  int delete(@Parameters(paramLabel = "CHANNEL", arity = "1..*",
      converter = Converters.ChannelName.class) List<Channel> channels) {
    try (Broker broker = open()) {
      for (Channel channel : channels) {
        boolean deleted = broker.admin().delete(channel);
        System.out.println((deleted ? "deleted  " : "absent   ") + channel.name());
      }
    }
    return 0;
  }

  @Command(name = "apply", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
      description = {"Bring the broker's channels to a catalogue file (YAML); idempotent. Prints "
          + "what it creates and changes. The whole file is checked first, against the broker's "
          + "abilities and the channels' current state: a problem anywhere changes nothing.",
          "",
          "  channels:",
          "    orders:",
          "      partitions: 6          # Kafka",
          "      retention: 7d",
          "      retention-bytes: 1GiB  # Kafka, RabbitMQ",
          "      max-messages: 100000   # Redis, memory",
          "      groups: [billing, audit]",
          "    user.1: {}",
          "",
          "A setting this broker does not have (partitions on Redis, max-messages on Kafka) is "
              + "skipped with a warning on stderr, so that one file serves every broker; "
              + "--strict makes it an error instead. Channels the file leaves out are left "
              + "alone."})
  int apply(
      @Parameters(paramLabel = "FILE", description = "The catalogue, such as catalogue.yaml.")
          Path file,
      @Option(names = "--dry-run", description = "Print what would change; change nothing.")
          boolean dryRun,
      @Option(names = "--strict", description = "Fail, changing nothing, if the broker does "
          + "not have a setting the file gives, instead of skipping it with a warning.")
          boolean strict) {
    List<ChannelSpec> read = Catalogue.read(file);
    try (Broker broker = open()) {
      ChannelAdmin admin = broker.admin();
      List<String> skipped = new ArrayList<>();
      List<ChannelSpec> specs = new ArrayList<>();
      for (ChannelSpec spec : read) {
        ChannelSpec kept = withoutWhatTheBrokerLacks(admin, broker.name(), spec, skipped);
        try {
          admin.check(kept); // What it cannot do to this channel as it is now.
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(file + ": channel " + spec.channel().name() + ": "
              + Catalogue.inYamlNames(e.getMessage()) + ". Nothing was applied.");
        }
        specs.add(kept);
      }
      for (String line : skipped) {
        System.err.println((strict ? "realtime: " : "warning: ") + file + ": " + line);
      }
      if (strict && !skipped.isEmpty()) {
        throw new IllegalArgumentException(file + ": " + skipped.size() + " setting"
            + (skipped.size() == 1 ? "" : "s") + " that " + broker.name() + " does not have "
            + "(above); --strict refuses them. Nothing was applied.");
      }
      List<String> plan = new ArrayList<>();
      int created = 0;
      int changed = 0;
      for (ChannelSpec spec : specs) {
        Optional<ChannelInfo> now = admin.describe(spec.channel());
        String change;
        try {
          change = now.isEmpty() ? "create   " + spec.channel().name() + settings(spec)
              : changes(spec, now.get());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
        if (now.isEmpty()) {
          created++;
        } else if (!change.isEmpty()) {
          changed++;
        }
        plan.add(change.isEmpty() ? "ok       " + spec.channel().name() : change);
      }
      PrintStream out = System.out;
      for (int i = 0; i < specs.size(); i++) {
        if (!dryRun) {
          admin.ensure(specs.get(i));
        }
        out.println(plan.get(i));
      }
      out.println(String.format(Locale.ROOT, "%s%d created, %d changed, %d unchanged",
          dryRun ? "dry run, nothing applied: " : "", created, changed,
          specs.size() - created - changed));
    }
    return 0;
  }

  /**
   * {@code spec} without the fields this broker does not have, each told in {@code skipped}
   * by its YAML name. A field is lacking if the broker refuses it alone on a channel that does
   * not exist, which tells a missing ability from a refusal about a channel's current state
   * (RabbitMQ cannot change an existing stream's retention): that one still fails the file.
   */
  private static ChannelSpec withoutWhatTheBrokerLacks(ChannelAdmin admin, String broker,
      ChannelSpec spec, List<String> skipped) {
    Channel probe = Channel.of("realtime-probe." + java.util.UUID.randomUUID().toString()
        .substring(0, 8));
    java.util.Set<String> kept = new java.util.LinkedHashSet<>();
    for (String field : Catalogue.fieldsOf(spec)) {
      try {
        admin.check(Catalogue.copy(spec, probe, java.util.Set.of(field)));
        kept.add(field);
      } catch (IllegalArgumentException e) {
        skipped.add("channel " + spec.channel().name() + ": " + field + ": "
            + Catalogue.value(spec, field) + " skipped, " + broker + " does not have it: "
            + Catalogue.inYamlNames(e.getMessage().replace(probe.name(),
            spec.channel().name())));
      }
    }
    return Catalogue.copy(spec, spec.channel(), kept);
  }

  private Broker open() {
    return Brokers.open(root.config(), RealtimeMetrics.NOOP);
  }

  /** What applying {@code spec} changes on {@code now}, or "" if nothing that is visible. */
  private static String changes(ChannelSpec spec, ChannelInfo now) {
    List<String> parts = new ArrayList<>();
    if (spec.partitions() != null && spec.partitions() != now.partitions()) {
      if (spec.partitions() < now.partitions()) {
        throw new IllegalArgumentException("channel " + spec.channel() + " has "
            + now.partitions() + " partitions and the catalogue asks for " + spec.partitions()
            + ": partitions only grow. Raise the catalogue's number, or delete and recreate "
            + "the channel. Nothing was applied.");
      }
      parts.add("partitions " + now.partitions() + " -> " + spec.partitions());
    }
    if (spec.retention() != null && !spec.retention().equals(now.retention())) {
      parts.add("retention " + (now.retention() == null ? "none"
          : Catalogue.show(now.retention())) + " -> " + Catalogue.show(spec.retention()));
    }
    for (String group : spec.groups()) {
      if (now.groups().stream().noneMatch(g -> g.name().equals(group))) {
        parts.add("group " + group + " created");
      }
    }
    return parts.isEmpty() ? "" : "change   " + spec.channel().name() + "  "
        + String.join(", ", parts);
  }

  private static String settings(ChannelSpec spec) {
    List<String> parts = new ArrayList<>();
    if (spec.partitions() != null) {
      parts.add("partitions " + spec.partitions());
    }
    if (spec.retention() != null) {
      parts.add("retention " + Catalogue.show(spec.retention()));
    }
    if (spec.retentionBytes() != null) {
      parts.add("retention-bytes " + spec.retentionBytes());
    }
    if (spec.maxMessages() != null) {
      parts.add("max-messages " + spec.maxMessages());
    }
    if (spec.compacted()) {
      parts.add("compacted");
    }
    if (!spec.groups().isEmpty()) {
      parts.add("groups " + String.join(", ", spec.groups()));
    }
    return parts.isEmpty() ? "" : "  (" + String.join(", ", parts) + ")";
  }

  static void print(ChannelInfo info, PrintStream out) {
    out.println("channel     " + info.channel().name());
    out.println("backend     " + info.backendName());
    out.println("partitions  " + info.partitions());
    out.println("messages    " + (info.messageCount() < 0 ? "unknown"
        : String.format(Locale.ROOT, "%,d", info.messageCount())));
    String none = info.isMessageCountKnown() ? "-" : "unknown";
    out.println("first       " + (info.firstPosition() == null ? none
        : info.firstPosition().value()));
    out.println("last        " + (info.lastPosition() == null ? none
        : info.lastPosition().value()));
    out.println("retention   " + (info.retention() == null ? "no time limit"
        : Catalogue.show(info.retention())));
    if (info.groups().isEmpty()) {
      out.println("groups      -");
    }
    for (GroupInfo group : info.groups()) {
      out.println(String.format(Locale.ROOT, "group       %s  pending %,d  lag %s", group.name(),
          group.pending(), group.lag() == null ? "unknown" : String.format(Locale.ROOT, "%,d",
              group.lag())));
    }
  }
}
