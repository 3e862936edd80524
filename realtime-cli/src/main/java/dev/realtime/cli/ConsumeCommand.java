package dev.realtime.cli;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.Message;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.config.RealtimeOptions;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code realtime consume}: subscribes, prints each message to stdout, and tells how it goes on
 * stderr. Each message is written and flushed before its handler returns, so it is acknowledged
 * only once it is out: a group consumer that is killed, or stopped by Ctrl-C or SIGTERM, leaves
 * every message it did not print to the group.
 *
 * <p>Stopping: {@code --max-messages} closes the subscription from the handler that printed the
 * last one, so that nothing after it is handled (and, in a group, nothing after it is
 * acknowledged); {@code --stop-when-empty} stops once no message came for {@code --timeout},
 * and where the broker measures lag, only when it is zero; the first signal stops taking
 * messages and lets the one being printed finish.
 */
@Command(name = "consume", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    description = "Subscribe to channels and print each message (JSON lines on stdout); live "
        + "stats and a summary on stderr.",
    footer = {"",
        "Examples:",
        "  realtime consume --channels=user.1,public.news",
        "  realtime consume --channels=jobs.email --group=mailers --from=earliest",
        "  realtime consume --channels='user.*' --output=text",
        "  realtime consume --channels=orders --group=audit --from=earliest --stop-when-empty "
            + "| jq .payload",
        "",
        "Ctrl-C or SIGTERM stops taking messages, finishes the one in hand, prints the summary "
            + "and exits 0; a second one exits 130 at once."})
final class ConsumeCommand implements Callable<Integer> {
  /**
   * Before any message came, --stop-when-empty waits at least this long: a Kafka group member
   * is assigned its partitions only after a rebalance (group.initial.rebalance.delay.ms, 3 s by
   * default), and a first fetch can take longer than --timeout, while lag gauges read 0 until
   * first measured. Quiet then says nothing about the backlog.
   */
  static final Duration START_WAIT = Duration.ofSeconds(5);

  @ParentCommand
  private RealtimeCommand root;

  @Spec
  private CommandSpec spec;

  @Option(names = "--channels", required = true, split = ",", paramLabel = "CHANNEL",
      converter = Converters.ChannelOrPattern.class,
      description = "Channels or patterns (user.*, audit.#), comma-separated.")
  private List<String> channels;

  @Option(names = "--group", paramLabel = "GROUP",
      description = "Join this consumer group: its members share the messages. Default: "
          + "realtime.consumer-group (KAFKA_CONSUMER_GROUP), else none, which receives every "
          + "message (broadcast).")
  private String group;

  @Option(names = "--from", defaultValue = "latest", paramLabel = "START",
      converter = Converters.Start.class,
      description = "earliest, latest, a position, or an ISO time (2026-11-23T10:15:00Z). "
          + "A group uses it only the first time it reads a channel. Default: ${DEFAULT-VALUE}.")
  private StartPosition from;

  @Option(names = "--batch-size", defaultValue = "200", paramLabel = "N",
      description = "Most messages fetched at once. Default: ${DEFAULT-VALUE}.")
  private int batchSize;

  @Option(names = "--timeout", defaultValue = "500", paramLabel = "DURATION",
      converter = Converters.Time.class,
      description = "How long one fetch waits for messages, and the quiet time that ends "
          + "--stop-when-empty; a bare number is milliseconds. Default: ${DEFAULT-VALUE}.")
  private Duration timeout;

  @Option(names = "--max-messages", paramLabel = "N",
      description = "Stop after printing N messages.")
  private Long maxMessages;

  @Option(names = "--stop-when-empty",
      description = "Stop once the backlog is drained: no message for --timeout (before the "
          + "first message, at least 5s, the time a Kafka group may take to join), and no lag "
          + "where the broker measures it.")
  private boolean stopWhenEmpty;

  @Option(names = "--output", defaultValue = "json", paramLabel = "FORMAT",
      description = "json (one object per line) or text. Default: ${DEFAULT-VALUE}.")
  private MessageOutput.Format output;

  @Option(names = "--stats-interval", defaultValue = "5s", paramLabel = "DURATION",
      converter = Converters.Time.class,
      description = "How often live stats go to stderr; 0 for none. Default: ${DEFAULT-VALUE}.")
  private Duration statsInterval;

  private final ConsumerStats stats = new ConsumerStats();
  private final CountDownLatch stop = new CountDownLatch(1);
  private final CompletableFuture<Subscription> subscription = new CompletableFuture<>();
  /** When the last message was printed; 0 until the first. */
  private final AtomicLong lastMessageNanos = new AtomicLong();
  private @Nullable MessageOutput out;

  @Override
  public Integer call() throws InterruptedException {
    if (batchSize < 1) {
      throw new ParameterException(spec.commandLine(),
          "--batch-size must be at least 1, not " + batchSize);
    }
    if (maxMessages != null && maxMessages < 1) {
      throw new ParameterException(spec.commandLine(),
          "--max-messages must be at least 1, not " + maxMessages);
    }
    RealtimeConfig config = root.config();
    String groupName = group != null ? group : config.get(RealtimeOptions.CONSUMER_GROUP);
    SubscriptionSpec subscriptionSpec = SubscriptionSpec.builder()
        .channels(channels)
        .group(groupName)
        .start(from)
        .batchSize(maxMessages == null ? batchSize : (int) Math.min(batchSize, maxMessages))
        .pollTimeout(timeout.isZero() ? Duration.ofMillis(1) : timeout)
        .concurrency(1) // One handler thread: output in order, and no locks on it.
        .drainTimeout(config.get(RealtimeOptions.CLOSE_TIMEOUT)) // The stop's one bound.
        .build();

    PrintStream err = System.err;
    Signals.onStop(stop::countDown);
    try (Broker broker = Brokers.open(config, stats);
        MessageOutput output = new MessageOutput(this.output)) {
      out = output;
      subscription.complete(broker.subscribe(subscriptionSpec, this::handle));
      err.println("consuming " + describe(subscriptionSpec, broker) + "; Ctrl-C to stop");
      boolean ended = awaitStop(subscriptionSpec, err);
      boolean drained = subscription.join().close(subscriptionSpec.drainTimeout());
      output.close(); // A handler still blocked on stdout after the drain writes nothing more.
      // After --max-messages the messages fetched beyond the last are given back: no news.
      boolean limited = maxMessages != null && stats.processed() >= maxMessages;
      err.println(stats.summary() + (drained || limited ? "" : "; the drain timed out, and "
          + "what was in flight will be delivered again"));
      if (ended) {
        err.println("realtime: the " + broker.name() + " adapter ended the subscription (its "
            + "log above says why); run consume again to go on where it stopped");
        return Main.FAILED;
      }
    }
    return 0;
  }

  private void handle(Message message) throws InterruptedException {
    MessageOutput output = java.util.Objects.requireNonNull(out);
    output.write(message);
    if (!output.flush()) {
      // stdout is gone (piped into head): stop, and leave this message unacknowledged. The
      // dispatcher releases, rather than retries or dead-letters, a message whose handler was
      // interrupted while its subscription closes.
      stop.countDown();
      subscription.join().close(Duration.ZERO);
      throw new InterruptedException("stdout is closed");
    }
    stats.processed(1);
    lastMessageNanos.set(System.nanoTime());
    if (maxMessages != null && stats.processed() >= maxMessages) {
      // From the handler itself, so that nothing after this message is handled. The stop
      // first: the main thread takes an inactive subscription without it for the adapter's.
      stop.countDown();
      subscription.join().close(Duration.ZERO);
    }
  }

  /**
   * Prints live stats until told to stop, the backlog is drained, or the subscription ends.
   *
   * @return true if the adapter ended the subscription (it gave up on the broker), which is a
   *     failure rather than a stop
   */
  private boolean awaitStop(SubscriptionSpec subscriptionSpec, PrintStream err)
      throws InterruptedException {
    long started = System.nanoTime();
    long statsEvery = statsInterval.toNanos();
    long nextStats = started + statsEvery;
    Duration firstWait = START_WAIT.compareTo(timeout) > 0 ? START_WAIT : timeout;
    while (!stop.await(50, TimeUnit.MILLISECONDS)) {
      long now = System.nanoTime();
      if (statsEvery > 0 && now >= nextStats) {
        err.println(stats.live());
        nextStats = now + statsEvery;
      }
      if (!subscription.join().isActive()) {
        return stop.getCount() > 0;
      }
      if (stopWhenEmpty) {
        long last = lastMessageNanos.get();
        long quiet = (last == 0 ? firstWait : timeout).toNanos();
        Long lag = stats.lag();
        if (now - (last == 0 ? started : last) >= quiet && (lag == null || lag == 0)) {
          return false;
        }
      }
    }
    return false;
  }

  private static String describe(SubscriptionSpec spec, Broker broker) {
    StringBuilder what = new StringBuilder();
    spec.channels().forEach(c -> what.append(what.length() == 0 ? "" : ", ").append(c.name()));
    spec.patterns().forEach(p -> what.append(what.length() == 0 ? "" : ", ").append(p.pattern()));
    return what + " on " + broker.name() + (spec.isGroup() ? " as group " + spec.group()
        : " (broadcast)") + " from " + spec.start();
  }
}
