package dev.realtime.memory;

import dev.realtime.Broker;
import dev.realtime.Capabilities;
import dev.realtime.Health;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.Position;
import dev.realtime.PublishReceipt;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelAdmin;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.spi.Deadline;
import dev.realtime.spi.Dispatcher;
import dev.realtime.subscription.BatchHandler;
import dev.realtime.subscription.MessageHandler;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

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
final class MemoryBroker implements Broker {
  static final String NAME = "memory";

  private static final Capabilities CAPABILITIES = MemoryBrokerProvider.CAPABILITIES;
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private final long maxMessagesPerChannel;
  private final Duration closeTimeout;
  private final Duration publishTimeout;
  private final RealtimeMetrics metrics;
  private final String id = "memory-" + SEQUENCE.incrementAndGet();
  private final Map<Channel, ChannelLog> logs = new ConcurrentHashMap<>();
  private final Map<Channel, Long> endOfDeleted = new ConcurrentHashMap<>();
  private final Map<String, GroupCursor> groups = new ConcurrentHashMap<>();
  private final Set<MemorySubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final MemoryAdmin admin;

  MemoryBroker(long maxMessagesPerChannel, Duration closeTimeout, Duration publishTimeout,
      RealtimeMetrics metrics) {
    this.maxMessagesPerChannel = maxMessagesPerChannel;
    this.closeTimeout = closeTimeout;
    this.publishTimeout = publishTimeout;
    this.metrics = metrics;
    this.admin = new MemoryAdmin(this);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Capabilities capabilities() {
    return CAPABILITIES;
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
  public Subscription subscribe(SubscriptionSpec spec, MessageHandler handler) {
    return open(spec, builder -> builder.handler(handler));
  }

  @Override
  public Subscription subscribeBatches(SubscriptionSpec spec, BatchHandler handler) {
    return open(spec, builder -> builder.batchHandler(handler));
  }

  private Subscription open(SubscriptionSpec spec, Consumer<Dispatcher.Builder> handler) {
    if (spec.start().kind() == StartPosition.Kind.POSITION) {
      offsetOf(spec.start().position()); // Refuse a foreign position before anything starts.
    }
    MemorySubscription[] self = new MemorySubscription[1];
    MemorySubscription subscription = new MemorySubscription(spec, this::log, this::cursor,
        metrics, () -> subscriptions.remove(self[0]));
    self[0] = subscription;
    Dispatcher.Builder dispatcher = Dispatcher.builder(spec)
        .settlement(subscription::settle)
        .deadLetters(this::publish)
        .metrics(metrics, NAME)
        .capacityListener(subscription::wake)
        .deadLetterTimeout(publishTimeout)
        .threadName("realtime-memory-handler-" + id);
    handler.accept(dispatcher);
    subscriptions.add(subscription);
    try {
      subscription.start(dispatcher.build(), logs.values());
    } catch (RuntimeException | Error e) {
      subscription.close(Duration.ZERO);
      throw e;
    }
    return subscription;
  }

  private static long offsetOf(Position position) {
    try {
      return position.offset();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("position \"" + position + "\" is not an offset of the "
          + "memory broker; use a position this broker returned (a PublishReceipt's or a "
          + "Message's)", e);
    }
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
        long offset = offsetOf(start.position());
        return Math.min(Math.max(offset, log.startOffset()), log.endOffset());
      case TIMESTAMP:
        return log.offsetAt(start.timestamp());
      case LATEST:
      default:
        return log.endOffset();
    }
  }

  /** Returns the channel's log, creating it (and telling subscriptions) if needed. */
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
      for (MemorySubscription subscription : subscriptions) {
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
        + subscriptions.size() + " subscription(s)");
  }

  /**
   * Stops every subscription's handlers from starting, then closes the subscriptions one by one,
   * all within one {@code realtime.close-timeout}.
   */
  @Override
  public void close() {
    Deadline deadline = Deadline.after(closeTimeout);
    List<MemorySubscription> open = new ArrayList<>(subscriptions);
    open.forEach(MemorySubscription::stopTaking);
    for (MemorySubscription subscription : open) {
      subscription.close(deadline);
    }
  }

  @Override
  public String toString() {
    return "MemoryBroker{" + id + "}";
  }
}
