package dev.realtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.channel.Channel;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.BrokerEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the launcher must do on every persistent broker, run against a real one by each
 * subclass: publish and consume with exact counts, hand a group's unfinished messages on when
 * stopped by a limit or by SIGTERM, replay, apply a catalogue, check the broker.
 */
abstract class BrokerLauncherContract {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What each test made, removed after it whatever its outcome: the brokers are shared. */
  private final List<String> channels = new ArrayList<>();
  private final List<Launcher.Running> started = new ArrayList<>();

  @AfterEach
  void removeWhatTheTestMade() {
    started.forEach(Launcher.Running::kill);
    if (channels.isEmpty()) {
      return;
    }
    // In this JVM, not through one more child JVM per test (a second or more of CPU each on
    // two cores): `channels delete` has its own test. Not asserted: a failure here must not
    // hide the test's own.
    try (Broker broker = Brokers.open(environment().config())) {
      for (String channel : channels) {
        try {
          broker.admin().delete(Channel.of(channel));
        } catch (RuntimeException e) {
          // Never made: nothing to remove.
        }
      }
    } catch (RuntimeException e) {
      // The broker is away: the test's own failure says why.
    }
  }

  /** The launcher, with the environment that points it at this broker. */
  abstract Launcher realtime();

  /**
   * Whether the adapter says "cannot reach" once its connections are cut, while the consumer
   * sits idle: the Redis and RabbitMQ adapters watch their connections; the Kafka adapter says
   * so from a failing poll, which an idle consumer whose broker is cut need not make.
   */
  boolean warnsOfAnIdleOutage() {
    return true;
  }

  /** The broker the launcher is pointed at, for cutting its connections. */
  abstract BrokerEnvironment environment();

  /** A catalogue setting this broker cannot honour, such as {@code partitions: 3}. */
  abstract String unsupportedSetting();

  /** The environment variables that give a child process {@code config}'s settings. */
  static Launcher pointedAt(RealtimeConfig config) {
    Launcher launcher = Launcher.distribution();
    for (String key : config.keys()) {
      if (key.startsWith("realtime.")) {
        launcher = launcher.env("REALTIME_" + key.substring("realtime.".length())
            .toUpperCase(java.util.Locale.ROOT).replace('.', '_'),
            config.getString(key).orElseThrow());
      }
    }
    return launcher;
  }

  @Test
  void aGroupStoppedByMaxMessagesLeavesTheRestToTheNextMemberAndBroadcastReplaysAll() {
    String channel = channel();
    // The group first, as an application deploys it: on RabbitMQ a group's queue holds only
    // what was published after it was created (docs/rabbitmq.md).
    realtime().run("channels", "ensure", channel, "--group=cli").exits(0);
    realtime().run("publish", "--channel=" + channel, "--count=300").exits(0);

    Launcher.Run first = realtime().run("consume", "--channels=" + channel, "--group=cli",
        "--from=earliest", "--max-messages=100").exits(0);
    assertThat(first.lines()).hasSize(100);
    assertThat(first.stderr).contains("processed 100 messages");

    Launcher.Run rest = realtime().run("consume", "--channels=" + channel, "--group=cli",
        "--from=earliest", "--stop-when-empty").exits(0);
    assertThat(rest.stderr).contains("processed 200 messages");
    List<Long> both = seqs(first);
    both.addAll(seqs(rest));
    assertThat(both).as("every message once, by the two members together")
        .containsExactlyInAnyOrderElementsOf(range(300));

    Launcher.Run replay = realtime().run("consume", "--channels=" + channel,
        "--from=earliest", "--stop-when-empty", "--output=text").exits(0);
    assertThat(replay.lines()).hasSize(300);
    assertThat(replay.lines().get(0)).contains(channel + "  message  {\"seq\":1,");

    Launcher.Run history = realtime().run("history", "--channel=" + channel, "--limit=5")
        .exits(0);
    assertThat(seqs(history)).containsExactly(1L, 2L, 3L, 4L, 5L);

  }

  @Test
  void sigtermDuringAGroupConsumeDrainsExitsZeroAndLosesNothing() {
    String channel = channel();
    int total = 20_000;
    realtime().run("channels", "ensure", channel, "--group=cli").exits(0);
    realtime().run("publish", "--channel=" + channel, "--count=" + total).exits(0);

    Launcher.Running consumer = realtime().start("consume", "--channels=" + channel,
        "--group=cli", "--from=earliest", "--batch-size=50");
    started.add(consumer);
    await().atMost(Duration.ofSeconds(60))
        .until(() -> consumer.stdoutSoFar().lines().count() >= 500);
    consumer.terminate();
    Launcher.Run stopped = consumer.await(Duration.ofSeconds(60)).exits(0);
    long processed = stopped.lines().size();
    assertThat(stopped.stderr).as("the summary counts what was printed")
        .containsPattern("processed " + String.format(java.util.Locale.ROOT, "%,d", processed)
            + " messages in");

    Launcher.Run rest = realtime().run("consume", "--channels=" + channel, "--group=cli",
        "--from=earliest", "--stop-when-empty").exits(0);
    Set<Long> seen = new HashSet<>(seqs(stopped));
    seen.addAll(seqs(rest));
    assertThat(seen).as("the second consumer got what the first did not finish (%d of %d "
        + "before SIGTERM)", processed, total).containsExactlyInAnyOrderElementsOf(range(total));

  }

  @Test
  void aCatalogueAppliesIdempotentlyAndAllOrNothing(@TempDir Path dir) throws IOException {
    String orders = channel();
    String audit = channel();
    Path catalogue = dir.resolve("catalogue.yaml");
    Files.writeString(catalogue, "channels:\n  " + orders + ":\n    retention: 7d\n"
        + "    groups: [billing]\n  " + audit + ": {}\n");

    Launcher.Run applied = realtime().run("channels", "apply", catalogue.toString()).exits(0);
    assertThat(applied.stdout).contains("create   " + orders + "  (retention 7d, groups billing)")
        .contains("create   " + audit).contains("2 created, 0 changed, 0 unchanged");
    assertThat(realtime().run("channels", "apply", catalogue.toString()).exits(0).stdout)
        .contains("0 created, 0 changed, 2 unchanged");
    assertThat(realtime().run("channels", "describe", orders).exits(0).stdout)
        .contains("retention   7d").contains("group       billing");
    assertThat(realtime().run("channels", "list").exits(0).lines()).contains(orders, audit);

    String other = channel();
    String lacking = channel();
    String field = unsupportedSetting().substring(0, unsupportedSetting().indexOf(':'));
    Files.writeString(catalogue, "channels:\n  " + other + ": {}\n  " + lacking + ":\n    "
        + unsupportedSetting() + "\n");
    Launcher.Run refused = realtime().run("channels", "apply", catalogue.toString(),
        "--strict").exits(Main.FAILED);
    assertThat(refused.stderr).doesNotContain("\tat ")
        .as("the file, the channel and the YAML field, not ChannelSpec's method names")
        .contains(catalogue + ": channel " + lacking + ": " + field + ": ")
        .doesNotContain("maxMessages").doesNotContain("retentionBytes")
        .contains("Nothing was applied");
    assertThat(realtime().run("channels", "describe", other).exits(Main.FAILED).stderr)
        .as("nothing of a refused catalogue is applied").contains("does not exist");

    Launcher.Run skipped = realtime().run("channels", "apply", catalogue.toString()).exits(0);
    assertThat(skipped.stderr).as("without --strict, a warning per setting skipped")
        .contains("warning: " + catalogue + ": channel " + lacking + ": " + field + ": ")
        .contains("skipped");
    assertThat(skipped.stdout).contains("create   " + other).contains("create   " + lacking)
        .doesNotContain(field);

    assertThat(realtime().run("channels", "delete", orders, audit).exits(0).stdout)
        .contains("deleted  " + orders).contains("deleted  " + audit);
    channels.removeAll(List.of(orders, audit));
  }

  /** The catalogue that docs/cli.md shows applies on every broker, and again unchanged. */
  @Test
  void theCatalogueOfDocsCliMdAppliesOnThisBroker(@TempDir Path dir) throws IOException {
    String docs = Files.readString(Path.of(System.getProperty("user.dir"), "..", "docs",
        "cli.md"));
    java.util.regex.Matcher block = java.util.regex.Pattern.compile("(?s)```yaml\n(.*?)```")
        .matcher(docs);
    assertThat(block.find()).as("a yaml block in docs/cli.md").isTrue();
    String orders = channel();
    String user = channel();
    String yaml = block.group(1).replace("\n  orders:", "\n  " + orders + ":")
        .replace("\n  user.1:", "\n  " + user + ":");
    assertThat(yaml).contains(orders).contains(user);
    Path catalogue = dir.resolve("catalogue.yaml");
    Files.writeString(catalogue, yaml);

    Launcher.Run applied = realtime().run("channels", "apply", catalogue.toString()).exits(0);
    assertThat(applied.stdout).contains("create   " + orders).contains("create   " + user)
        .contains("2 created, 0 changed, 0 unchanged");
    assertThat(applied.stderr).doesNotContain("\tat ").doesNotContain("maxMessages")
        .doesNotContain("retentionBytes").doesNotContain("replicationFactor");
    assertThat(realtime().run("channels", "apply", catalogue.toString()).exits(0).stdout)
        .contains("0 created, 0 changed, 2 unchanged");
  }

  /**
   * A broker outage under a running consumer is told in one line, with its cause: the client
   * libraries' own per-attempt lines and stack traces (amqp-client alone printed 34 lines of
   * stack per event) stay out; --verbose adds the INFO lines, such as the broker answering
   * again.
   */
  @Test
  void anOutageIsToldInOneLineAndInfoOnlyWithVerbose() {
    org.junit.jupiter.api.Assumptions.assumeTrue(warnsOfAnIdleOutage(),
        "this adapter warns of an outage only from a failing poll");
    String channel = channel();
    realtime().run("channels", "ensure", channel).exits(0);
    for (boolean verbose : new boolean[] {false, true}) {
      List<String> args = new ArrayList<>(verbose ? List.of("--verbose") : List.of());
      args.addAll(List.of("consume", "--channels=" + channel, "--stats-interval=0"));
      Launcher.Running consumer = realtime().start(args.toArray(new String[0]));
      started.add(consumer);
      await().atMost(Duration.ofSeconds(60))
          .until(() -> consumer.stderrSoFar().contains("Ctrl-C to stop"));
      int before = consumer.stderrSoFar().length();
      environment().cutConnections();
      try {
        await().atMost(Duration.ofSeconds(60))
            .until(() -> consumer.stderrSoFar().substring(before).contains("cannot reach"));
      } finally {
        environment().restoreConnections();
      }
      if (verbose) {
        await().atMost(Duration.ofSeconds(60))
            .until(() -> consumer.stderrSoFar().substring(before).contains("answers again"));
      }
      consumer.terminate();
      Launcher.Run run = consumer.await(Duration.ofSeconds(60));
      String told = run.stderr.substring(before);
      assertThat(told.lines().filter(line -> line.contains("cannot reach")))
          .as("one warning for the outage").hasSize(1);
      if (!verbose) {
        assertThat(told).as("one line per log event, no stack trace, no INFO")
            .doesNotContain("\tat ").doesNotContain("Exception in thread")
            .doesNotContain("answers again");
      }
    }
  }

  /** As describe: a misspelt channel is an error naming it, not an empty history. */
  @Test
  void historyOfAMissingChannelFailsNamingItAndOfAnEmptyOneIsEmpty() {
    String missing = channel();
    Launcher.Run run = realtime().run("history", "--channel=" + missing).exits(Main.FAILED);
    assertThat(run.stderr).contains("channel " + missing + " does not exist")
        .doesNotContain("0 messages");
    assertThat(realtime().run("channels", "describe", missing).exits(Main.FAILED).stderr)
        .contains("channel " + missing + " does not exist");

    String empty = channel();
    realtime().run("channels", "ensure", empty).exits(0);
    Launcher.Run none = realtime().run("history", "--channel=" + empty).exits(0);
    assertThat(none.stdout).isEmpty();
    assertThat(none.stderr).contains("0 messages of " + empty);
  }

  @Test
  void doctorPassesEveryCheck() {
    Launcher.Run doctor = realtime().run("doctor").exits(0);
    assertThat(doctor.stdout).contains("ok    connect").contains("ok    health")
        .contains("ok    publish").contains("ok    subscribe").contains("ok    delete channel")
        .contains("all checks passed");
  }

  private String channel() {
    String channel = "cli." + UUID.randomUUID().toString().substring(0, 8);
    channels.add(channel);
    return channel;
  }

  private static List<Long> range(long count) {
    return LongStream.rangeClosed(1, count).boxed().collect(Collectors.toList());
  }

  /** The generated messages' sequence numbers, from JSON or text lines. */
  private static List<Long> seqs(Launcher.Run run) {
    List<Long> seqs = new ArrayList<>();
    for (String line : run.lines()) {
      try {
        JsonNode tree = JSON.readTree(line);
        seqs.add(tree.get("payload").get("seq").asLong());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return seqs;
  }
}
