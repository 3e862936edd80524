package dev.realtime.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.channel.Channel;
import dev.realtime.config.RealtimeConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Runs the README's {@link Quickstart} against a real broker, as a newcomer would run it with
 * that broker configured, and checks that both of its messages arrived: the broadcast and the
 * group's. Each adapter module runs it (issue 14: the group message was lost on Kafka when the
 * topic was new), so a lost message fails that adapter's build.
 *
 * <pre>{@code
 * @Test
 * void theReadmeQuickstartRunsOnKafka() {
 *   try (BrokerEnvironment kafka = Environments.kafka()) {
 *     QuickstartRun.assertBothArrive(kafka, "realtime.kafka.topic-prefix");
 *   }
 * }
 * }</pre>
 *
 * <p>The quickstart reads its settings the way {@code Realtime.create()} does, so the
 * environment's settings are given to it as system properties for the run. Its channel names
 * are fixed ({@code user.1}, {@code jobs.email}); a prefix unique to the run keeps runs on a
 * shared broker apart and makes every run start on channels the broker has never seen, the
 * case that lost the message. The channels are deleted afterwards.
 */
public final class QuickstartRun {
  private QuickstartRun() {}

  /**
   * Runs the quickstart against {@code environment}'s broker with {@code prefixKey} (the
   * adapter's name-prefix setting, or null where names need no prefix) set to a prefix unique
   * to this run, and asserts that it printed both messages.
   */
  public static void assertBothArrive(BrokerEnvironment environment, @Nullable String prefixKey)
      throws Exception {
    RealtimeConfig.Builder config = environment.config().newBuilder();
    if (prefixKey != null) {
      config.set(prefixKey, "qs" + Long.toString(ThreadLocalRandom.current()
          .nextLong(Long.MAX_VALUE), 36).toLowerCase(Locale.ROOT));
    }
    RealtimeConfig settings = config.build();
    try {
      assertThat(run(settings)).as("what the quickstart printed on " + environment.description())
          .contains("push to user 1: {\"title\":\"Hello\"}")
          .contains("send mail {to=ada@example.com}");
    } finally {
      if (prefixKey != null) {
        deleteChannels(settings);
      }
    }
  }

  /** Runs the quickstart with {@code config} as system properties; returns what it printed. */
  public static String run(RealtimeConfig config) throws Exception {
    Map<String, String> previous = new HashMap<>();
    for (String key : config.keys()) {
      previous.put(key, System.getProperty(key));
      System.setProperty(key, config.getString(key).orElseThrow());
    }
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      Quickstart.main(new String[0]);
    } finally {
      System.setOut(original);
      previous.forEach((key, value) -> {
        if (value == null) {
          System.clearProperty(key);
        } else {
          System.setProperty(key, value);
        }
      });
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Best effort: a shared broker must not fill up with every run's channels. */
  private static void deleteChannels(RealtimeConfig config) {
    try (Broker broker = Brokers.open(config)) {
      for (String name : new String[] {"user.1", "jobs.email"}) {
        try {
          broker.admin().delete(Channel.of(name));
        } catch (RuntimeException e) {
          // Gone already, or never made: nothing to clean.
        }
      }
    }
  }
}
