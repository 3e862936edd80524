package dev.realtime.benchmarks.chaos;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.channel.Channel;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The fault campaign: each experiment of {@link Experiment} on each broker, every broker a
 * process of the campaign's own behind a fault proxy, every message counted by id in a {@link
 * Ledger}.
 */
public final class Campaign {
  /**
   * The sizes of a run.
   *
   * @param backlog messages waiting before the members start (member kill, SIGTERM)
   * @param handlerMillis a member's work per message, so that a backlog lasts seconds
   * @param rate publishes per second in the broker kill and network cut experiments
   * @param publishSeconds how long they publish
   * @param faultAtSeconds when the fault starts
   * @param outageSeconds how long the broker stays down or the network cut
   * @param drainSeconds how long the consumers may take to receive every confirmed message
   * @param jvmOptions for the campaign's child JVMs (the members, the Kafka broker)
   */
  public record Sizes(int backlog, int handlerMillis, int rate, int publishSeconds,
      double faultAtSeconds, int outageSeconds, int drainSeconds,
      Map<String, Map<String, String>> settings, List<String> jvmOptions) {
    /**
     * The report's run: the outages of the issue (5 s down, 10 s cut), tens of thousands of
     * messages, every adapter with its default settings.
     */
    public static final Sizes FULL = new Sizes(10_000, 2, 1_000, 25, 5, 10, 120, Map.of(),
        List.of());
    /**
     * CI's: small counts and 2-second outages; proves the campaign runs and counts. Redis
     * members take over a dead member's entries after 2 s instead of the default 30 s, so that
     * the run stays short. The child JVMs compile with C1 alone and collect serially: on 2 cores
     * that halves the CPU a JVM takes to start (a Kafka broker's start and stop: 5.8 s of CPU
     * against 3.2 s), and 18 members and 4 Kafka starts are most of the campaign's CPU. What
     * it checks, every confirmed message received, does not depend on the compiler.
     */
    public static final Sizes QUICK = new Sizes(2_000, 4, 400, 5, 1.5, 2, 60,
        Map.of("redis", Map.of("realtime.redis.claim-idle-timeout", "2s")),
        List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));

    /** The broker kill's outage: 5 s in the report, as in the issue. */
    int brokerDownSeconds() {
      return Math.min(outageSeconds, 5);
    }
  }

  /** A member's SIGTERM exit may take this long before it counts as hung and is killed. */
  private static final int SHUTDOWN_LIMIT_SECONDS = 60;
  /**
   * How long both members receive before one is killed; the survivor's stall counts the
   * messages the dead one received this long before the kill.
   */
  private static final Duration STABLE = Duration.ofSeconds(1);
  /** After the last expected receipt, late redeliveries are counted for this long. */
  private static final Duration SETTLE = Duration.ofSeconds(1);

  private final Sizes sizes;
  private final Set<Experiment> experiments;
  private final Consumer<String> log;
  private final AtomicInteger runs = new AtomicInteger();

  /** A campaign of {@code experiments} (in their declared order), logging progress. */
  public Campaign(Sizes sizes, Set<Experiment> experiments, Consumer<String> log) {
    this.sizes = sizes;
    this.experiments = EnumSet.copyOf(experiments);
    this.log = log;
  }

  /** The brokers by id, each started when asked for, with the run's settings for it. */
  private Map<String, Supplier<Target>> targets() {
    return Map.of(
        "kafka", () -> Target.kafka(sizes.settings().getOrDefault("kafka", Map.of()),
            sizes.jvmOptions()),
        "redis", () -> Target.redis(sizes.settings().getOrDefault("redis", Map.of())),
        "rabbitmq", () -> Target.rabbitmq(sizes.settings().getOrDefault("rabbitmq", Map.of())));
  }

  /** Every experiment on the broker {@code id} ({@code kafka}, {@code redis}, {@code rabbitmq}). */
  public List<Row> run(String id) {
    Supplier<Target> start = targets().get(id);
    if (start == null) {
      throw new IllegalArgumentException("unknown broker " + id + "; use kafka, redis or "
          + "rabbitmq");
    }
    List<Row> rows = new ArrayList<>();
    long started = System.nanoTime();
    try (Target target = start.get()) {
      log.accept(target.name() + ": started in " + millisSince(started) + " ms");
      Map<Experiment, Function<Target, Row>> runs = new EnumMap<>(Experiment.class);
      runs.put(Experiment.MEMBER_KILL, this::memberKill);
      runs.put(Experiment.SIGTERM, this::sigterm);
      runs.put(Experiment.BROKER_KILL, this::brokerKill);
      runs.put(Experiment.NETWORK_CUT, this::networkCut);
      runs.put(Experiment.SIGTERM_BROKER_DOWN, this::sigtermBrokerDown);
      for (Experiment experiment : experiments) {
        rows.add(attempt(target, experiment, runs.get(experiment)));
      }
    }
    return rows;
  }

  /**
   * Runs one experiment; one that fails is a row with the error, and the campaign goes on (a
   * broker left down is started again).
   */
  private Row attempt(Target target, Experiment experiment, Function<Target, Row> run) {
    try {
      return run.apply(target);
    } catch (RuntimeException e) {
      log.accept(target.name() + ", " + experiment.label() + ": failed: " + e);
      if (!target.answers()) {
        target.restart();
      }
      return Row.failed(target.name(), experiment, e.toString());
    }
  }

  private Row measured(Row row, Ledger ledger) {
    if (row.lost() > 0) {
      log.accept(row.broker() + ", " + row.experiment().label() + ": lost " + ledger.lostIds());
    }
    log.accept(String.format("%s, %s: published %d confirmed %d failed %d stored %s received %d "
        + "lost %d duplicated %d recovery %s shutdown %s", row.broker(),
        row.experiment().label(), row.published(), row.confirmed(), row.failed(),
        row.stored() < 0 ? "-" : row.stored(), row.received(), row.lost(), row.duplicated(),
        row.recoveryMillis() < 0 ? "-" : row.recoveryMillis() + " ms",
        row.shutdownMillis() < 0 ? "-" : row.shutdownMillis() + " ms"));
    return row;
  }

  /** Two members share a backlog; one is killed with -9; how long the survivor stalls. */
  private Row memberKill(Target target) {
    Run run = backlog(target, "kill");
    Ledger ledger = run.ledger();
    long kill;
    try (Member a = run.member(target, "a", sizes.handlerMillis());
        Member b = run.member(target, "b", sizes.handlerMillis())) {
      a.awaitReady();
      b.awaitReady();
      awaitBothReceiving(target, run);
      kill = System.nanoTime();
      a.kill();
      awaitDrain(ledger);
    }
    return measured(Row.of(target.name(), Experiment.MEMBER_KILL, ledger, -1,
        ledger.takeOver("b", kill, STABLE), -1), ledger);
  }

  /**
   * Returns once both members have been receiving for {@link #STABLE}, so that joining (a Kafka
   * rebalance) is over before the kill. Joining can outlast the backlog (a new Kafka group waits
   * out the coordinator's initial rebalance delay, then two cooperative rounds, while the first
   * member drains alone), so the backlog is topped up whenever less than half of it is left:
   * the members never run dry before both are at work.
   */
  private void awaitBothReceiving(Target target, Run run) {
    Ledger ledger = run.ledger();
    try (Broker publisher = open(target)) {
      Waits.await(() -> {
        if (receivingSince("a", ledger) && receivingSince("b", ledger)) {
          return true;
        }
        if (ledger.confirmed() - ledger.received() < sizes.backlog() / 2) {
          Publishing.more(publisher, run.channel(), ledger, sizes.backlog() / 2);
        }
        return false;
      }, Duration.ofSeconds(60), "both members receiving for " + STABLE);
    }
  }

  private static boolean receivingSince(String member, Ledger ledger) {
    OptionalLong first = ledger.firstReceipt(member);
    return first.isPresent() && System.nanoTime() - first.getAsLong() > STABLE.toNanos();
  }

  /**
   * A member under backlog gets SIGTERM; a second drains: duplicates after a clean stop. What
   * the group still holds between the two is the "stored" figure: the backlog less what the
   * first member handled, unless it acknowledged messages it never handled.
   */
  private Row sigterm(Target target) {
    Run run = backlog(target, "term");
    long shutdown;
    OptionalLong left;
    try (Member a = busyMember(target, run)) {
      shutdown = a.terminate(SHUTDOWN_LIMIT_SECONDS);
      int printed = run.ledger().receivedBy("a").size();
      try (Broker reader = open(target)) {
        left = target.stored(reader, run.channel(), run.group());
      }
      log.accept(target.name() + ", " + Experiment.SIGTERM.label() + ": member a handled "
          + a.handledAtExit() + " (" + printed + " ids counted here), the group holds "
          + (left.isPresent() ? left.getAsLong() : "?") + " of " + sizes.backlog());
    }
    drainWithMember(target, run);
    return measured(Row.of(target.name(), Experiment.SIGTERM, run.ledger(), left.orElse(-1), -1,
        shutdown), run.ledger());
  }

  /** Publishing with confirms while the broker is killed with -9 and restarted. */
  private Row brokerKill(Target target) {
    Ledger ledger = new Ledger();
    Channel channel = channel("crash");
    String group = group(channel);
    long restarted;
    OptionalLong stored;
    try (Broker publisher = open(target)) {
      publisher.admin().ensure(target.spec(channel, group));
      long[] back = new long[1];
      Publishing.paced(publisher, channel, ledger, sizes, () -> {
        target.kill();
        log.accept(target.name() + ": broker killed");
        Waits.pause(Duration.ofSeconds(sizes.brokerDownSeconds()));
        target.restart();
        back[0] = System.nanoTime();
        log.accept(target.name() + ": broker restarted");
      });
      restarted = back[0];
      Publishing.awaitSettled(ledger);
      stored = target.stored(publisher, channel, group);
      drainInProcess(target, channel, group, ledger);
    }
    return measured(Row.of(target.name(), Experiment.BROKER_KILL, ledger, stored.orElse(-1),
        ledger.firstConfirmAfter(restarted), -1), ledger);
  }

  /** Publishing and consuming while the network is cut. */
  private Row networkCut(Target target) {
    Ledger ledger = new Ledger();
    Channel channel = channel("cut");
    String group = group(channel);
    long restored;
    try (Broker publisher = open(target); Broker consumer = open(target)) {
      publisher.admin().ensure(target.spec(channel, group));
      consumer.subscribe(groupSpec(channel, group), message ->
          ledger.received("consumer", message.id()));
      long[] back = new long[1];
      Publishing.paced(publisher, channel, ledger, sizes, () -> {
        target.proxy().cut();
        log.accept(target.name() + ": network cut");
        Waits.pause(Duration.ofSeconds(sizes.outageSeconds()));
        target.proxy().restore();
        back[0] = System.nanoTime();
        log.accept(target.name() + ": network restored");
      });
      restored = back[0];
      Publishing.awaitSettled(ledger);
      awaitDrain(ledger);
    }
    return measured(Row.of(target.name(), Experiment.NETWORK_CUT, ledger, -1,
        ledger.firstReceiptAfter(restored), -1), ledger);
  }

  /** SIGTERM to a member whose broker was just killed: how long the exit takes. */
  private Row sigtermBrokerDown(Target target) {
    Run run = backlog(target, "down");
    long shutdown;
    try (Member a = busyMember(target, run)) {
      target.kill();
      shutdown = a.terminate(SHUTDOWN_LIMIT_SECONDS);
    } finally {
      target.restart();
    }
    drainWithMember(target, run);
    return measured(Row.of(target.name(), Experiment.SIGTERM_BROKER_DOWN, run.ledger(), -1, -1,
        shutdown), run.ledger());
  }

  /** One experiment's channel, group and accounts. */
  private record Run(Ledger ledger, Channel channel, String group, List<String> jvmOptions) {
    Member member(Target target, String name, int handlerMillis) {
      return Member.start(name, jvmOptions, target.config(), channel.name(), group,
          handlerMillis, ledger);
    }
  }

  /** A new channel and group with the backlog published and confirmed. */
  private Run backlog(Target target, String experiment) {
    Channel channel = channel(experiment);
    Run run = new Run(new Ledger(), channel, group(channel), sizes.jvmOptions());
    try (Broker publisher = open(target)) {
      publisher.admin().ensure(target.spec(channel, run.group()));
      Publishing.backlog(publisher, channel, run.ledger(), sizes.backlog());
    }
    return run;
  }

  /** Member "a", once it has received a fifth of the backlog. */
  private Member busyMember(Target target, Run run) {
    Member a = run.member(target, "a", sizes.handlerMillis());
    try {
      a.awaitReady();
      Waits.await(() -> run.ledger().received() >= sizes.backlog() / 5, Duration.ofSeconds(60),
          "the member receiving a fifth of the backlog");
      return a;
    } catch (RuntimeException e) {
      a.close();
      throw e;
    }
  }

  /** Member "b", without handler time, until every confirmed message arrived. */
  private void drainWithMember(Target target, Run run) {
    try (Member b = run.member(target, "b", 0).awaitReady()) {
      awaitDrain(run.ledger());
    }
  }

  /**
   * A group of the experiment's own: a Kafka group keeps a killed member until its session
   * expires, and a new topic's group cannot be created while it has members.
   */
  private static String group(Channel channel) {
    return "g-" + channel.name().substring(channel.name().indexOf('.') + 1).replace('.', '-');
  }

  private Channel channel(String experiment) {
    return Channel.of("chaos." + experiment + "." + runs.incrementAndGet() + "."
        + Long.toHexString(System.nanoTime() & 0xffffff));
  }

  private static Broker open(Target target) {
    return Brokers.open(RealtimeConfig.of(target.config()));
  }

  private static SubscriptionSpec groupSpec(Channel channel, String group) {
    return SubscriptionSpec.builder().channel(channel).group(group)
        .start(StartPosition.earliest()).build();
  }

  private void drainInProcess(Target target, Channel channel, String group, Ledger ledger) {
    try (Broker consumer = open(target)) {
      consumer.subscribe(groupSpec(channel, group), message ->
          ledger.received("consumer", message.id()));
      awaitDrain(ledger);
    }
  }

  /** Waits until every confirmed id was received, then a moment for late duplicates. */
  private void awaitDrain(Ledger ledger) {
    boolean drained = Waits.awaitQuietly(ledger::allConfirmedReceived,
        Duration.ofSeconds(sizes.drainSeconds()));
    if (drained) {
      Waits.pause(SETTLE);
    } else {
      log.accept("not every confirmed message arrived within " + sizes.drainSeconds() + " s");
    }
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }
}
