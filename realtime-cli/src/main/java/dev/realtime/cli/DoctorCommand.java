package dev.realtime.cli;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.Capability;
import dev.realtime.Health;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.config.ConfigOption;
import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.config.RealtimeOptions;
import dev.realtime.internal.UriCredentials;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.spi.BrokerProvider;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code realtime doctor}: checks the configured broker the way an application will use it and
 * says, for each thing that fails, what is wrong and what to do. The checks run in order and
 * stop at the first failure, since each needs the ones before it: the settings, the adapter,
 * the connection (reachable, and the credentials accepted), the broker's health and version,
 * and the permissions, by creating a scratch channel, publishing to it, receiving, reading its
 * history, and deleting it again.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
    description = "Check the configured broker: settings, reachable, credentials, version, and "
        + "permissions (a scratch channel is created, used and deleted). Exit 1 if a check "
        + "fails, with what to do.",
    footer = {"", "Examples:", "  realtime doctor", "  realtime doctor --broker=redis",
        "  REALTIME_BROKER=kafka KAFKA_BROKERS=kafka-1:9092 realtime doctor"})
final class DoctorCommand implements Callable<Integer> {
  @ParentCommand
  private RealtimeCommand root;

  private final PrintStream out = System.out;

  /** A check that failed: what went wrong and what to do about it. */
  private static final class Failed extends Exception {
    private static final long serialVersionUID = 1L;

    Failed(String message) {
      super(message, null, false, false);
    }
  }

  @Override
  public Integer call() {
    try {
      check();
      out.println("all checks passed");
      return 0;
    } catch (Failed failed) {
      out.println();
      out.println(failed.getMessage());
      return Main.FAILED;
    }
  }

  private void check() throws Failed {
    RealtimeConfig config;
    try {
      config = root.config();
      List<ConfigOption<?>> known = Brokers.options();
      config.validate(known);
      // Every value parses and is within its declared range or choices: told here, as settings.
      known.forEach(config::get);
    } catch (RuntimeException e) {
      throw fail("settings", e, "Fix the setting, file or variable named above.");
    }
    String name = config.get(RealtimeOptions.BROKER).trim().toLowerCase(Locale.ROOT);
    out.println("broker " + name + " (realtime.broker from " + config.sourceOf(
        RealtimeOptions.BROKER) + ")");
    pass("settings", config.keys().size() + " set, every one known");
    BrokerProvider provider;
    try {
      provider = Brokers.provider(name);
    } catch (ConfigurationException e) {
      throw fail("adapter", e, "Use --broker or REALTIME_BROKER with one of those found.");
    }
    pass("adapter", provider.getClass().getName() + ", " + provider.capabilities());
    for (ConfigOption<?> option : provider.options()) {
      if (option.isPrefix()) {
        continue;
      }
      String source = config.sourceOf(option);
      Object value = config.get(option);
      if (value == null || String.valueOf(value).isEmpty()) {
        continue; // Unset: nothing to check.
      }
      String shown = value instanceof java.time.Duration
          ? Catalogue.show((java.time.Duration) value) : String.valueOf(value);
      out.println("        " + option.name() + " = " + (option.isSecret() ? UriCredentials.MASK
          : UriCredentials.mask(shown)) + "  (" + source + ")");
    }

    Broker broker;
    long started = System.nanoTime();
    try {
      broker = Brokers.open(config, RealtimeMetrics.NOOP);
    } catch (RuntimeException e) {
      throw fail("connect", e, hint(name));
    }
    try (Broker open = broker) {
      pass("connect", "opened in " + millis(started));
      Health health = open.health();
      if (!health.isUp()) {
        throw fail("health", null, health.detail() + ". " + hint(name));
      }
      pass("health", health.detail());
      permissions(open);
    }
  }

  private void permissions(Broker broker) throws Failed {
    Channel scratch = Channel.of("realtime-doctor." + UUID.randomUUID().toString()
        .substring(0, 8));
    boolean created = false;
    try {
      try {
        broker.admin().ensure(ChannelSpec.builder(scratch).build());
        created = true;
      } catch (RuntimeException e) {
        throw fail("create channel " + scratch.name(), e, "The credentials may not create "
            + "topics, streams or queues; grant that, or create channels ahead with an account "
            + "that may (realtime channels apply).");
      }
      pass("create channel", scratch.name());

      CompletableFuture<Message> received = new CompletableFuture<>();
      long started = System.nanoTime();
      try (Subscription subscription = broker.subscribe(
          SubscriptionSpec.builder().channel(scratch).build(), received::complete)) {
        broker.publish(Message.builder().channel(scratch).event("doctor").payload("ping")
            .build()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        pass("publish", "confirmed in " + millis(started));
        received.get(30, TimeUnit.SECONDS);
        pass("subscribe", "received in " + millis(started));
      } catch (java.util.concurrent.TimeoutException e) {
        throw fail("publish and subscribe", null, "Nothing came back within 30 s. Check the "
            + "broker's logs, and that the credentials may read as well as write.");
      } catch (java.util.concurrent.ExecutionException | RuntimeException e) {
        throw fail("publish and subscribe", e, "The credentials may not write or read this "
            + "channel; grant both.");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw fail("publish and subscribe", e, "Interrupted.");
      }

      if (broker.capabilities().has(Capability.REPLAY)) {
        try {
          List<Message> history = broker.history(scratch, HistoryQuery.earliest());
          if (history.isEmpty()) {
            throw fail("history", null, "The message just published is not in the history. "
                + "Check the channel's retention.");
          }
          pass("history", history.size() + " message");
        } catch (RuntimeException e) {
          throw fail("history", e, "The credentials may not read past messages; grant it.");
        }
      }
    } finally {
      if (created) {
        try {
          broker.admin().delete(scratch);
          pass("delete channel", scratch.name());
        } catch (RuntimeException e) {
          out.println("  FAIL  delete channel: " + Main.sentence(e) + " (delete "
              + scratch.name() + " by hand, or grant delete permission)");
        }
      }
    }
  }

  private void pass(String check, String detail) {
    out.println("  ok    " + check + ": " + detail);
  }

  private Failed fail(String check, @Nullable Throwable cause, String fix) {
    out.println("  FAIL  " + check + (cause == null ? "" : ": " + Main.sentence(cause)));
    if (cause != null && root.verbose()) {
      cause.printStackTrace(out);
    }
    return new Failed("fix: " + fix);
  }

  private static String hint(String broker) {
    switch (broker) {
      case "kafka":
        return "Check that Kafka answers at realtime.kafka.bootstrap-servers "
            + "(REALTIME_KAFKA_BOOTSTRAP_SERVERS or KAFKA_BROKERS), and its security settings "
            + "(realtime.kafka.client.*). No Kafka? realtime broker kafka runs one, and prints "
            + "what to export.";
      case "redis":
        return "Check that Redis answers at realtime.redis.uri (REALTIME_REDIS_URI or REDIS_URL) "
            + "and the user and password; start a local one with scripts/services, or "
            + "redis-server --daemonize yes.";
      case "rabbitmq":
        return "Check that RabbitMQ answers at realtime.rabbitmq.uri (REALTIME_RABBITMQ_URI or "
            + "RABBITMQ_URL), the user, password and virtual host; start a local one with "
            + "scripts/services, or rabbitmq-server -detached.";
      default:
        return "Check the adapter's settings (docs/configuration.md).";
    }
  }

  private static String millis(long startedNanos) {
    return String.format(Locale.ROOT, "%.0f ms", (System.nanoTime() - startedNanos) / 1e6);
  }
}
