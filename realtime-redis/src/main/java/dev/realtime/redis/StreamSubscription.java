package dev.realtime.redis;

import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.spi.Handling;
import dev.realtime.spi.Outcome;
import dev.realtime.internal.FailureReasons;
import dev.realtime.spi.PollingSubscription;
import dev.realtime.spi.Subscriptions;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.SubscriptionSpec;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.lettuce.core.models.stream.PendingMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscription to streams: one poll thread with a connection of its own reads (XREAD or
 * XREADGROUP, blocking up to the poll timeout) and feeds the shared handlers of {@link
 * PollingSubscription}; on a Redis Cluster, a connection per hash slot of its streams ({@link
 * Reader}). Each entry is held with its {@link Entry} (its stream's state and its
 * id): the handle that comes back when it is settled, so that acknowledging it looks nothing up.
 *
 * <p><b>Broadcast</b> reads with XREAD from the last id it saw, kept in memory; nothing is
 * written to Redis. "Latest" is resolved at subscribe (the stream's last entry id), so everything
 * published after subscribe() returned is delivered.
 *
 * <p><b>Groups</b> read with XREADGROUP under a consumer name of this subscription's own, and
 * XACK an entry once its handler finished (acks are batched per stream by the poll thread).
 * Redis keeps every delivered, unacknowledged entry in the group's pending entries list (PEL),
 * which gives at-least-once without any offset to commit:
 * <ul>
 *   <li><b>Dead members.</b> Every member runs XAUTOCLAIM each second for entries pending longer
 *       than {@code realtime.redis.claim-idle-timeout}, whoever holds them, and handles them with
 *       their delivery count as the attempt number. A live member renews its own entries (XCLAIM
 *       JUSTID, which resets their idle time) three times per timeout, so a slow handler does not
 *       lose its entry to another member.
 *   <li><b>Clean close.</b> What the member did not finish (released by the drain, or never
 *       dispatched) is marked long idle, so the next sweep of any member takes it at once; a
 *       member with nothing pending is deleted from the group.
 *   <li><b>Lost replies.</b> An XREADGROUP whose reply was lost with a connection leaves entries
 *       pending under this consumer that it never saw; after a read failure, and every few
 *       seconds, the poll thread compares its PEL with what it holds and claims the difference.
 * </ul>
 *
 * <p><b>Flow control</b> is the dispatcher's: a read asks for at most the room there is, and what
 * a multi-stream read returns beyond it waits in {@code held} before the next read.
 */
final class StreamSubscription extends PollingSubscription<StreamSubscription.Entry> {
  private static final Logger log = LoggerFactory.getLogger(StreamSubscription.class);
  private static final long PATTERN_REFRESH = TimeUnit.SECONDS.toNanos(1);
  private static final long RECOVERY_INTERVAL = TimeUnit.SECONDS.toNanos(5);
  /** How idle a released entry is made: old enough for any member's next XAUTOCLAIM. */
  private static final Duration RELEASED_IDLE = Duration.ofDays(365);
  private static final int PENDING_PAGE = 1000;

  private final RedisBroker broker;
  /**
   * The most connections a subscription reads with on a cluster: its first slots get one each,
   * later ones share them (see Reader).
   */
  static final int MOST_READERS = 8;
  /** The reading connections (one on a single server); see Reader. */
  private final List<Reader> readers = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Which reader reads each hash slot's streams: the poll thread's. */
  private final Map<Integer, Reader> readerOfSlot = new HashMap<>();
  private final RedisClusterAsyncCommands<String, byte[]> commands;
  private final io.lettuce.core.@Nullable Consumer<String> consumer;
  /** One per stream read, by channel; the poll thread adds, handler threads look up. */
  private final Map<Channel, StreamState> streams = new ConcurrentHashMap<>();
  private final Map<String, StreamState> byKey = new ConcurrentHashMap<>();
  /** Group entries whose handler finished, to XACK; handler threads add, the poll thread acks. */
  private final Queue<Entry> toAck = new ConcurrentLinkedQueue<>();
  private final long renewInterval;
  private final long sweepInterval;
  /** The longest the poll thread waits or blocks: a group member must renew in time. */
  private final Duration longestWait;
  /**
   * On a cluster, how long a read may go unanswered before it is sent again: its block and two
   * seconds for Redis to answer. Longer, and its node is not answering.
   */
  private final Duration stuckAfter;
  private long lastPatternRefresh;
  private long lastRenewal;
  private long lastSweep;
  private long lastRecovery;
  private boolean recoverPending = true;
  private boolean failing;
  /**
   * Completed as close begins: a wait of the poll thread for Redis ends then, rather than at its
   * timeout (Redis may be unreachable, so that CLIENT UNBLOCK cannot end the read).
   */
  private final java.util.concurrent.CompletableFuture<Void> closing =
      new java.util.concurrent.CompletableFuture<>();
  /** Closing: entries a handler had and did not finish (released). */
  private final Set<Entry> handlerHad = ConcurrentHashMap.newKeySet();
  /** A command given up while closing, which Redis may still run: the member stays a member. */
  private volatile boolean abandoned;

  /**
   * An entry's handle: the state of its stream (identity, not looked up by channel) and its id.
   * Equal for the same stream and id, for the hand-back's set of what handlers had.
   */
  record Entry(StreamState stream, String id) {}

  /**
   * A connection for blocking reads and the streams it reads. On a single server, one reads
   * every stream of the subscription with one XREAD. On a cluster one XREAD may not span two hash
   * slots (CROSSSLOT), so each slot is read by a command of its own: the subscription's first
   * {@link #MOST_READERS} slots get a connection each, whose reads block at the same time (the
   * poll thread takes whichever answers first); beyond that, slots share the connection with the
   * fewest, which then reads its slots without blocking, all at once, and after a round that
   * found nothing lets one of them (in turn) block for {@link #SHARED_BLOCK}: that bounds how
   * long an entry of a shared slot waits, at the price of a round of reads every so often. A
   * subscription over thousands of channels would otherwise hold thousands of connections.
   */
  private static final class Reader {
    /** The longest a read blocks on a connection shared by several slots. */
    static final Duration SHARED_BLOCK = Duration.ofMillis(100);
    final StatefulConnection<String, byte[]> connection;
    final RedisClusterAsyncCommands<String, byte[]> commands;
    /** The streams read here, by slot (one slot, 0, on a single server). */
    final Map<Integer, List<StreamState>> slots = new ConcurrentHashMap<>();
    /** The read in flight: the poll thread's. */
    java.util.concurrent.@Nullable CompletableFuture<List<StreamMessage<String, byte[]>>> read;
    /** When {@link #read} was sent (System.nanoTime()). */
    long readSince;
    /** Shared: the last round found nothing, so the next one lets a slot block. */
    private volatile boolean idle;
    private int turn;
    /**
     * CLIENT ID of the connection, for CLIENT UNBLOCK on close; renewed on reconnect. -1 on a
     * cluster, where the command would have to reach the slot's node: there a read ends on its
     * own within the poll timeout.
     */
    volatile long id = -1;

    Reader(StatefulConnection<String, byte[]> connection) {
      this.connection = connection;
      this.commands = RedisNodes.commands(connection);
    }

    void add(int slot, StreamState state) {
      slots.computeIfAbsent(slot, s -> new java.util.concurrent.CopyOnWriteArrayList<>())
          .add(state);
    }

    List<StreamState> streams() {
      List<StreamState> all = new ArrayList<>();
      slots.values().forEach(all::addAll);
      return all;
    }

    /**
     * Starts a read of up to {@code count} entries of each slot's streams, blocking up to {@code
     * block}: an XREADGROUP for {@code consumer}, or an XREAD after each stream's last id.
     */
    java.util.concurrent.CompletableFuture<List<StreamMessage<String, byte[]>>> read(
        io.lettuce.core.@Nullable Consumer<String> consumer, int count, Duration block) {
      List<List<StreamState>> groups = new ArrayList<>(slots.values());
      if (groups.size() == 1) {
        return read(groups.get(0), consumer, XReadArgs.Builder.block(block).count(count));
      }
      turn = (turn + 1) % groups.size();
      boolean blockOne = idle;
      List<java.util.concurrent.CompletableFuture<List<StreamMessage<String, byte[]>>>> reads =
          new ArrayList<>();
      for (int i = 0; i < groups.size(); i++) {
        // The blocking one goes last: Redis answers a connection's commands in order.
        boolean blocks = blockOne && i == groups.size() - 1;
        reads.add(read(groups.get((turn + i) % groups.size()), consumer, blocks
            ? XReadArgs.Builder.block(block.compareTo(SHARED_BLOCK) < 0 ? block : SHARED_BLOCK)
                .count(count)
            : XReadArgs.Builder.count(count)));
      }
      return java.util.concurrent.CompletableFuture.allOf(
          reads.toArray(java.util.concurrent.CompletableFuture[]::new)).thenApply(done -> {
            List<StreamMessage<String, byte[]>> all = new ArrayList<>();
            reads.forEach(read -> all.addAll(read.join()));
            idle = all.isEmpty();
            return all;
          });
    }

    private java.util.concurrent.CompletableFuture<List<StreamMessage<String, byte[]>>> read(
        List<StreamState> streams, io.lettuce.core.@Nullable Consumer<String> consumer,
        XReadArgs args) {
      @SuppressWarnings("unchecked")
      StreamOffset<String>[] offsets = streams.stream().map(state -> consumer != null
          ? StreamOffset.lastConsumed(state.key) : StreamOffset.from(state.key, state.lastId))
          .toArray(StreamOffset[]::new);
      return (consumer != null ? commands.xreadgroup(consumer, args, offsets)
          : commands.xread(args, offsets)).toCompletableFuture()
          .thenApply(entries -> entries == null ? List.of() : entries);
    }
  }

  /** What the poll thread knows of one stream. */
  private static final class StreamState {
    final Channel channel;
    final String key;
    /** Broadcast: the last entry id read. */
    volatile String lastId;
    /** Groups: XAUTOCLAIM's cursor. */
    String claimCursor = StreamIds.ZERO;
    /** Groups: entries read and not yet acknowledged; renewed while they are here. */
    final Set<String> pending = ConcurrentHashMap.newKeySet();

    StreamState(Channel channel, String key, String lastId) {
      this.channel = channel;
      this.key = key;
      this.lastId = lastId;
    }
  }

  StreamSubscription(RedisBroker broker, Subscriptions<?> owner, SubscriptionSpec spec,
      Handling handling) {
    super(owner, spec, handling, "poll");
    this.broker = broker;
    this.commands = broker.commands();
    this.consumer = spec.isGroup() ? io.lettuce.core.Consumer.from(spec.group(),
        "realtime-" + ProcessHandle.current().pid() + "-" + id() + "-"
            + UUID.randomUUID().toString().substring(0, 8)) : null;
    long idle = broker.claimIdleTimeout().toNanos();
    this.renewInterval = idle / 3;
    this.sweepInterval = Math.min(TimeUnit.SECONDS.toNanos(1), idle / 2);
    Duration wait = spec.pollTimeout().compareTo(RedisBroker.LONGEST_BLOCK) > 0
        ? RedisBroker.LONGEST_BLOCK : spec.pollTimeout();
    this.longestWait = spec.isGroup() && wait.toNanos() > renewInterval
        ? Duration.ofNanos(renewInterval) : wait;
    this.stuckAfter = longestWait.plusSeconds(2);
  }

  /** Pins the start of each stream (creating groups), then starts the poll thread. */
  void start() {
    for (Channel channel : spec().channels()) {
      attach(channel, spec().start());
    }
    if (!spec().patterns().isEmpty()) {
      refreshPatterns(spec().start());
      lastPatternRefresh = System.nanoTime();
    }
    if (spec().isGroup()) {
      gaugeLag();
    }
    startPolling();
  }

  /**
   * Starts reading {@code channel} at {@code start}. Broadcast: after the id before it. Group:
   * creates the group there (MKSTREAM), or joins it where it is if it exists.
   */
  private void attach(Channel channel, StartPosition start) {
    if (streams.containsKey(channel)) {
      return;
    }
    String key = broker.naming().backendName(channel);
    StreamState state;
    if (spec().isGroup()) {
      createGroup(key, groupStart(start));
      state = new StreamState(channel, key, StreamIds.ZERO);
    } else {
      state = new StreamState(channel, key, broadcastStart(key, start));
    }
    int slot = broker.nodes().slotOf(key);
    readerOf(slot).add(slot, state);
    streams.put(channel, state);
    byKey.put(key, state);
  }

  /** The reader of {@code slot}: a new connection, or the one reading the fewest slots. */
  private Reader readerOf(int slot) {
    Reader reader = readerOfSlot.get(slot);
    if (reader != null) {
      return reader;
    }
    if (readers.size() < MOST_READERS) {
      reader = new Reader(broker.connect());
      readers.add(reader);
      if (!broker.nodes().isCluster()) {
        Reader made = reader;
        made.id = broker.call(made.commands::clientId, "identify the reading connection");
      }
    } else {
      reader = readers.stream().min(java.util.Comparator.comparingInt(r -> r.slots.size()))
          .orElseThrow();
    }
    readerOfSlot.put(slot, reader);
    return reader;
  }

  private String broadcastStart(String key, StartPosition start) {
    return StreamIds.readAfter(start, () -> {
      List<StreamMessage<String, byte[]>> last = broker.call(
          () -> commands.xrevrange(key, Range.create("-", "+"), Limit.from(1)),
          "read the last entry of " + key);
      return last.isEmpty() ? StreamIds.ZERO : last.get(0).getId();
    });
  }

  /** Where a new group starts: "latest" is {@code $}, resolved by Redis as it creates it. */
  private static String groupStart(StartPosition start) {
    return StreamIds.readAfter(start, () -> "$");
  }

  private void createGroup(String key, String startId) {
    try {
      broker.call(() -> commands.xgroupCreate(StreamOffset.from(key, startId), spec().group(),
          new XGroupCreateArgs().mkstream(true)), "create group " + spec().group() + " on " + key);
    } catch (dev.realtime.RealtimeException e) {
      if (!isBusyGroup(e.getCause())) {
        throw e;
      }
    }
  }

  static boolean isBusyGroup(@Nullable Throwable failure) {
    return failure instanceof RedisCommandExecutionException
        && String.valueOf(failure.getMessage()).startsWith("BUSYGROUP");
  }

  /**
   * Channels of the registry that a pattern matches and that are not read yet. At start, asked
   * again while the connection fails; from the poll thread once (the poll loop tries again).
   */
  private void refreshPatterns(StartPosition start) {
    List<Channel> registered = pollThreadStarted()
        ? awaitLive(broker.registry().channels(), "list channels", broker.timeout())
        : broker.call(broker.registry()::channels, "list channels");
    for (Channel channel : registered) {
      if (!streams.containsKey(channel) && spec().includes(channel)) {
        attach(channel, start);
      }
    }
  }

  @Override
  protected void poll() {
    try {
      while (isActive()) {
        try {
          pollOnce();
          if (failing) {
            failing = false;
            log.info("{} reads from Redis again", this);
          }
        } catch (RuntimeException e) {
          if (!isActive()) {
            break;
          }
          if (spec().isGroup() && isGroupGone(e) && regrouped()) {
            continue;
          }
          recoverPending = true;
          if (!failing) {
            failing = true;
            if (broker.isDisconnected()) {
              // The broker warns once for the outage, with its cause; one line per
              // subscription on top would say the same again.
              log.info("{} waits for Redis to come back; trying again every 500ms ({})", this,
                  FailureReasons.of(e));
            } else {
              log.warn("{} could not read from Redis; trying again every 500ms ({})", this,
                  FailureReasons.of(e));
            }
          } else {
            log.debug("{} still cannot read from Redis", this, e);
          }
          awaitWake(Duration.ofMillis(500));
        }
      }
    } finally {
      finishAfterClose();
    }
  }

  private void pollOnce() {
    long now = System.nanoTime();
    if (!spec().patterns().isEmpty() && now - lastPatternRefresh > PATTERN_REFRESH) {
      // Channels that appeared after the subscription started are read from their beginning.
      lastPatternRefresh = now;
      refreshPatterns(StartPosition.earliest());
    }
    if (spec().isGroup()) {
      acknowledge(null);
      if (now - lastRenewal > renewInterval) {
        lastRenewal = now;
        renew();
      }
      if (recoverPending || now - lastRecovery > RECOVERY_INTERVAL) {
        recoverPending = !recoverOwnPending();
        lastRecovery = now;
      }
      if (now - lastSweep > sweepInterval) {
        lastSweep = now;
        sweep();
      }
    }
    dispatchHeld();
    measureLag();
    if (streams.isEmpty() || isHolding() || room() == 0) {
      // Nothing to read yet (a pattern with no channel), or no room: wait for room or close.
      awaitWake(longestWait);
      return;
    }
    read(room());
    dispatchHeld();
  }

  /**
   * Starts a blocking read on every reader that has none in flight, waits until one answers (or
   * close begins), and holds what every answered read brought. A read still blocking stays in
   * flight for the next round: sending it again would read its entries twice.
   */
  private void read(int count) {
    List<java.util.concurrent.CompletableFuture<?>> waiting = new ArrayList<>();
    boolean cluster = broker.nodes().isCluster();
    long now = System.nanoTime();
    for (Reader reader : readers) {
      if (cluster && reader.read != null && now - reader.readSince > stuckAfter.toNanos()) {
        // Sent to a primary that died: Lettuce holds it for that node until it is back, also
        // once its replica took over. Sent again, it goes where the slot is now. One that Redis
        // did run left its entries pending under this member, and the recovery takes them up.
        reader.read.cancel(false);
        reader.read = null;
        recoverPending = true;
      }
      if (reader.read == null && !reader.slots.isEmpty()) {
        reader.read = reader.read(consumer, count, longestWait);
        reader.readSince = now;
      }
      if (reader.read != null) {
        waiting.add(reader.read);
      }
    }
    waiting.add(closing);
    try {
      java.util.concurrent.CompletableFuture.anyOf(waiting.toArray(
          java.util.concurrent.CompletableFuture[]::new)).get(
          (cluster ? stuckAfter : longestWait.plus(broker.timeout())).toMillis() + 1000,
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // Each answered read's outcome is read below; one not answered yet stays in flight.
    } catch (InterruptedException e) {
      throw broker.unavailable("read", e);
    }
    for (Reader reader : readers) {
      java.util.concurrent.CompletableFuture<List<StreamMessage<String, byte[]>>> answered =
          reader.read;
      if (answered != null && answered.isDone()) {
        reader.read = null;
        received(awaitRead(answered));
      }
    }
  }

  private void received(List<StreamMessage<String, byte[]>> entries) {
    for (StreamMessage<String, byte[]> entry : entries) {
      StreamState state = byKey.get(entry.getStream());
      if (state == null) {
        continue;
      }
      if (spec().isGroup()) {
        state.pending.add(entry.getId());
      } else if (StreamIds.isAfter(entry.getId(), state.lastId)) {
        state.lastId = entry.getId();
      }
      hold(state, entry, 1);
    }
  }

  /**
   * An entry as a message. An entry without a body (deleted while pending, by trimming) and one
   * that somehow makes no message are acknowledged and skipped, so that they do not stay
   * pending; the second is logged as an error.
   */
  private void hold(StreamState state, StreamMessage<String, byte[]> entry, int attempt) {
    if (entry.getBody() == null || entry.getBody().isEmpty()) {
      discard(state, entry.getId());
      return;
    }
    Message message;
    try {
      message = StreamEntries.toMessage(state.channel, entry.getId(), entry.getBody(), attempt);
    } catch (RuntimeException e) {
      log.error("{}: skipping entry {} of {}, which makes no message ({})", this, entry.getId(),
          state.key, e.toString());
      discard(state, entry.getId());
      return;
    }
    hold(message, new Entry(state, entry.getId()));
  }

  /** Acknowledges an entry without handling it (broadcast: nothing to do). */
  private void discard(StreamState state, String entryId) {
    if (spec().isGroup()) {
      commands.xack(state.key, spec().group(), entryId);
      state.pending.remove(entryId);
    }
  }

  /**
   * From a handler thread: a finished group entry is acknowledged (by the poll thread, batched);
   * a released one, while running, is handled again.
   */
  @Override
  protected void settle(Entry entry, Message message, Outcome outcome) {
    if (!outcome.isSettled()) {
      if (isTaking()) {
        again(message, entry);
      } else if (outcome == Outcome.RELEASED) {
        handlerHad.add(entry); // A handler had it: its next delivery counts.
      }
      return; // Closing: it stays pending, and is marked for the next member on the way out.
    }
    if (spec().isGroup()) {
      toAck.add(entry);
    }
  }

  /**
   * XACKs what finished, one command per stream; failures are acknowledged again later. With a
   * deadline (closing), waits for the replies until then.
   */
  private void acknowledge(dev.realtime.spi.@Nullable Deadline wait) {
    if (toAck.isEmpty()) {
      return;
    }
    Map<StreamState, List<Entry>> perStream = new HashMap<>();
    for (Entry entry; (entry = toAck.poll()) != null; ) {
      perStream.computeIfAbsent(entry.stream(), s -> new ArrayList<>()).add(entry);
    }
    List<CompletionStage<?>> sent = new ArrayList<>();
    perStream.forEach((state, entries) -> {
      String[] ids = new String[entries.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = entries.get(i).id();
      }
      sent.add(commands.xack(state.key, spec().group(), ids).whenComplete((count, failure) -> {
        if (failure == null || isGroupGone(failure)) {
          for (String id : ids) {
            state.pending.remove(id); // Acknowledged, or gone with the group.
          }
        } else {
          toAck.addAll(entries);
        }
      }));
    });
    if (wait != null) {
      for (CompletionStage<?> stage : sent) {
        try {
          broker.await(stage, "acknowledge finished entries", wait.remaining());
        } catch (dev.realtime.BrokerUnavailableException e) {
          throw e; // No answer by the deadline: nothing more can be handed back either.
        } catch (RuntimeException e) {
          log.warn("{}: Redis refused to acknowledge finished entries ({}); they are handed "
              + "back and handled again", this, FailureReasons.of(e));
        }
      }
    }
  }

  /** Resets the idle time of every entry this member holds, so no other member takes it. */
  private void renew() {
    for (StreamState state : streams.values()) {
      if (!state.pending.isEmpty()) {
        commands.xclaim(state.key, consumer, new XClaimArgs().minIdleTime(0).justid(),
            state.pending.toArray(new String[0]));
      }
    }
  }

  /**
   * XAUTOCLAIM: takes entries any member left pending longer than the claim timeout (a dead
   * member's, or released ones), as many as there is room for.
   */
  private void sweep() {
    for (StreamState state : streams.values()) {
      int room = room();
      if (room <= 0) {
        return;
      }
      ClaimedMessages<String, byte[]> claimed = awaitLive(commands.xautoclaim(state.key,
          new XAutoClaimArgs<String>().consumer(consumer)
              .minIdleTime(broker.claimIdleTimeout()).startId(state.claimCursor)
              .count(Math.min(room, spec().batchSize()))), "claim pending entries of " + state.key,
          broker.timeout());
      state.claimCursor = claimed.getId() == null ? StreamIds.ZERO : claimed.getId();
      if (!claimed.getMessages().isEmpty()) {
        log.info("{} took over {} entries of {} pending longer than {}", this,
            claimed.getMessages().size(), state.channel, broker.claimIdleTimeout());
        take(state, claimed.getMessages());
      }
    }
  }

  /**
   * Takes up the entries pending under this consumer that it does not hold: read by an
   * XREADGROUP whose reply was lost with the connection. They are this consumer's already, so
   * they are read with XRANGE (no XCLAIM, which would count a delivery that never happened), and
   * keep the delivery count Redis has. A fresh connection may have a new client id, asked anew.
   * Asked on the reader's own connection, after its read, and never while a read is in flight
   * there (its entries are pending already and would be taken twice).
   *
   * @return false if a reader was left out for its read in flight: to do again next round
   */
  private boolean recoverOwnPending() {
    boolean all = true;
    for (Reader reader : readers) {
      if (reader.read != null) {
        all = false;
      } else {
        recoverOwnPending(reader);
      }
    }
    return all;
  }

  private void recoverOwnPending(Reader reader) {
    if (!broker.nodes().isCluster()) {
      reader.id = awaitLive(reader.commands.clientId(), "identify the reading connection",
          broker.timeout());
    }
    for (StreamState state : reader.streams()) {
      List<PendingMessage> mine = awaitLive(reader.commands.xpending(state.key, consumer,
          Range.create("-", "+"), Limit.from(PENDING_PAGE)), "list pending entries",
          broker.timeout());
      int lost = 0;
      for (PendingMessage entry : mine) {
        if (state.pending.contains(entry.getId())) {
          continue;
        }
        lost++;
        List<StreamMessage<String, byte[]>> found = awaitLive(reader.commands.xrange(state.key,
            Range.create(entry.getId(), entry.getId())), "read entry " + entry.getId(),
            broker.timeout());
        state.pending.add(entry.getId());
        if (found.isEmpty()) {
          discard(state, entry.getId()); // Trimmed meanwhile: nothing left to handle.
        } else {
          hold(state, found.get(0), attemptOf(entry.getRedeliveryCount()));
        }
      }
      if (lost > 0) {
        log.info("{} handles {} entries of {} whose delivery the connection lost", this, lost,
            state.channel);
      }
    }
  }

  /**
   * Holds entries XAUTOCLAIM took over, with their delivery count as the attempt: XAUTOCLAIM
   * counted this delivery, so a dead member's delivery shows as attempt 2.
   */
  private void take(StreamState state, List<StreamMessage<String, byte[]>> entries) {
    List<StreamMessage<String, byte[]>> live = new ArrayList<>();
    for (StreamMessage<String, byte[]> entry : entries) {
      state.pending.add(entry.getId());
      if (entry.getBody() == null || entry.getBody().isEmpty()) {
        discard(state, entry.getId()); // Trimmed while pending: nothing to handle.
      } else {
        live.add(entry);
      }
    }
    if (live.isEmpty()) {
      return;
    }
    Map<String, Long> deliveries = new HashMap<>();
    for (PendingMessage pending : awaitLive(commands.xpending(state.key, consumer,
        Range.create(live.get(0).getId(), live.get(live.size() - 1).getId()),
        Limit.from(live.size() + PENDING_PAGE)), "read delivery counts", broker.timeout())) {
      deliveries.put(pending.getId(), pending.getRedeliveryCount());
    }
    for (StreamMessage<String, byte[]> entry : live) {
      hold(state, entry, attemptOf(deliveries.getOrDefault(entry.getId(), 1L)));
    }
  }

  private static int attemptOf(long deliveries) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, deliveries));
  }

  /** Groups: the group's lag (XINFO GROUPS, Redis 7) per channel, once a second. */
  private void measureLag() {
    if (!isLagDue()) {
      return;
    }
    for (StreamState state : streams.values()) {
      if (!spec().channels().contains(state.channel)) {
        continue;
      }
      try {
        Long groupLag = GroupInfos.read(awaitLive(commands.xinfoGroups(state.key),
            "read groups", broker.timeout())).stream().filter(g -> g.name().equals(spec().group()))
            .map(GroupInfos.Group::lag).filter(java.util.Objects::nonNull).findFirst()
            .orElse(null);
        if (groupLag != null) {
          lag(state.channel, groupLag);
        }
      } catch (RuntimeException e) {
        log.debug("measuring lag of {} failed; trying again later", this, e);
      }
    }
  }

  /**
   * On the poll thread, after the loop: wait for the drain, acknowledge, hand back the rest.
   * Close returns by its deadline whatever happens here; these steps take what is left of it,
   * and at least the command timeout when it left them less (close(Duration.ZERO)): nobody waits
   * for them then, and a closing broker's shutdown ends them when it closes the connections.
   * What is left when Redis does not answer in time stays pending under this member, and the
   * log says how much: another member takes it after the claim timeout.
   */
  private void finishAfterClose() {
    dev.realtime.spi.Deadline deadline = closeDeadline();
    // Still-running handlers are released by close(); their entries stay pending.
    awaitHandlersEnded(deadline);
    endReads();
    dev.realtime.spi.Deadline steps = deadline.remaining().compareTo(broker.timeout()) < 0
        ? dev.realtime.spi.Deadline.after(broker.timeout()) : deadline;
    // The hand-back needs every message's outcome (released: a handler had it; returned: none
    // did). close() tells them as it ends the drain, also for a handler that does not stop, but
    // on its own thread, which may come after this one when close left no time to drain.
    long told = System.nanoTime() + steps.remaining().toNanos() / 2;
    while (inFlight() > 0 && System.nanoTime() < told) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    try {
      if (spec().isGroup()) {
        acknowledge(steps);
        handBack(steps);
      }
    } catch (RuntimeException e) {
      int pending = streams.values().stream().mapToInt(state -> state.pending.size()).sum();
      log.warn("{}: Redis did not answer while closing ({}): {} entries this member "
          + "read stay pending in group {}, {} of them handled and not acknowledged; another "
          + "member takes them after {} (realtime.redis.claim-idle-timeout) and handles them "
          + "again", this, FailureReasons.of(e), pending, spec().group(), toAck.size(),
          broker.claimIdleTimeout());
    } finally {
      readers.forEach(reader -> reader.connection.close());
    }
  }

  /**
   * Waits for the reads still in flight as close began (CLIENT UNBLOCK ends them at once where
   * it can): what they read is pending under this member and handed back with the rest. One
   * that does not end in time is given up, and the member then stays in the group (handBack).
   */
  private void endReads() {
    for (Reader reader : readers) {
      java.util.concurrent.CompletableFuture<List<StreamMessage<String, byte[]>>> read =
          reader.read;
      if (read != null) {
        reader.read = null;
        try {
          awaitLive(read, "read", longestWait.plus(broker.timeout()));
        } catch (RuntimeException e) {
          log.debug("{}: a read in flight at close ended with {}", this, e.toString());
        }
      }
    }
  }

  /**
   * Marks what this member still has pending as long idle, so that any member's next sweep takes
   * it. An entry no handler had (returned by the drain, held, or never seen: a read's lost
   * reply) gets back the delivery Redis counted (RETRYCOUNT one less): the next member's claim
   * counts it again, so handing it back costs no attempt. An entry a handler had keeps its
   * count: one still running when the drain ended (released), and one whose handler finished but
   * whose XACK failed (a lost ack); its next delivery is one attempt more (deliveryAttempt counts
   * handler deliveries to the group). A member with nothing pending leaves the group (XGROUP
   * DELCONSUMER drops a consumer's pending entries, so never before they are handed back).
   */
  private void handBack(dev.realtime.spi.Deadline deadline) {
    Set<Entry> handled = new java.util.HashSet<>(handlerHad);
    handled.addAll(toAck);
    for (StreamState state : streams.values()) {
      List<PendingMessage> mine = broker.await(commands.xpending(state.key, consumer,
          Range.create("-", "+"), Limit.from(PENDING_PAGE)), "list pending entries",
          deadline.remaining());
      if (mine.isEmpty()) {
        if (!abandoned) {
          // XGROUP DELCONSUMER destroys the consumer's pending entries: never while a read
          // given up may still add some (they would be lost to the group).
          broker.await(commands.xgroupDelconsumer(state.key, consumer), "leave the group",
              deadline.remaining());
        }
        continue;
      }
      Map<Long, List<String>> byCount = new HashMap<>();
      for (PendingMessage entry : mine) {
        // Kept for an entry a handler had, one less for one it never reached.
        boolean had = handled.contains(new Entry(state, entry.getId()));
        long count = entry.getRedeliveryCount();
        byCount.computeIfAbsent(had ? count : Math.max(0, count - 1),
            c -> new ArrayList<>()).add(entry.getId());
      }
      for (Map.Entry<Long, List<String>> group : byCount.entrySet()) {
        broker.await(commands.xclaim(state.key, consumer, new XClaimArgs().minIdleTime(0)
            .idle(RELEASED_IDLE).retryCount(group.getKey()).justid(),
            group.getValue().toArray(new String[0])), "hand back pending entries",
            deadline.remaining());
      }
      state.pending.clear();
      log.info("{} handed back {} unacknowledged entries of {} to group {}", this,
          mine.size(), state.channel, spec().group());
    }
  }

  /**
   * Whether Redis said the group, or the stream with it, is gone: NOGROUP, or UNBLOCKED when the
   * key was deleted under a blocking read (ChannelAdmin.delete, or a restart without the data).
   */
  static boolean isGroupGone(@Nullable Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof RedisCommandExecutionException) {
        String text = String.valueOf(cause.getMessage());
        return text.startsWith("NOGROUP") || text.startsWith("UNBLOCKED");
      }
    }
    return false;
  }

  /**
   * Creates the group again on every stream that lost it, from the stream's beginning (what is
   * there was published after the loss). The lost group's pending entries went with it: this
   * member forgets them, and acknowledges nothing into the new group.
   */
  private void regroup() {
    for (StreamState state : streams.values()) {
      try {
        broker.call(() -> commands.xgroupCreate(StreamOffset.from(state.key, StreamIds.ZERO),
            spec().group(), new XGroupCreateArgs().mkstream(true)), "create group " + spec().group()
            + " on " + state.key);
      } catch (dev.realtime.RealtimeException e) {
        if (isBusyGroup(e.getCause())) {
          continue; // This stream kept its group.
        }
        throw e;
      }
      log.info("{}: group {} was gone from {}; created again, reading it from its start", this,
          spec().group(), state.key);
      state.pending.clear();
      state.claimCursor = StreamIds.ZERO;
      toAck.removeIf(entry -> entry.stream() == state);
    }
  }

  /** {@link #regroup()}, reporting whether it worked; a failure is retried like a read. */
  private boolean regrouped() {
    try {
      regroup();
      return true;
    } catch (RuntimeException e) {
      log.debug("{}: creating the group again failed", this, e);
      return false;
    }
  }

  /** Waits for a blocking read: its own block time plus the command timeout. */
  private List<StreamMessage<String, byte[]>> awaitRead(
      CompletionStage<List<StreamMessage<String, byte[]>>> read) {
    try {
      return awaitLive(read, "read", longestWait.plus(broker.timeout()));
    } catch (dev.realtime.BrokerUnavailableException e) {
      throw e;
    } catch (dev.realtime.RealtimeException e) {
      throw new dev.realtime.RealtimeException("reading failed: "
          + FailureReasons.of(e), e.getCause());
    }
  }

  /**
   * Waits for a command of the poll loop at most {@code bound} (plus a margin for Lettuce's own
   * timeout), or until close begins: then the command is given up (what it read stays pending
   * under this member, which hands it back) and the loop ends.
   */
  private <T> T awaitLive(CompletionStage<T> stage, String operation, Duration bound) {
    java.util.concurrent.CompletableFuture<T> reply = stage.toCompletableFuture();
    try {
      java.util.concurrent.CompletableFuture.anyOf(reply, closing)
          .get(bound.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // The reply's own outcome is read below.
    } catch (InterruptedException e) {
      throw broker.unavailable(operation, e);
    }
    if (!reply.isDone() && closing.isDone()) {
      // Close began. When Redis answers, CLIENT UNBLOCK ends a blocking read at once: wait for
      // its reply (up to half of what is left of the close), so that what it read is held and
      // handed back. Given up, a read may still be served later, into this member's pending
      // entries: then the member must not leave the group (see handBack).
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(
          closeDeadline().remainingMillis() / 2, broker.timeout().toMillis()));
      while (!reply.isDone() && System.nanoTime() < until) {
        try {
          reply.get(100, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException
            | java.util.concurrent.TimeoutException e) {
          // The read may have reached Redis after the first CLIENT UNBLOCK: unblock it again.
          unblockReader();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (!reply.isDone()) {
        abandoned = true;
        reply.cancel(false);
        throw new dev.realtime.RealtimeException(this + " closed while waiting to "
            + operation);
      }
    }
    return broker.await(reply, operation, Duration.ZERO);
  }

  /**
   * Ends the poll thread's blocking read now rather than at its timeout (CLIENT UNBLOCK, as if
   * it timed out): closing many subscriptions would otherwise wait a poll timeout each.
   */
  private void unblockReader() {
    for (Reader reader : readers) {
      long id = reader.id;
      if (id >= 0) {
        commands.clientUnblock(id, io.lettuce.core.UnblockType.TIMEOUT);
      }
    }
  }

  @Override
  protected void interruptPoll() {
    closing.complete(null);
    unblockReader();
  }

  /** The drain, then an ack, an XPENDING and up to a few XCLAIMs per stream, each bounded. */
  @Override
  protected Duration pollThreadBound(Duration drainTimeout) {
    long commandMillis = broker.timeout().toMillis() + 1000;
    return drainTimeout.plusMillis(1000 + longestWait.toMillis()
        + commandMillis * (1 + 3L * streams.size()));
  }

  @Override
  protected void closed() {
    if (!pollThreadStarted()) {
      // Never started: nobody else will close them.
      readers.forEach(reader -> reader.connection.close());
    }
  }

  @Override
  public String toString() {
    return "RedisSubscription{" + spec() + (consumer == null ? "" : ", consumer "
        + consumer.getName()) + "}";
  }
}
