package dev.realtime.cli;

import dev.realtime.Realtime;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.config.RealtimeOptions;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import dev.realtime.testkit.kafka.EmbeddedKafka;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code realtime demo}: the library's main job, live. Simulated application servers each
 * subscribe to a user's channel (broadcast: every server gets every notification, to push it
 * to the WebSocket clients it holds), and workers share a job channel as one group (each job
 * runs once). A publisher sends both at a steady rate; the screen shows who received what and
 * the rates, and the end checks the counts by message id: every server got every notification,
 * and every job ran exactly once.
 *
 * <p>Its channels are named per run ({@code demo.<run>.user.1}) and deleted at the end, so
 * that a persistent broker neither feeds one run's leftovers into the next nor keeps them.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
    description = {"Simulated servers receive broadcasts, and workers share jobs as a group, "
        + "live. Runs on the in-memory broker unless told otherwise; with --broker=kafka and "
        + "no Kafka configured, it starts an embedded one."},
    footer = {"", "Examples:", "  realtime demo", "  realtime demo --broker=redis --rate=500",
        "  realtime demo --broker=kafka --duration=20s"})
final class DemoCommand implements Callable<Integer> {
  private static final int SAMPLES = 6;

  @ParentCommand
  private RealtimeCommand root;

  @Spec
  private CommandSpec spec;

  @Option(names = "--servers", defaultValue = "3", paramLabel = "N",
      description = "Application servers subscribed to user.1 (broadcast). Default: "
          + "${DEFAULT-VALUE}.")
  private int servers;

  @Option(names = "--workers", defaultValue = "2", paramLabel = "N",
      description = "Members of the group sharing jobs.thumbnails. Default: ${DEFAULT-VALUE}.")
  private int workers;

  @Option(names = "--rate", defaultValue = "20", paramLabel = "PER_SECOND",
      description = "Notifications, and jobs, published per second. Default: ${DEFAULT-VALUE}.")
  private int rate;

  @Option(names = "--duration", defaultValue = "5s", paramLabel = "DURATION",
      converter = Converters.Time.class,
      description = "How long to publish. Default: ${DEFAULT-VALUE}.")
  private Duration duration;

  private final PrintStream out = System.out;
  private final CountDownLatch stop = new CountDownLatch(1);

  /** One simulated server or worker: what it received, by message id. */
  private static final class Receiver {
    final String name;
    final String what;
    final Set<String> ids = ConcurrentHashMap.newKeySet();
    final AtomicLong deliveries = new AtomicLong();
    long lastCount;

    Receiver(String name, String what) {
      this.name = name;
      this.what = what;
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    if (servers < 1 || workers < 1 || rate < 1) {
      throw new ParameterException(spec.commandLine(),
          "--servers, --workers and --rate must be at least 1");
    }
    Signals.onStop(stop::countDown); // Early: starting the embedded Kafka takes seconds.
    RealtimeConfig config = root.config();
    EmbeddedKafka kafka = null;
    if (isKafkaWithoutServers(config)) {
      out.println("no Kafka configured: starting an embedded one (a few seconds)...");
      kafka = EmbeddedKafka.start();
      config = config.newBuilder().set("realtime.kafka.bootstrap-servers",
          kafka.bootstrapServers()).build();
    }
    try (Realtime realtime = Realtime.create(config)) {
      return run(realtime);
    } finally {
      if (kafka != null) {
        kafka.close();
      }
    }
  }

  private static boolean isKafkaWithoutServers(RealtimeConfig config) {
    return config.get(RealtimeOptions.BROKER).trim().equalsIgnoreCase("kafka")
        && config.getString("realtime.kafka.bootstrap-servers").isEmpty()
        && (System.getenv("KAFKA_BROKERS") == null || System.getenv("KAFKA_BROKERS").isBlank());
  }

  private int run(Realtime realtime) throws InterruptedException {
    String run = UUID.randomUUID().toString().substring(0, 4);
    Channel notifications = Channel.of("demo." + run + ".user.1");
    Channel jobs = Channel.of("demo." + run + ".jobs.thumbnails");
    String group = "thumbnailers";

    out.println("broker " + realtime.broker().name() + " " + realtime.broker().capabilities());
    out.println(servers + " servers subscribe to " + notifications.name() + " (broadcast: each "
        + "gets every notification); " + workers + " workers share " + jobs.name()
        + " (group " + group + ": each job runs once)");
    out.println();

    List<Receiver> receivers = new ArrayList<>();
    List<Subscription> subscriptions = new ArrayList<>();
    try {
      prepare(realtime, jobs, group);
    } catch (RuntimeException e) {
      realtime.admin().delete(jobs); // Half made (a group declared, say): nothing left behind.
      throw e;
    }
    AtomicInteger samples = new AtomicInteger();
    for (int i = 0; i < servers; i++) {
      Receiver server = new Receiver("server-" + (char) ('a' + i % 26)
          + (i >= 26 ? String.valueOf(i / 26) : ""), "notifications");
      receivers.add(server);
      subscriptions.add(realtime.on(SubscriptionSpec.builder().channel(notifications).build(),
          message -> receive(server, message, samples)));
    }
    for (int i = 0; i < workers; i++) {
      Receiver worker = new Receiver("worker-" + (i + 1), "jobs");
      receivers.add(worker);
      subscriptions.add(realtime.on(SubscriptionSpec.builder().channel(jobs).group(group)
          // One job at a time, so that the members take turns rather than the first one
          // fetching the whole backlog in one batch.
          .batchSize(1).maxInFlight(1).build(),
          message -> receive(worker, message, samples)));
    }

    long published;
    boolean complete;
    try {
      published = publish(realtime, notifications, jobs, receivers);
      complete = awaitAll(receivers, published, Duration.ofSeconds(30));
    } finally {
      subscriptions.forEach(Subscription::close);
      for (Channel channel : List.of(notifications, jobs)) {
        try {
          realtime.admin().delete(channel);
        } catch (RuntimeException e) {
          out.println("(could not delete " + channel.name() + ": " + Main.sentence(e) + ")");
        }
      }
    }
    return report(receivers, published, complete);
  }

  /** Lets the job channel spread over the workers where the broker spreads by partition. */
  private void prepare(Realtime realtime, Channel jobs, String group) {
    ChannelSpec spread = ChannelSpec.builder(jobs).partitions(workers).groups(group).build();
    try {
      realtime.admin().check(spread);
      realtime.admin().ensure(spread);
    } catch (IllegalArgumentException noPartitions) {
      realtime.admin().ensure(ChannelSpec.builder(jobs).groups(group).build());
    }
  }

  private void receive(Receiver receiver, dev.realtime.Message message, AtomicInteger samples) {
    receiver.ids.add(message.id());
    receiver.deliveries.incrementAndGet();
    if (samples.getAndIncrement() < SAMPLES) {
      synchronized (out) {
        out.println(String.format(Locale.ROOT, "  %-9s got %-12s %s", receiver.name,
            message.event(), message.payloadAsString()));
      }
    }
  }

  /** Publishes at the rate, paced by intended send times, and shows the live table. */
  private long publish(Realtime realtime, Channel notifications, Channel jobs,
      List<Receiver> receivers) throws InterruptedException {
    long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
    long started = System.nanoTime();
    long end = started + duration.toNanos();
    long nextShow = started + TimeUnit.SECONDS.toNanos(1);
    long sent = 0;
    while (stop.getCount() > 0) {
      long now = System.nanoTime();
      long intended = started + sent * intervalNanos;
      if (intended >= end) {
        break;
      }
      if (now < intended) {
        stop.await(Math.min(intended - now, nextShow - now), TimeUnit.NANOSECONDS);
      } else {
        sent++;
        realtime.broadcast(notifications.name(), "notification", Map.of("title", "Hello #"
            + sent)).toCompletableFuture().join();
        // Keyed, so that a partitioned channel (Kafka) spreads the jobs over its partitions,
        // and so over the workers; unkeyed, the producer fills one partition at a time.
        realtime.broker().publish(dev.realtime.Message.builder().channel(jobs).event("resize")
            .key("image-" + sent).payload("{\"image\":" + sent + "}")
            .contentType(dev.realtime.Message.JSON).build()).toCompletableFuture().join();
      }
      if (System.nanoTime() >= nextShow) {
        show(receivers, sent, System.nanoTime() - started);
        nextShow += TimeUnit.SECONDS.toNanos(1);
      }
    }
    return sent;
  }

  private boolean awaitAll(List<Receiver> receivers, long published, Duration bound)
      throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (System.nanoTime() < deadline) {
      if (receivers.stream().filter(r -> r.what.equals("notifications"))
          .allMatch(r -> r.ids.size() >= published) && jobsDone(receivers) >= published) {
        return true;
      }
      if (stop.await(50, TimeUnit.MILLISECONDS)) {
        return false;
      }
    }
    return false;
  }

  private static long jobsDone(List<Receiver> receivers) {
    Set<String> all = new java.util.HashSet<>();
    receivers.stream().filter(r -> r.what.equals("jobs")).forEach(r -> all.addAll(r.ids));
    return all.size();
  }

  private void show(List<Receiver> receivers, long published, long elapsedNanos) {
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
        "t=%2ds  published %,d + %,d  |", TimeUnit.NANOSECONDS.toSeconds(elapsedNanos),
        published, published));
    for (Receiver receiver : receivers) {
      long count = receiver.deliveries.get();
      line.append(String.format(Locale.ROOT, "  %s %,d (%,d/s)", receiver.name, count,
          count - receiver.lastCount));
      receiver.lastCount = count;
    }
    synchronized (out) {
      out.println(line);
    }
  }

  private int report(List<Receiver> receivers, long published, boolean complete) {
    out.println();
    boolean ok = true;
    for (Receiver receiver : receivers) {
      long duplicates = receiver.deliveries.get() - receiver.ids.size();
      out.println(String.format(Locale.ROOT, "%-9s received %,d %s%s", receiver.name,
          receiver.ids.size(), receiver.what, duplicates > 0 ? " (+" + duplicates
              + " delivered twice)" : ""));
      if (receiver.what.equals("notifications") && receiver.ids.size() < published) {
        ok = false;
      }
    }
    Map<String, Long> shares = new java.util.LinkedHashMap<>();
    long jobRuns = 0;
    for (Receiver receiver : receivers) {
      if (receiver.what.equals("jobs")) {
        shares.put(receiver.name, (long) receiver.ids.size());
        jobRuns += receiver.ids.size();
      }
    }
    long distinctJobs = jobsDone(receivers);
    ok &= distinctJobs >= published;
    out.println();
    out.println(String.format(Locale.ROOT, "published %,d notifications and %,d jobs: each of "
        + "%d servers received %s; the %d workers ran %,d distinct jobs (%s)%s", published,
        published, servers, ok ? "all of them" : "not all", workers, distinctJobs,
        shares.toString().replaceAll("[{}]", ""), jobRuns > distinctJobs ? ", "
            + (jobRuns - distinctJobs) + " of them twice (at-least-once)" : ""));
    if (!complete && stop.getCount() > 0) {
      out.println("realtime: not everything arrived within 30 s of the last publish");
      return Main.FAILED;
    }
    return ok || stop.getCount() == 0 ? 0 : Main.FAILED;
  }
}
