package dev.realtime.memory;

import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.spi.Handling;
import dev.realtime.spi.Outcome;
import dev.realtime.spi.PollingSubscription;
import dev.realtime.spi.Subscriptions;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A subscription to the in-memory broker: one poller thread pulls from a cursor per channel and
 * hands the messages to the handlers; settled messages are acknowledged on the cursor they came
 * from (the handle), released ones given back to it.
 */
final class MemorySubscription extends PollingSubscription<GroupCursor>
    implements GroupCursor.Member {
  private final Function<Channel, ChannelLog> logs;
  private final CursorSource cursors;
  private final Map<Channel, GroupCursor> attached = new ConcurrentHashMap<>();
  private final Map<GroupCursor, AutoCloseable> lagGauges = new ConcurrentHashMap<>();
  private final RealtimeMetrics metrics;
  /** One instance, so that it can be removed from the logs it was added to. */
  private final Runnable wakeListener = this::wake;

  /** Where cursors come from: a named group's are shared and kept by the broker. */
  interface CursorSource {
    GroupCursor cursor(SubscriptionSpec spec, ChannelLog log, StartPosition start);
  }

  MemorySubscription(Subscriptions<MemorySubscription> owner, SubscriptionSpec spec,
      Handling handling, Function<Channel, ChannelLog> logs, CursorSource cursors,
      RealtimeMetrics metrics) {
    super(owner, spec, handling, "poll");
    this.metrics = metrics;
    this.logs = logs;
    this.cursors = cursors;
  }

  /** Attaches the channels that exist now, then starts delivering. */
  void start(Iterable<ChannelLog> existing) {
    for (Channel channel : spec().channels()) {
      attach(logs.apply(channel), spec().start());
    }
    for (ChannelLog log : existing) {
      if (!spec().channels().contains(log.channel) && spec().includes(log.channel)) {
        attach(log, spec().start());
      }
    }
    startPolling();
  }

  /**
   * A channel was created (or created again after a delete) while this subscription runs: a
   * pattern subscription starts reading it from its first message, so nothing published to a new
   * channel is missed.
   */
  void channelCreated(ChannelLog log) {
    if (isActive() && spec().includes(log.channel)) {
      attach(log, StartPosition.earliest());
    }
  }

  private synchronized void attach(ChannelLog log, StartPosition start) {
    if (!isActive()) {
      return; // Closed meanwhile: joining now would leave a member that never leaves.
    }
    GroupCursor previous = attached.get(log.channel);
    if (previous != null && previous.log == log) {
      return;
    }
    GroupCursor cursor = cursors.cursor(spec(), log, start);
    cursor.join(this);
    log.addListener(wakeListener);
    attached.put(log.channel, cursor);
    lagGauges.put(cursor, metrics.lag(MemoryBroker.NAME, spec().group(), log.channel,
        cursor::lag));
    if (previous != null) {
      detach(previous);
    }
    wake();
  }

  private void detach(GroupCursor cursor) {
    cursor.leave(this);
    cursor.log.removeListener(wakeListener);
    AutoCloseable gauge = lagGauges.remove(cursor);
    if (gauge != null) {
      try {
        gauge.close();
      } catch (Exception e) {
        // A metrics registry that fails to remove a gauge must not stop the close.
      }
    }
  }

  /**
   * Acknowledges or releases a message on the cursor it was pulled from: the cursor is the
   * handle, so a cursor replaced meanwhile (its channel deleted and created again) is not told
   * of the old log's offsets.
   */
  @Override
  protected void settle(GroupCursor cursor, Message message, Outcome outcome) {
    long offset = message.position().offset();
    if (outcome.isSettled()) {
      cursor.ack(this, offset);
    } else {
      // Only a handler's delivery counts as an attempt (Message.deliveryAttempt()).
      cursor.release(this, offset, outcome != Outcome.RETURNED);
    }
  }

  @Override
  protected void poll() {
    int turn = 0;
    while (isActive()) {
      boolean delivered = false;
      // Start at another channel each round, so a busy channel cannot starve the others.
      List<GroupCursor> cursors = new ArrayList<>(attached.values());
      Collections.rotate(cursors, -(turn++ % Math.max(1, cursors.size())));
      for (GroupCursor cursor : cursors) {
        int room = room();
        // Not while closing: the dispatcher hands a pulled message straight back, the release
        // wakes this thread, and each such lap counted a delivery. Under load a closing member
        // pumped a message to its 1,000th attempt, and the next member dead-lettered it unseen.
        if (room == 0 || !isTaking()) {
          break;
        }
        List<Message> batch = cursor.pull(this, room);
        if (!batch.isEmpty()) {
          for (Message message : batch) {
            hold(message, cursor);
          }
          dispatchHeld();
          delivered = true;
        }
      }
      if (!delivered) {
        awaitWake(spec().pollTimeout());
      }
    }
  }

  /** The poll thread never waits for handlers: ten seconds is plenty for its last round. */
  @Override
  protected Duration pollThreadBound(Duration drainTimeout) {
    return Duration.ofSeconds(10);
  }

  /**
   * Leaves the cursors, releasing what this member still held. When a handler closed the
   * subscription, the base calls this only once the handlers have ended (its message was
   * acknowledged by then), so nothing here waits for them.
   */
  @Override
  protected void closed() {
    detachAll();
  }

  private synchronized void detachAll() {
    attached.values().forEach(this::detach);
  }

  @Override
  public String toString() {
    return "MemorySubscription{" + spec() + "}";
  }
}
