package dev.realtime.memory;

import dev.realtime.Capabilities;
import dev.realtime.Health;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.Position;
import dev.realtime.PublishReceipt;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelAdmin;
import dev.realtime.internal.Positions;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.spi.AdapterBroker;
import dev.realtime.spi.BrokerContext;
import dev.realtime.spi.Deadline;
import dev.realtime.spi.Handling;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-memory broker: the embedded default, and the reference implementation of every
 * semantic the adapters share. It keeps everything in this JVM and loses it when the JVM exits.
 *
 * <p><b>Storage.</b> A {@link ChannelLog} per channel: offsets from 0, trimmed by the channel's
 * retention (count, bytes, age). A publish appends under the log's lock and completes at once:
 * the message is stored when the stage completes, as publisher confirms promise.
 *
 * <p><b>Delivery.</b> A broadcast subscription reads through a {@link GroupCursor} of its own;
 * the members of a named group share one cursor per channel, kept by the broker after they
 * leave, so a group resumes where it stopped and messages published while it had no member wait
 * for it. Cursors acknowledge per message; see {@link GroupCursor} for key affinity, which keeps
 * per-key order across competing members.
 *
 * <p><b>Handling.</b> Each subscription's poller thread pulls at most the dispatcher's capacity
 * and hands messages to a {@link Dispatcher}, like every adapter: retries, dead letters (through
 * {@link #publish}), flow control and drain are the shared ones.
 *
 * <p><b>Deleted channels.</b> A channel deleted and created again continues its offsets from
 * where the deleted one ended, so a late acknowledgement of an old message can never settle a
 * new one at the same offset.
 */
final class MemoryBroker extends AdapterBroker<MemorySubscription> {
  static final String NAME = "memory";

  private static final Capabilities CAPABILITIES = MemoryBrokerProvider.CAPABILITIES;
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private final long maxMessagesPerChannel;
  private final Duration closeTimeout;
  private final RealtimeMetrics metrics;
  private final String id = "memory-" + SEQUENCE.incrementAndGet();
  private final Map<Channel, ChannelLog> logs = new ConcurrentHashMap<>();
  private final Map<Channel, Long> endOfDeleted = new ConcurrentHashMap<>();
  private final Map<String, GroupCursor> groups = new ConcurrentHashMap<>();
  private final MemoryAdmin admin;

  MemoryBroker(long maxMessagesPerChannel, Duration closeTimeout, BrokerContext context) {
    super(context, NAME, CAPABILITIES);
    this.maxMessagesPerChannel = maxMessagesPerChannel;
    this.closeTimeout = closeTimeout;
    this.metrics = context.metrics();
    this.admin = new MemoryAdmin(this);
  }

  @Override
  public CompletionStage<PublishReceipt> publish(Message message) {
    long offset = append(message);
    return CompletableFuture.completedFuture(
        new PublishReceipt(message.id(), message.channel(), Position.ofOffset(offset)));
  }

  @Override
  public CompletionStage<List<PublishReceipt>> publishAll(List<Message> messages) {
    List<PublishReceipt> receipts = new ArrayList<>(messages.size());
    for (Message message : messages) {
      long offset = append(message);
      receipts.add(new PublishReceipt(message.id(), message.channel(), Position.ofOffset(offset)));
    }
    return CompletableFuture.completedFuture(receipts);
  }

  private long append(Message message) {
    while (true) {
      long offset = log(message.channel()).append(message);
      if (offset >= 0) {
        return offset;
      }
      // The log was deleted between lookup and append: the channel's next log takes it.
    }
  }

  @Override
  protected Subscription open(SubscriptionSpec spec, Handling handling) {
    if (spec.start().kind() == StartPosition.Kind.POSITION) {
      // A foreign position is refused before anything starts.
      Positions.offsetOf(spec.start().position(), NAME);
    }
    MemorySubscription subscription = subscriptions().open(new MemorySubscription(
        subscriptions(), spec, handling, this::log, this::cursor, metrics),
        started -> started.start(logs.values()));
    // A channel created while it started was told to the subscriptions registered then, not to
    // this one: it looks again now that it is registered (attaching twice is a no-op).
    logs.values().forEach(subscription::channelCreated);
    return subscription;
  }

  private GroupCursor cursor(SubscriptionSpec spec, ChannelLog log, StartPosition start) {
    if (!spec.isGroup()) {
      return new GroupCursor(log, null, startOffset(log, start));
    }
    return groups.compute(groupKey(spec.group(), log.channel), (key, existing) ->
        existing != null && existing.log == log
            ? existing
            : new GroupCursor(log, spec.group(), startOffset(log, start)));
  }

  /** Creates {@code group} on {@code channel} at its end, unless it exists. */
  GroupCursor ensureGroup(String group, ChannelLog log) {
    return groups.compute(groupKey(group, log.channel), (key, existing) ->
        existing != null && existing.log == log
            ? existing
            : new GroupCursor(log, group, log.endOffset()));
  }

  List<GroupCursor> groupsOf(Channel channel) {
    List<GroupCursor> out = new ArrayList<>();
    for (GroupCursor cursor : groups.values()) {
      if (cursor.log.channel.equals(channel) && !cursor.log.isDeleted()) {
        out.add(cursor);
      }
    }
    return out;
  }

  private static String groupKey(String group, Channel channel) {
    return group + '\u0000' + channel.name();
  }

  private static long startOffset(ChannelLog log, StartPosition start) {
    switch (start.kind()) {
      case EARLIEST:
        return log.startOffset();
      case POSITION:
        long offset = Positions.offsetOf(start.position(), NAME);
        return Math.min(Math.max(offset, log.startOffset()), log.endOffset());
      case TIMESTAMP:
        return log.offsetAt(start.timestamp());
      case LATEST:
      default:
        return log.endOffset();
    }
  }

  /** Returns the channel's log, creating it (and telling subscriptions()) if needed. */
  ChannelLog log(Channel channel) {
    ChannelLog log = logs.get(channel);
    if (log != null && !log.isDeleted()) {
      return log;
    }
    boolean[] created = new boolean[1];
    // compute, like delete: a new log is made only after a deleted one's end was recorded.
    log = logs.compute(channel, (c, existing) -> {
      if (existing != null && !existing.isDeleted()) {
        return existing;
      }
      created[0] = true;
      return new ChannelLog(c, endOfDeleted.getOrDefault(c, 0L), maxMessagesPerChannel);
    });
    if (created[0]) {
      for (MemorySubscription subscription : subscriptions().all()) {
        subscription.channelCreated(log);
      }
    }
    return log;
  }

  /** Returns the channel's log, or null if the channel does not exist. */
  ChannelLog existingLog(Channel channel) {
    return logs.get(channel);
  }

  Iterable<ChannelLog> logs() {
    return logs.values();
  }

  boolean delete(Channel channel) {
    ChannelLog[] deleted = new ChannelLog[1];
    logs.computeIfPresent(channel, (c, log) -> {
      log.delete(); // From here on its end offset is final.
      endOfDeleted.put(c, log.endOffset());
      deleted[0] = log;
      return null;
    });
    if (deleted[0] == null) {
      return false;
    }
    groups.values().removeIf(cursor -> cursor.log == deleted[0]);
    return true;
  }

  @Override
  public List<Message> history(Channel channel, HistoryQuery query) {
    ChannelLog log = logs.get(channel);
    if (log == null) {
      return List.of();
    }
    List<Message> out = new ArrayList<>();
    for (ChannelLog.Entry entry : log.read(startOffset(log, query.from()), query.limit())) {
      out.add(entry.delivered(0));
    }
    return out;
  }

  @Override
  public ChannelAdmin admin() {
    return admin;
  }

  @Override
  public Health health() {
    return Health.up(NAME, "in-memory broker in this JVM: " + logs.size() + " channel(s), "
        + subscriptions().all().size() + " subscription(s)");
  }

  /**
   * Stops every subscription's handlers from starting, then closes the subscriptions one by one,
   * all within one {@code realtime.close-timeout}.
   */
  @Override
  public void close() {
    Deadline deadline = Deadline.after(closeTimeout);
    subscriptions().closeAll(deadline);
  }

  @Override
  public String toString() {
    return "MemoryBroker{" + id + "}";
  }
}
