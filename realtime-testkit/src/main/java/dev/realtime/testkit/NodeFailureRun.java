package dev.realtime.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The cluster case of issue 16, the same for every adapter: while a publisher sends at a steady
 * rate with confirms, and a broadcast subscriber and a group of two members consume, the node
 * that leads the channel (Kafka's partition leader, Redis's primary, RabbitMQ's queue leader) is
 * killed with -9, and started again later. Every message is counted by its id: a confirmed
 * message that a subscriber never receives is lost, one received twice a duplicate.
 *
 * <pre>{@code
 * NodeFailureRun.Result result = NodeFailureRun.run(environment.config(), cluster);
 * result.assertNoConfirmedMessageLost();
 * }</pre>
 *
 * <p>The run does not judge: what a backend promises differs (Redis without {@code WAIT} can
 * lose confirmed writes in a failover), so the caller asserts what its settings promise ({@link
 * Result#assertNoConfirmedMessageLost()} where a majority confirms), and prints the rest
 * ({@link Result#toString()}) for docs/clusters.md.
 */
public final class NodeFailureRun {
  /** What the cluster offers the run. */
  public interface Cluster {
    /**
     * Kills, with SIGKILL, a node that serves {@code channel} now (which one is the cluster's
     * case to make: the partition's or queue's leader, or the node the clients are connected
     * to), and returns which it was (such as {@code node 2, the partition's leader}), for the
     * report.
     */
    String killNodeServing(Channel channel);

    /** Starts the killed node again on its data; returns once it serves. */
    void restartKilled();
  }

  /**
   * The timeline of a run: messages per second, how long before the kill, how long the node
   * stays down, how long publishing goes on after its restart, and how long the subscribers
   * then have to receive every confirmed message.
   */
  public record Timeline(int rate, Duration beforeKill, Duration down, Duration afterRestart,
      Duration drain) {
    /**
     * 200 messages a second; 3 s, then 20 s down (longer than Kafka's 9 s broker session and
     * RabbitMQ's and Redis's failure detection), then 5 s; 60 s to drain.
     */
    public static Timeline standard() {
      return new Timeline(200, Duration.ofSeconds(3), Duration.ofSeconds(20),
          Duration.ofSeconds(5), Duration.ofSeconds(60));
    }
  }

  /**
   * What a run counted.
   *
   * @param killed which node was killed
   * @param published messages sent after the warm-up
   * @param confirmed of those, confirmed by the broker
   * @param failed of those, whose publish failed (never confirmed: not lost when missing)
   * @param lostBroadcast confirmed messages the broadcast subscriber never received
   * @param lostGroup confirmed messages no group member received
   * @param duplicatesBroadcast messages the broadcast subscriber received more than once
   * @param duplicatesGroup messages the group received more than once (by any members)
   * @param publishingResumed from the kill to the first confirm of a message sent after it,
   *     or null if none was confirmed
   * @param broadcastResumed from the kill to the broadcast subscriber's first receipt of a
   *     message sent after it, or null
   * @param groupResumed the same for the group
   */
  public record Result(String killed, int published, int confirmed, int failed,
      int lostBroadcast, int lostGroup, int duplicatesBroadcast, int duplicatesGroup,
      Duration publishingResumed, Duration broadcastResumed, Duration groupResumed) {
    /**
     * Asserts what replication with a majority's confirm promises: something was confirmed,
     * no confirmed message is missing on either side, and publishing and both sides resumed.
     */
    public void assertNoConfirmedMessageLost() {
      assertThat(confirmed).as(toString()).isGreaterThan(0);
      assertThat(lostBroadcast).as(toString()).isZero();
      assertThat(lostGroup).as(toString()).isZero();
      assertThat(publishingResumed).as(toString()).isNotNull();
      assertThat(broadcastResumed).as(toString()).isNotNull();
      assertThat(groupResumed).as(toString()).isNotNull();
    }

    @Override
    public String toString() {
      return "killed " + killed + ": published " + published + ", confirmed " + confirmed
          + ", failed " + failed + "; confirmed and lost: broadcast " + lostBroadcast
          + ", group " + lostGroup + "; duplicates: broadcast " + duplicatesBroadcast
          + ", group " + duplicatesGroup + "; resumed after the kill: publishing "
          + millis(publishingResumed) + ", broadcast " + millis(broadcastResumed) + ", group "
          + millis(groupResumed);
    }

    private static String millis(Duration duration) {
      return duration == null ? "never" : duration.toMillis() + " ms";
    }
  }

  private NodeFailureRun() {}

  /** Runs the {@linkplain Timeline#standard() standard timeline}. */
  public static Result run(RealtimeConfig config, Cluster cluster) throws InterruptedException {
    return run(config, cluster, Timeline.standard());
  }

  /**
   * Runs one kill on a channel and group of its own: see the class description.
   *
   * @throws IllegalStateException if the subscribers do not receive the warm-up within the
   *     drain time (nothing was killed then)
   */
  public static Result run(RealtimeConfig config, Cluster cluster, Timeline timeline)
      throws InterruptedException {
    String run = "nf" + Long.toString(ThreadLocalRandom.current().nextLong(Long.MAX_VALUE), 36)
        .toLowerCase(Locale.ROOT);
    Channel channel = Channel.of("failover." + run);
    String group = "failover-" + run;
    Receipts broadcast = new Receipts();
    Receipts members = new Receipts();
    List<AutoCloseable> open = new ArrayList<>();
    try {
      Broker publisher = opened(open, Brokers.open(config));
      publisher.admin().ensure(ChannelSpec.builder(channel).groups(group).build());
      opened(open, opened(open, Brokers.open(config)).subscribe(
          SubscriptionSpec.builder().channel(channel).build(), broadcast::received));
      for (int member = 0; member < 2; member++) {
        opened(open, opened(open, Brokers.open(config)).subscribe(
            SubscriptionSpec.builder().channel(channel).group(group).build(),
            members::received));
      }
      warmUp(publisher, channel, broadcast, members, timeline.drain());
      return measure(publisher, channel, cluster, timeline, broadcast, members);
    } finally {
      for (int i = open.size() - 1; i >= 0; i--) {
        try {
          open.get(i).close();
        } catch (Exception e) {
          // A subscriber's broker may fail to close in time after the outage; the run's
          // figures stand.
        }
      }
    }
  }

  private static Result measure(Broker publisher, Channel channel, Cluster cluster,
      Timeline timeline, Receipts broadcast, Receipts members) throws InterruptedException {
    Map<String, Long> confirmed = new ConcurrentHashMap<>();
    Set<String> failed = ConcurrentHashMap.newKeySet();
    List<CompletableFuture<?>> pending = new ArrayList<>();
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    long period = TimeUnit.SECONDS.toNanos(1) / timeline.rate();
    long start = System.nanoTime();
    long killAt = start + timeline.beforeKill().toNanos();
    long restartAt = killAt + timeline.down().toNanos();
    long end = restartAt + timeline.afterRestart().toNanos();
    String killed = null;
    long killedAt = 0;
    Thread restarter = null;
    for (long i = 0; ; i++) {
      long due = start + i * period;
      if (due >= end) {
        break;
      }
      LockSupport.parkNanos(due - System.nanoTime());
      if (killed == null && System.nanoTime() >= killAt) {
        killed = cluster.killNodeServing(channel);
        killedAt = System.nanoTime();
      }
      if (restarter == null && System.nanoTime() >= restartAt) {
        restarter = new Thread(cluster::restartKilled, "node-failure-restart");
        restarter.start();  // publishing goes on while the node starts
      }
      Message message = Message.builder().channel(channel).event("counted")
          .payload(("m" + i).getBytes(StandardCharsets.UTF_8)).build();
      sentAt.put(message.id(), System.nanoTime());
      pending.add(publisher.publish(message).toCompletableFuture().whenComplete(
          (receipt, failure) -> {
            if (failure == null) {
              confirmed.put(message.id(), System.nanoTime());
            } else {
              failed.add(message.id());
            }
          }));
    }
    if (restarter != null) {
      restarter.join();
    }
    long deadline = System.nanoTime() + timeline.drain().toNanos();
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
          .get(timeline.drain().toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception unanswered) {
      // Failed publishes are counted one by one; unanswered ones are neither.
    }
    try {
      Awaits.await().atMost(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))
          .until(() -> broadcast.hasAll(confirmed.keySet())
              && members.hasAll(confirmed.keySet()));
    } catch (org.awaitility.core.ConditionTimeoutException missing) {
      // What never arrived is the result: counted below.
    }
    return new Result(killed, sentAt.size(), confirmed.size(), failed.size(),
        broadcast.missing(confirmed.keySet()), members.missing(confirmed.keySet()),
        broadcast.duplicates(), members.duplicates(), earliest(confirmed, sentAt, killedAt),
        earliest(broadcast.firstSeen, sentAt, killedAt),
        earliest(members.firstSeen, sentAt, killedAt));
  }

  /** From {@code after} to the earliest time in {@code at} of a message sent after it. */
  private static Duration earliest(Map<String, Long> at, Map<String, Long> sentAt, long after) {
    long first = Long.MAX_VALUE;
    for (Map.Entry<String, Long> entry : at.entrySet()) {
      Long sent = sentAt.get(entry.getKey());
      if (sent != null && sent >= after) {
        first = Math.min(first, entry.getValue());
      }
    }
    return first == Long.MAX_VALUE ? null : Duration.ofNanos(first - after);
  }

  /** Publishes warm-up messages until both sides received one: every subscriber is live. */
  private static void warmUp(Broker publisher, Channel channel, Receipts broadcast,
      Receipts members, Duration within) {
    try {
      // A subscription from "latest" may attach after a message: publish until one arrives.
      Awaits.await().atMost(within).pollInterval(Duration.ofMillis(200)).until(() -> {
        publisher.publish(Message.builder().channel(channel).event("warm-up").build());
        return broadcast.warm.get() > 0 && members.warm.get() > 0;
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new IllegalStateException("the subscribers received no warm-up message within "
          + within + ": the cluster does not serve " + channel, e);
    }
  }

  private static <T extends AutoCloseable> T opened(List<AutoCloseable> open, T closeable) {
    open.add(closeable);
    return closeable;
  }

  /** What one side received, by message id. */
  private static final class Receipts {
    final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    final AtomicInteger warm = new AtomicInteger();

    void received(Message message) {
      if (!message.event().equals("counted")) {
        warm.incrementAndGet();
        return;
      }
      firstSeen.putIfAbsent(message.id(), System.nanoTime());
      counts.computeIfAbsent(message.id(), id -> new AtomicInteger()).incrementAndGet();
    }

    boolean hasAll(Set<String> ids) {
      return counts.keySet().containsAll(ids);
    }

    int missing(Set<String> ids) {
      int missing = 0;
      for (String id : ids) {
        if (!counts.containsKey(id)) {
          missing++;
        }
      }
      return missing;
    }

    int duplicates() {
      int duplicates = 0;
      for (AtomicInteger count : counts.values()) {
        if (count.get() > 1) {
          duplicates++;
        }
      }
      return duplicates;
    }
  }
}
