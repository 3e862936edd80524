package dev.realtime.testkit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.Capabilities;
import dev.realtime.Capability;
import dev.realtime.HistoryQuery;
import dev.realtime.UnsupportedCapabilityException;
import dev.realtime.channel.Channel;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The conformance suite: every case of {@code CONFORMANCE.md}, run against one adapter in one
 * {@link BrokerEnvironment}. An adapter module runs it by extending this class:
 *
 * <pre>{@code
 * class KafkaConformanceTest extends ConformanceSuite {
 *   protected BrokerEnvironment environment() { return Environments.kafka(); }
 * }
 * }</pre>
 *
 * <p>Each case is one test in the report, named by its number and name ({@code 04 competing
 * consumers}). A case runs when the adapter claims every capability it is gated on and the
 * environment has the fault hook it needs. When a capability is not claimed, the case checks
 * instead that the broker refuses the operation clearly (a group, a pattern, a replay or a
 * dead-letter channel on a broker without them), or is reported as not claimed. An adapter
 * that claims a capability and fails its cases fails the build.
 *
 * <p>System properties: {@code realtime.conformance.deadline} (seconds a case waits for a
 * condition, default 30), {@code realtime.conformance.stress} (how many copies of the suite case
 * 28 runs at once, default 2), {@code realtime.conformance.report} (a file to write the adapter
 * by case matrix into, such as {@code ../docs/conformance.md}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ConformanceSuite {
  private BrokerEnvironment environment;
  private Capabilities capabilities;
  private String adapter;
  private final String run = "r" + Long.toString(
      ThreadLocalRandom.current().nextLong(Long.MAX_VALUE), 36).toLowerCase(Locale.ROOT);
  private final Duration deadline =
      Duration.ofSeconds(Long.getLong("realtime.conformance.deadline", 30));

  /** The environment to run against; called once per test class. */
  protected abstract BrokerEnvironment environment();

  /**
   * The adapter's column in the report: the broker's name. Override it to tell two
   * configurations of one adapter apart, such as {@code redis (pubsub)}.
   */
  protected String reportName(Broker broker) {
    return broker.name();
  }

  @BeforeAll
  final void openEnvironment() {
    environment = environment();
    try (Broker broker = Brokers.open(environment.config())) {
      capabilities = broker.capabilities();
      adapter = reportName(broker);
    }
  }

  @AfterAll
  final void closeEnvironment() {
    try {
      ConformanceReport.writeIfAsked(adapter, environment.description());
    } finally {
      environment.close();
    }
  }

  /**
   * Writes records as another client of the broker would, for case 34: the environment's
   * {@link BrokerEnvironment#foreignWriter()} unless overridden. An adapter whose broker client
   * is only on its own test classpath (Lettuce, amqp-client) overrides this with a writer on
   * that client.
   */
  protected Optional<ForeignWriter> foreignWriter(BrokerEnvironment environment) {
    return environment.foreignWriter();
  }

  /**
   * Makes the broker refuse publishes to a channel, for case 37: the environment's {@link
   * BrokerEnvironment#publishRefusal()} unless overridden (RabbitMQ's module supplies one on
   * amqp-client).
   */
  protected Optional<PublishRefusal> publishRefusal(BrokerEnvironment environment) {
    return environment.publishRefusal();
  }

  /**
   * Returns true if case {@code number} runs in this suite; every case by default. A suite over
   * a broker of its own, started only to check one thing (a broker with a low payload limit,
   * for case 33), runs just that case. By default, the cases that {@code
   * realtime.conformance.cases} lists (numbers, comma-separated), or every case when it is
   * unset: for running one case while working on it.
   */
  protected boolean runs(int number) {
    String only = System.getProperty("realtime.conformance.cases", "").trim();
    if (only.isEmpty()) {
      return true;
    }
    for (String listed : only.split(",")) {
      if (listed.trim().equals(Integer.toString(number))) {
        return true;
      }
    }
    return false;
  }

  /** Every case: run, checked as refused, or recorded as not claimed. */
  @TestFactory
  final Stream<DynamicTest> conformance() {
    List<DynamicTest> tests = new ArrayList<>();
    for (ConformanceCase conformanceCase : cases()) {
      if (!runs(conformanceCase.number())) {
        continue;
      }
      if (!capabilities.asSet().containsAll(conformanceCase.gate())) {
        Capability missing = conformanceCase.gate().stream()
            .filter(c -> !capabilities.has(c)).findFirst().orElseThrow();
        if (refusalCheck(missing) != null) {
          tests.add(DynamicTest.dynamicTest(conformanceCase.displayName() + " (not claimed: "
              + missing + " is refused clearly)", () -> refused(conformanceCase, missing)));
        } else {
          ConformanceReport.record(adapter, conformanceCase,
              ConformanceReport.Result.NOT_CLAIMED, "not claimed: " + missing);
        }
      } else if (!hasHook(conformanceCase.hook())) {
        ConformanceReport.record(adapter, conformanceCase, ConformanceReport.Result.NOT_CLAIMED,
            "no " + conformanceCase.hook().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                + " hook in " + environment.description());
      } else {
        tests.add(DynamicTest.dynamicTest(conformanceCase.displayName(),
            () -> runRecorded(conformanceCase, run)));
      }
    }
    if (!runs(STRESS.number())) {
      return tests.stream();
    }
    tests.add(DynamicTest.dynamicTest(STRESS.displayName(), () -> {
      try {
        stress();
        ConformanceReport.record(adapter, STRESS, ConformanceReport.Result.PASSED, "");
      } catch (Throwable e) {
        ConformanceReport.record(adapter, STRESS, ConformanceReport.Result.FAILED,
            String.valueOf(e.getMessage()));
        throw e;
      }
    }));
    return tests.stream();
  }

  private static final ConformanceCase STRESS =
      ConformanceCase.of(28, "stress", context -> { });

  /** Every case but 28 (which runs the others), in order. */
  static List<ConformanceCase> cases() {
    List<ConformanceCase> all = new ArrayList<>();
    all.addAll(DeliveryCases.all());
    all.addAll(HandlingCases.all());
    all.addAll(ResilienceCases.all());
    all.addAll(EdgeCases.all());
    all.addAll(InputCases.all());
    all.addAll(RedeliveryCases.all());
    all.addAll(ClosingCases.all());
    all.sort((a, b) -> Integer.compare(a.number(), b.number()));
    return all;
  }

  private boolean hasHook(ConformanceCase.Hook hook) {
    switch (hook) {
      case RESTART:
        return environment.canRestart();
      case CUT_CONNECTIONS:
        return environment.canCutConnections();
      case BROKER_LIMIT:
        return environment.brokerPayloadLimit().isPresent();
      case FOREIGN_WRITER:
        return foreignWriter(environment).isPresent();
      case PUBLISH_REFUSAL:
        return publishRefusal(environment).isPresent();
      case MEMBER_DEATH:
        try (MemberDeath probe = environment.memberDeath().orElse(null)) {
          return probe != null;
        }
      default:
        return true;
    }
  }

  private void runRecorded(ConformanceCase conformanceCase, String runId) throws Exception {
    try {
      runCase(conformanceCase, runId);
    } catch (Throwable e) {
      ConformanceReport.record(adapter, conformanceCase, ConformanceReport.Result.FAILED,
          String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
      throw e;
    }
  }

  private void runCase(ConformanceCase conformanceCase, String runId) throws Exception {
    try (CaseContext context = new CaseContext(environment, conformanceCase, runId, deadline,
        foreignWriter(environment), publishRefusal(environment))) {
      runIn(context, conformanceCase, adapter);
    }
  }

  /**
   * Runs case {@code number} alone, as the suite would, without recording it in the report (a
   * case whose capabilities or hook are missing does nothing): for mutation testing, where each
   * case is a test of its own ({@link CaseByCase}). Call between {@link #openEnvironment()} and
   * {@link #closeEnvironment()}.
   */
  final void runOne(int number) throws Exception {
    ConformanceCase conformanceCase = cases().stream().filter(c -> c.number() == number)
        .findFirst().orElseThrow(() -> new IllegalArgumentException("no case " + number));
    if (capabilities.asSet().containsAll(conformanceCase.gate())
        && hasHook(conformanceCase.hook())) {
      runCase(conformanceCase, run);
    }
  }

  /**
   * Runs {@code conformanceCase}'s body in {@code context} and records it as passed, with its
   * notes. Duplicates are checked before the result is recorded: they go into the report line,
   * or fail the case where a log promised once-only delivery.
   */
  static void runIn(CaseContext context, ConformanceCase conformanceCase, String adapter)
      throws Exception {
    conformanceCase.body().run(context);
    context.checkDuplicates();
    ConformanceReport.record(adapter, conformanceCase, ConformanceReport.Result.PASSED,
        String.join("; ", context.notes()));
  }

  /**
   * How many cases each copy of the suite runs at once in case 28. The cases mostly wait on the
   * broker (a group join, a retention check, a redelivery), so two copies of one case after
   * another took as long as the whole suite (Kafka: 104 s of a 294 s run on two cores); with
   * two lanes per copy each case still runs {@code copies} times alongside other cases, with
   * more of them at once, in half the time.
   */
  private static final int STRESS_LANES = 2;

  /**
   * Case 28: every case that needs no fault hook, run by several threads at once, each with
   * its own channels; any failure fails the case.
   */
  private void stress() throws Exception {
    int copies = Integer.getInteger("realtime.conformance.stress", 2);
    List<ConformanceCase> stressed = new ArrayList<>();
    for (ConformanceCase conformanceCase : cases()) {
      boolean claimed = capabilities.asSet().containsAll(conformanceCase.gate());
      // Health (26) and attempts (29) cut connections where they can, which would fail the
      // others; that is not load.
      // A refusal touches one channel of the case's own: that is load like any other case.
      // The ends of a close (39 to 41) assert how long a close takes against its bound, to the
      // second: beside three other cases on two cores that measures the machine, not the
      // adapter, so they run once, unloaded.
      boolean refusal = conformanceCase.hook() == ConformanceCase.Hook.PUBLISH_REFUSAL
          && hasHook(conformanceCase.hook());
      boolean timesAClose = ClosingCases.all().stream()
          .anyMatch(c -> c.number() == conformanceCase.number());
      if (claimed && (conformanceCase.hook() == ConformanceCase.Hook.NONE || refusal)
          && conformanceCase.number() != 26 && conformanceCase.number() != 29 && !timesAClose) {
        stressed.add(conformanceCase);
      }
    }
    // Every case's copies are queued side by side, so that they run at the same time.
    ExecutorService pool = Executors.newFixedThreadPool(copies * STRESS_LANES);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (ConformanceCase conformanceCase : stressed) {
        for (int copy = 0; copy < copies; copy++) {
          String copyRun = run + "s" + copy;
          running.add(pool.submit(() -> {
            try {
              runCase(conformanceCase, copyRun);
            } catch (Throwable e) {
              throw new AssertionError("under stress, " + conformanceCase + " failed: " + e, e);
            }
            return null;
          }));
        }
      }
      for (Future<?> copy : running) {
        copy.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The check that an unclaimed capability is refused clearly, or null where none applies. */
  private static ConformanceCase.Body refusalCheck(Capability missing) {
    switch (missing) {
      case CONSUMER_GROUPS:
        return context -> assertThatThrownBy(() -> context.subscribe(SubscriptionSpec.builder()
            .channel(context.channel("refused")).group("g").build(), m -> { }))
            .isInstanceOf(UnsupportedCapabilityException.class)
            .hasMessageContaining("CONSUMER_GROUPS");
      case PATTERN_SUBSCRIBE:
        return context -> assertThatThrownBy(() -> context.subscribe(SubscriptionSpec.builder()
            .channels(context.channel("refused").name() + ".*").build(), m -> { }))
            .isInstanceOf(UnsupportedCapabilityException.class)
            .hasMessageContaining("PATTERN_SUBSCRIBE");
      case REPLAY:
        return context -> {
          Channel channel = context.channel("refused");
          assertThatThrownBy(() -> context.broker().history(channel, HistoryQuery.earliest()))
              .isInstanceOf(UnsupportedCapabilityException.class)
              .hasMessageContaining("REPLAY");
        };
      case DEAD_LETTER:
        return context -> assertThatThrownBy(() -> context.subscribe(SubscriptionSpec.builder()
            .channel(context.channel("refused")).deadLetterChannel(context.channel("dlq"))
            .build(), m -> { }))
            .isInstanceOf(UnsupportedCapabilityException.class)
            .hasMessageContaining("DEAD_LETTER");
      default:
        return null;
    }
  }

  private void refused(ConformanceCase conformanceCase, Capability missing) throws Exception {
    ConformanceCase check = new ConformanceCase(conformanceCase.number(),
        conformanceCase.name(), java.util.Set.of(), ConformanceCase.Hook.NONE,
        refusalCheck(missing));
    try (CaseContext context = new CaseContext(environment, check, run, deadline)) {
      check.body().run(context);
    }
    ConformanceReport.record(adapter, conformanceCase, ConformanceReport.Result.NOT_CLAIMED,
        "not claimed: " + missing + ", refused clearly");
  }
}
