package dev.realtime.testkit;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.Message;
import dev.realtime.PublishReceipt;
import dev.realtime.channel.Channel;
import dev.realtime.subscription.BatchHandler;
import dev.realtime.subscription.MessageHandler;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * What a case works with: a broker opened for it alone, channel names unique to this run and
 * case (so cases can run in parallel and reruns never see old data), publishing helpers that
 * wait for the broker's confirmation, and cleanup of everything the case opened.
 */
public final class CaseContext implements AutoCloseable {
  private final BrokerEnvironment environment;
  private final ConformanceCase conformanceCase;
  private final String run;
  private final Duration deadline;
  private final Broker broker;
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private final List<Broker> clients = new CopyOnWriteArrayList<>();
  private final List<String> notes = new CopyOnWriteArrayList<>();
  /** Hooks to undo when the case ends: refusals lifted, proxies stopped. */
  private final List<AutoCloseable> cleanups = new CopyOnWriteArrayList<>();
  /** The channels this case named, deleted when it ends. */
  private final java.util.Set<Channel> channels =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.Map<String, DeliveryLog> logs =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.Set<DeliveryLog> onceOnly =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.ExecutorService executor =
      java.util.concurrent.Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "conformance-case-worker");
        thread.setDaemon(true);
        return thread;
      });

  private final java.util.Optional<ForeignWriter> foreignWriter;

  private final java.util.Optional<PublishRefusal> publishRefusal;

  CaseContext(BrokerEnvironment environment, ConformanceCase conformanceCase, String run,
      Duration deadline) {
    this(environment, conformanceCase, run, deadline, environment.foreignWriter(),
        environment.publishRefusal());
  }

  CaseContext(BrokerEnvironment environment, ConformanceCase conformanceCase, String run,
      Duration deadline, java.util.Optional<ForeignWriter> foreignWriter,
      java.util.Optional<PublishRefusal> publishRefusal) {
    this.foreignWriter = foreignWriter;
    this.publishRefusal = publishRefusal;
    this.environment = environment;
    this.conformanceCase = conformanceCase;
    this.run = run;
    this.deadline = deadline;
    this.broker = Brokers.open(environment.config());
  }

  /** The broker opened for this case. */
  public Broker broker() {
    return broker;
  }

  /**
   * The writer of foreign records the suite was given (see {@link
   * ConformanceSuite#foreignWriter(BrokerEnvironment)}).
   *
   * @throws IllegalStateException if there is none (the case is then not run)
   */
  public ForeignWriter foreignWriter() {
    return foreignWriter.orElseThrow(() -> new IllegalStateException("no foreign writer for "
        + environment.description()));
  }

  /**
   * Makes the broker refuse publishes to {@code channel} until the returned handle is closed,
   * which the case's end does too (see {@link PublishRefusal}).
   *
   * @throws IllegalStateException if the suite has no refusal (the case is then not run)
   */
  public AutoCloseable refusePublishes(Channel channel) throws Exception {
    PublishRefusal refusal = publishRefusal.orElseThrow(() -> new IllegalStateException(
        "no publish refusal for " + environment.description()));
    AutoCloseable refused = refusal.refuse(channel);
    cleanups.add(refused);
    return refused;
  }

  /**
   * A client that can die without closing, from the environment; its proxy is stopped when the
   * case ends (see {@link MemberDeath}).
   *
   * @throws IllegalStateException if the environment has none (the case is then not run)
   */
  public MemberDeath memberDeath() {
    MemberDeath death = environment.memberDeath().orElseThrow(() -> new IllegalStateException(
        "no member death hook in " + environment.description()));
    cleanups.add(death);
    return death;
  }

  /** The environment the broker runs in, for its fault hooks. */
  public BrokerEnvironment environment() {
    return environment;
  }

  /**
   * Returns another client of the same broker, closed with the case. The in-memory broker lives
   * inside its one client, so there it is the case's own broker.
   */
  public Broker otherClient() {
    if (broker.name().equals("memory")) {
      return broker;
    }
    Broker other = Brokers.open(environment.config());
    clients.add(other);
    return other;
  }

  /**
   * Returns a client of the same broker opened with {@code config} (the environment's settings
   * with a few changed, such as a shorter {@code realtime.close-timeout}), closed with the case.
   * For the in-memory broker that is another broker, which shares nothing with this one.
   */
  public Broker client(dev.realtime.config.RealtimeConfig config) {
    Broker other = Brokers.open(config);
    clients.add(other);
    return other;
  }

  /** How long a case waits for a condition before it fails. */
  public Duration deadline() {
    return deadline;
  }

  /** Returns a channel unique to this run and case, ending in {@code name}. */
  public Channel channel(String name) {
    return channelNamed("conformance." + run + ".c" + String.format("%02d",
        conformanceCase.number()) + "." + name);
  }

  /**
   * Returns the channel {@code name} exactly, deleted when the case ends, for a case that needs
   * a name of a given shape (one that starts elsewhere than {@link #channel(String)}'s); the
   * caller makes it unique to the run, with a part of a {@link #channel(String)}'s name.
   */
  public Channel channelNamed(String name) {
    Channel channel = Channel.of(name);
    channels.add(channel);
    return channel;
  }

  /**
   * Returns a group name unique to this run and case, ending in {@code name}: parallel copies
   * of the suite must not join each other's groups.
   */
  public String group(String name) {
    return name + "-" + run + "-c" + String.format("%02d", conformanceCase.number());
  }

  /** Creates {@code groups} on {@code channel} before any member attaches (see ChannelSpec). */
  public void ensureGroups(Channel channel, String... groups) {
    broker.admin().ensure(dev.realtime.channel.ChannelSpec.builder(channel).groups(groups)
        .build());
  }

  /** Returns a new delivery log whose duplicates go into this case's report line. */
  public DeliveryLog log(String name) {
    DeliveryLog log = new DeliveryLog();
    logs.put(name + "#" + logs.size(), log);
    return log;
  }

  /**
   * Returns a new delivery log that promises once-only delivery: nothing in the case provokes a
   * redelivery (no failure, no close, no rebalance while messages flow), so a duplicate in it
   * fails the case, naming the ids.
   */
  public DeliveryLog onceOnlyLog(String name) {
    DeliveryLog log = log(name);
    onceOnly.add(log);
    return log;
  }

  /**
   * Puts every log's duplicates into the report line, and fails if a once-only log has any.
   * Called once the case's body returned, before its result is recorded.
   */
  void checkDuplicates() {
    List<String> failures = new ArrayList<>();
    logs.forEach((name, log) -> {
      java.util.Map<String, Integer> duplicates = log.duplicates();
      if (duplicates.isEmpty()) {
        return;
      }
      String label = name.substring(0, name.indexOf('#'));
      note(label + ": " + duplicates.size() + " delivered more than once");
      if (onceOnly.contains(log)) {
        failures.add(label + ": " + duplicates.size() + " delivered more than once (id -> times, "
            + "e.g. " + new java.util.TreeMap<>(duplicates).entrySet().stream().limit(5)
                .toList() + ")");
      }
    });
    if (!failures.isEmpty()) {
      throw new AssertionError("duplicates where the case provokes no redelivery: "
          + String.join("; ", failures));
    }
  }

  /** Runs {@code task} on a thread of this case, stopped when the case ends. */
  public <T> java.util.concurrent.Future<T> background(java.util.concurrent.Callable<T> task) {
    return executor.submit(task);
  }

  /**
   * Publishes a marker message again and again until {@code condition} holds: how a case knows
   * that a subscription is attached at the broker's end (a consumer group joined, a queue
   * bound) without sleeping. Returns the markers' ids.
   */
  public java.util.Set<String> publishUntil(Channel channel,
      java.util.function.BooleanSupplier condition) {
    return publishUntil(channel, deadline, condition);
  }

  /** As {@link #publishUntil(Channel, java.util.function.BooleanSupplier)}, within {@code bound}. */
  public java.util.Set<String> publishUntil(Channel channel, Duration bound,
      java.util.function.BooleanSupplier condition) {
    java.util.Set<String> markers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Awaits.await().atMost(bound).until(() -> {
      if (condition.getAsBoolean()) {
        return true;
      }
      markers.add(confirm(message(channel, "marker")).messageId());
      return condition.getAsBoolean();
    });
    return markers;
  }

  /** Publishes markers until {@code log} has received one of them. */
  public void awaitAttached(Channel channel, DeliveryLog log) {
    java.util.Set<String> markers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Awaits.await().atMost(deadline).until(() -> {
      if (log.ids().stream().anyMatch(markers::contains)) {
        return true;
      }
      markers.add(confirm(message(channel, "marker")).messageId());
      return log.ids().stream().anyMatch(markers::contains);
    });
  }

  /** Subscribes {@code handler}; the subscription is closed with the case. */
  public Subscription subscribe(SubscriptionSpec spec, MessageHandler handler) {
    Subscription subscription = broker.subscribe(spec, handler);
    subscriptions.add(subscription);
    return subscription;
  }

  /** Closes {@code subscription} with the case: for subscriptions made on other clients. */
  public Subscription track(Subscription subscription) {
    subscriptions.add(subscription);
    return subscription;
  }

  /** Subscribes a batch handler; the subscription is closed with the case. */
  public Subscription subscribeBatches(SubscriptionSpec spec, BatchHandler handler) {
    Subscription subscription = broker.subscribeBatches(spec, handler);
    subscriptions.add(subscription);
    return subscription;
  }

  /** Returns a message on {@code channel} with event {@code event} and a small JSON payload. */
  public Message message(Channel channel, String event) {
    return Message.builder().channel(channel).event(event).payload("{\"event\":\"" + event
        + "\"}").contentType(Message.JSON).build();
  }

  /** Publishes {@code count} messages, one at a time, each confirmed; returns them in order. */
  public List<Message> publish(Channel channel, int count) {
    return publish(channel, count, i -> null);
  }

  /** Publishes {@code count} messages keyed by {@code key}, each confirmed, in order. */
  public List<Message> publish(Channel channel, int count, IntFunction<String> key) {
    List<Message> published = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Message message = message(channel, "e" + i).newBuilder().key(key.apply(i)).build();
      confirm(message);
      published.add(message);
    }
    return published;
  }

  /** Publishes {@code message} and waits for the broker's confirmation. */
  public PublishReceipt confirm(Message message) {
    try {
      return broker.publish(message).toCompletableFuture()
          .get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("publish of " + message + " was not confirmed within "
          + deadline, e);
    }
  }

  /** Publishes {@code messages} in one {@code publishAll} and waits for the confirmations. */
  public List<PublishReceipt> confirmAll(List<Message> messages) {
    try {
      return broker.publishAll(messages).toCompletableFuture()
          .get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(messages.size() + " messages published together were not "
          + "confirmed within " + deadline, e);
    }
  }

  /** Returns the ids of {@code messages}, in order. */
  public static List<String> ids(List<Message> messages) {
    List<String> ids = new ArrayList<>(messages.size());
    messages.forEach(m -> ids.add(m.id()));
    return ids;
  }

  /** Adds a line to this case's entry in the report (duplicates seen, say). */
  public void note(String note) {
    notes.add(note);
  }

  List<String> notes() {
    return notes;
  }

  /**
   * Deletes the channels the case named, with their groups: a shared broker (the machine's
   * Redis or RabbitMQ) must not fill up with every run's channels. Best effort: a channel that
   * is gone already, or a broker that is away, is skipped. The in-memory broker is dropped
   * whole instead.
   */
  private void deleteChannels() {
    if (channels.isEmpty() || broker.name().equals("memory")) {
      return;
    }
    Broker cleaner = broker;
    boolean own = false;
    try {
      for (Channel channel : channels) {
        try {
          cleaner.admin().delete(channel);
        } catch (dev.realtime.BrokerClosedException e) {
          if (own) {
            return;
          }
          cleaner = Brokers.open(environment.config()); // The case closed its own broker.
          own = true;
          cleaner.admin().delete(channel);
        } catch (RuntimeException e) {
          // Gone already, or the broker is away: nothing more to do for this one.
        }
      }
    } finally {
      if (own) {
        cleaner.close();
      }
    }
  }

  /**
   * Closes every subscription, deletes the channels the case named, closes every other client,
   * the broker and the case's threads; one failing close does not keep the others open.
   */
  @Override
  public void close() {
    RuntimeException failure = null;
    List<AutoCloseable> closing = new ArrayList<>(subscriptions);
    // Refusals lifted and proxies stopped before the channels go: a dead member's client then
    // never comes back, and a refused channel is deleted like any other.
    closing.addAll(cleanups);
    closing.add(this::deleteChannels);
    closing.addAll(clients);
    closing.add(broker);
    for (AutoCloseable resource : closing) {
      try {
        if (resource instanceof Subscription) {
          ((Subscription) resource).close(Duration.ofSeconds(5));
        } else {
          resource.close();
        }
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing what the case opened failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    executor.shutdownNow();
    if (failure != null) {
      throw failure;
    }
  }
}
