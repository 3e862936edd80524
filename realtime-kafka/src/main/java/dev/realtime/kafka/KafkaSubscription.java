package dev.realtime.kafka;

import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelPattern;
import dev.realtime.internal.FailureReasons;
import dev.realtime.spi.Deadline;
import dev.realtime.spi.Handling;
import dev.realtime.spi.Outcome;
import dev.realtime.spi.PollingSubscription;
import dev.realtime.spi.Subscriptions;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription: a KafkaConsumer owned by one poll thread, feeding the shared handlers of
 * {@link PollingSubscription}. Each record is held with its {@link Offset} (partition, offset
 * tracker, offset): the handle that comes back when it is settled, so that settling, seeking back
 * a released record and dropping a revoked partition's records parse and look up nothing.
 *
 * <p><b>Concurrency.</b> KafkaConsumer is not thread-safe, so every consumer call happens on the
 * poll thread (or in {@link #start()}, before that thread starts). In a group, handler threads
 * only mark offsets finished in each partition's {@link OffsetTracker}, and the poll thread
 * commits; a broadcast subscription commits nothing and so tracks nothing.
 *
 * <p><b>Delivery.</b> Broadcast: manual assignment of every partition of the channels' topics
 * (and of topics matching a pattern, refreshed while running), starting where the spec says; no
 * group, no commits, every subscriber reads everything. Group: {@code subscribe()} with the
 * group's name as {@code group.id}; Kafka balances partitions over the members.
 *
 * <p><b>Commit.</b> After each poll the poll thread commits, per partition, the lowest offset
 * not yet finished, never past it. When partitions are revoked it commits them synchronously
 * first; on close it waits for the handlers to drain, then commits synchronously. A record whose
 * handler did not finish is read again by the next owner: at-least-once. Each commit's metadata
 * says which later records finished (the next owner skips them) and which unfinished ones
 * handlers were given, with their attempt (the next owner counts one more): see {@link
 * OffsetTracker}. At most one async commit is in flight.
 *
 * <p><b>Flow control.</b> When the dispatcher is full, or a fetched batch still waits for room,
 * every assigned partition is paused: at most one batch is held beyond {@code maxInFlight}, and
 * nothing beyond {@code maxInFlight} reaches the handlers.
 */
final class KafkaSubscription extends PollingSubscription<KafkaSubscription.Offset> {
  private static final Logger log = LoggerFactory.getLogger(KafkaSubscription.class);
  private static final Duration PATTERN_REFRESH = Duration.ofSeconds(1);
  /** The wait after a failed poll before the next. */
  private static final Duration RETRY = Duration.ofMillis(500);

  private final KafkaBroker broker;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<TopicPartition, OffsetTracker> trackers = new ConcurrentHashMap<>();
  /** The last commit sent and answered, per partition; poll thread only. */
  private final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
  /** Async commits sent and not yet answered: one at most (see commit); read by tests. */
  private final AtomicInteger asyncCommitsInFlight = new AtomicInteger();
  /** Records released while running, to be read again; any thread adds. */
  private final java.util.Queue<Released> released =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  /**
   * Per partition, the released records sought back and not yet read again, with the attempt
   * they were delivered as: read again, each counts one more (a handler had it), as a released
   * message does on every adapter. Poll thread only.
   */
  private final Map<TopicPartition, Map<Long, Integer>> releasedAttempts = new HashMap<>();
  private long lastPatternRefresh;
  /** When polling began to fail (System.nanoTime()), 0 while it works; poll thread only. */
  private long failingSince;
  /** Partitions that existed when a group from "latest" subscribed; see fixLatestStart. */
  private final Set<TopicPartition> knownAtStart = new HashSet<>();
  /** Where a group from "latest" starts in partitions it had no offset for at subscribe. */
  private final Map<TopicPartition, Long> latestStart = new HashMap<>();
  /**
   * Per assigned partition, what its last owner said in its commit's metadata (see
   * OffsetTracker): the offsets it finished beyond its commit, skipped here, and the ones its
   * handlers had, delivered here as one attempt more. Poll thread only.
   */
  private final Map<TopicPartition, OffsetTracker.Handover> handedOver = new HashMap<>();

  /**
   * A record's handle: its partition, the partition's offset tracker as it was when the record
   * was fetched (null for broadcast, which commits nothing), and its offset. The tracker is the
   * one of that assignment: a late outcome after the partition was revoked and assigned again
   * does not mark the new assignment's tracker.
   */
  record Offset(TopicPartition partition, @Nullable OffsetTracker tracker, long offset) {}

  /** A released record and the attempt it was delivered as. */
  private record Released(Offset handle, int attempt) {}

  KafkaSubscription(KafkaBroker broker, Subscriptions<KafkaSubscription> owner,
      SubscriptionSpec spec, Handling handling) {
    super(owner, spec, handling, "poll");
    this.broker = broker;
    Properties props = broker.consumerProperties(spec.group(), "realtime-" + (spec.isGroup()
        ? spec.group() : "broadcast") + "-" + id() + "-" + UUID.randomUUID());
    props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, spec.batchSize());
    if (spec.isGroup() && !spec.patterns().isEmpty()) {
      // A group's pattern finds new topics at each metadata refresh: every 5 minutes by default.
      props.putIfAbsent(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 1000);
    }
    props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
        spec.start().kind() == StartPosition.Kind.EARLIEST ? "earliest" : "latest");
    this.consumer = broker.newConsumer(props);
  }

  /** Assigns or subscribes, pins the start positions, and starts the poll thread. */
  void start() {
    if (spec().isGroup()) {
      if (spec().start().kind() == StartPosition.Kind.LATEST) {
        fixLatestStart();
      }
      ConsumerRebalanceListener listener = new Rebalance();
      if (spec().patterns().isEmpty()) {
        consumer.subscribe(topics(), listener);
      } else {
        consumer.subscribe(groupPattern(), listener);
      }
    } else {
      assign(topics(), spec().start());
      lastPatternRefresh = System.nanoTime();
    }
    gaugeLag();
    startPolling();
  }

  /**
   * Fixes where a group from "latest" starts before subscribe() returns. Left to Kafka ({@code
   * auto.offset.reset=latest}), a new group starts at the end as of its first fetch, after the
   * group join: a message published after subscribe() returned but before that fetch was
   * skipped (the README's Quickstart lost its group message so).
   *
   * <p>So the end offsets of the partitions the group has no offset for are read now and
   * committed for the group from outside (Admin): Kafka allows that while the group has no
   * members, which is the case of a new group, and from then on every member, whenever it
   * joins, starts there. If the group has members already (the commit is refused), the offsets
   * read now are kept instead: a partition this member is assigned while it still has no
   * committed offset starts there and is committed at once ({@link Rebalance}), so that its
   * next owner starts there too. Seeking on assignment alone would not do: a member's first
   * assignment may come after the publish, and a later member would fix a later start.
   *
   * <p>A partition unknown now (added by ChannelAdmin.ensure, or a topic created later that
   * matches a pattern) holds nothing older than this subscription: it starts at its beginning.
   *
   * <p>Races accepted: two members of a new group starting together both commit, and the later
   * commit can move the start past a message published in between (one admin round trip); a
   * member that commits and leaves between the read and the commit here loses its commit to
   * the end. Both windows are milliseconds wide and only at a group's very first start.
   */
  private void fixLatestStart() {
    List<TopicPartition> parts = new ArrayList<>();
    for (String topic : topics()) {
      parts.addAll(broker.partitionsOf(consumer, topic));
    }
    knownAtStart.addAll(parts);
    KafkaAdmin admin = (KafkaAdmin) broker.admin();
    Map<TopicPartition, Long> ends = admin.uncommittedEnds(spec().group(), parts);
    if (ends.isEmpty()) {
      return;
    }
    try {
      admin.commitStart(spec().group(), ends, "fix the start of group " + spec().group());
    } catch (RuntimeException e) {
      // The group has members (Kafka refuses the commit): start there on assignment instead.
      log.debug("{}: group {} has members; its start is fixed on assignment ({})", spec(),
          spec().group(), e.getMessage());
      latestStart.putAll(ends);
    }
  }

  private List<String> topics() {
    List<String> topics = new ArrayList<>();
    for (Channel channel : spec().channels()) {
      topics.add(broker.naming().backendName(channel));
    }
    if (!spec().patterns().isEmpty()) {
      for (String topic : consumer.listTopics(broker.timeout()).keySet()) {
        Optional<Channel> channel = broker.naming().channelOf(topic);
        if (channel.isPresent() && spec().includes(channel.get()) && !topics.contains(topic)) {
          topics.add(topic);
        }
      }
    }
    return topics;
  }

  /** One regex over the literal channels' topics and every pattern's topics. */
  private Pattern groupPattern() {
    StringBuilder regex = new StringBuilder();
    for (Channel channel : spec().channels()) {
      regex.append(regex.length() == 0 ? "" : "|")
          .append(Pattern.quote(broker.naming().backendName(channel)));
    }
    for (ChannelPattern pattern : spec().patterns()) {
      regex.append(regex.length() == 0 ? "" : "|")
          .append(broker.naming().backendPattern(pattern).pattern());
    }
    return Pattern.compile(regex.toString());
  }

  /**
   * Adds the partitions of {@code topics} to the manual assignment, positioned at {@code start}.
   * The positions are resolved now (not lazily at the next poll), so that a subscription from
   * "latest" receives everything published after subscribe() returned.
   */
  private void assign(Collection<String> topics, StartPosition start) {
    List<TopicPartition> added = new ArrayList<>();
    for (String topic : topics) {
      for (TopicPartition part : broker.partitionsOf(consumer, topic)) {
        if (!trackers.containsKey(part)) {
          added.add(part);
        }
      }
    }
    if (added.isEmpty()) {
      return;
    }
    Map<TopicPartition, Long> offsets = KafkaStarts.offsets(consumer, added, start,
        broker.timeout());
    List<TopicPartition> all = new ArrayList<>(consumer.assignment());
    all.addAll(added);
    consumer.assign(all);
    for (TopicPartition part : added) {
      consumer.seek(part, offsets.get(part));
      trackers.put(part, new OffsetTracker());
    }
  }

  @Override
  protected void poll() {
    try {
      while (isActive()) {
        try {
          pollOnce();
          if (failingSince != 0) {
            log.info("{} reads from Kafka again after {} s", this,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - failingSince));
            failingSince = 0;
          }
        } catch (WakeupException e) {
          // close() woke the poll: the loop condition ends it.
        } catch (RuntimeException e) {
          failed(e);
          awaitWake(RETRY);
        }
      }
    } finally {
      finishAfterClose();
    }
  }

  /**
   * Says once per outage, at WARN with the root cause, that reading fails; each further failure
   * (with its stack trace) only at DEBUG: while Kafka was down, a trace every retry filled the
   * log (issue 14 item 12). The recovery is told at INFO.
   */
  private void failed(RuntimeException e) {
    if (failingSince == 0) {
      failingSince = System.nanoTime();
      log.warn("{} cannot read from Kafka: {}; trying again every {} ms", this,
          broker.explain(e), RETRY.toMillis());
    }
    log.debug("{}: polling failed", this, e);
  }

  private void pollOnce() {
    if (!spec().isGroup() && System.nanoTime() - lastPatternRefresh > PATTERN_REFRESH.toNanos()) {
      // Topics (matching a pattern) and partitions (added by ChannelAdmin.ensure) that appeared
      // after the subscription started are read from their beginning.
      lastPatternRefresh = System.nanoTime();
      assign(topics(), StartPosition.earliest());
    }
    if (consumer.assignment().isEmpty() && consumer.subscription().isEmpty()) {
      awaitWake(spec().pollTimeout()); // A pattern with no matching topic yet.
      return;
    }
    seekBackReleased();
    dispatchHeld();
    // Fetch only when nothing is held and there is room: a fetch larger than the room waits in
    // held (one batch at most), so nothing beyond maxInFlight ever reaches the handlers.
    ConsumerRecords<byte[], byte[]> records;
    if (isHolding() || room() == 0) {
      // No room: wait for the handlers, not for Kafka. A poll of paused partitions would sit
      // out its whole timeout however soon room came (the capacity listener wakes awaitWake,
      // not the consumer): a closed loop of maxInFlight messages ran at two polls a second.
      consumer.pause(consumer.assignment());
      awaitWake(spec().pollTimeout());
      records = consumer.poll(Duration.ZERO); // Still polled: group membership, rebalances.
    } else {
      if (!consumer.paused().isEmpty()) {
        consumer.resume(consumer.paused());
      }
      records = consumer.poll(spec().pollTimeout());
    }
    // Per partition, so that the topic's channel and the offset tracker are looked up once a
    // batch rather than once a record (the lookup showed in the poll thread's profile).
    for (TopicPartition part : records.partitions()) {
      Optional<Channel> channel = broker.naming().channelOf(part.topic());
      if (channel.isEmpty()) {
        continue;
      }
      OffsetTracker tracker = spec().isGroup()
          ? trackers.computeIfAbsent(part, p -> new OffsetTracker()) : null;
      OffsetTracker.Handover handover = handedOver.get(part);
      for (ConsumerRecord<byte[], byte[]> record : records.records(part)) {
        long offset = record.offset();
        if (tracker != null && handover != null && handover.done.remove(offset)) {
          // The partition's last owner finished it and said so in its commit.
          tracker.fetched(offset);
          tracker.finished(offset);
          continue;
        }
        Map<Long, Integer> releasedHere = releasedAttempts.get(part);
        Integer releasedAs = releasedHere == null ? null : releasedHere.remove(offset);
        int attempt = releasedAs != null ? releasedAs + 1
            : 1 + (handover == null ? 0 : handover.attempts.getOrDefault(offset, 0));
        Message message;
        try {
          message = KafkaRecords.toMessage(channel.get(), record, attempt);
        } catch (RuntimeException e) {
          // A record another producer wrote that is no valid message: skipped, never a stall.
          log.error("skipping record {}-{}@{}: it is not a valid message ({})", record.topic(),
              record.partition(), offset, e.getMessage());
          continue;
        }
        if (tracker != null) { // Only a group commits; broadcast tracks nothing.
          tracker.fetched(offset);
          tracker.delivering(offset, attempt);
        }
        hold(message, new Offset(part, tracker, offset));
      }
    }
    if (spec().isGroup()) {
      // Before the handlers get them: the commit says they were given (their attempt counts
      // if this member's later commits are lost).
      commit(false, consumer.assignment());
    }
    dispatchHeld();
    measureLag();
  }

  /**
   * Sums, per channel, the records the broker has beyond this consumer's position. The end
   * offsets are asked of the broker at most once a second: the consumer's cached high
   * watermark goes stale while its partitions are paused, which is exactly when lag matters.
   */
  private void measureLag() {
    if (!isLagDue()) {
      return;
    }
    Set<TopicPartition> assignment = consumer.assignment();
    if (assignment.isEmpty()) {
      return;
    }
    try {
      Map<Channel, Long> now = new HashMap<>();
      Map<TopicPartition, Long> end = consumer.endOffsets(assignment, broker.timeout());
      for (TopicPartition part : assignment) {
        long behind = Math.max(0, end.get(part) - consumer.position(part, broker.timeout()));
        broker.naming().channelOf(part.topic())
            .ifPresent(channel -> now.merge(channel, behind, Long::sum));
      }
      lag(now); // Revoked partitions are no longer this lag.
    } catch (RuntimeException e) {
      log.debug("measuring lag of {} failed; trying again later", spec(), e);
    }
  }

  /**
   * Reads released records again: seeks each partition back to its lowest released offset and
   * drops what is held beyond it (it will be fetched again). Records already handled after it
   * are handled again: at-least-once.
   */
  private void seekBackReleased() {
    if (released.isEmpty()) {
      return;
    }
    Map<TopicPartition, Long> lowest = new HashMap<>();
    Set<TopicPartition> assigned = consumer.assignment();
    for (Released again; (again = released.poll()) != null; ) {
      Offset offset = again.handle();
      if (assigned.contains(offset.partition())) {
        lowest.merge(offset.partition(), offset.offset(), Math::min);
        releasedAttempts.computeIfAbsent(offset.partition(), part -> new HashMap<>())
            .merge(offset.offset(), again.attempt(), Math::max);
      }
    }
    lowest.forEach((part, offset) -> {
      if (assigned.contains(part)) {
        consumer.seek(part, offset);
        dropHeld(held -> held.partition().equals(part));
      }
    });
  }

  /**
   * Commits, for each of {@code parts}, the lowest unfinished offset, if it moved. An async
   * commit is sent only when the last one was answered: one after every poll piled up (60
   * unanswered within a second of a backlog, each poll re-sending offsets whose commit was
   * still under way), and the last, synchronous commit on close queued behind all of them and
   * timed out after 10 s (issue 14 item 8). What the skipped commit would have carried goes
   * with the next one.
   */
  private void commit(boolean sync, Collection<TopicPartition> parts) {
    commit(sync, parts, broker.timeout());
  }

  private void commit(boolean sync, Collection<TopicPartition> parts, Duration timeout) {
    if (!sync && asyncCommitsInFlight.get() > 0) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition part : parts) {
      OffsetTracker tracker = trackers.get(part);
      long offset = tracker == null ? -1 : tracker.committable();
      if (offset < 0) {
        continue;
      }
      // The metadata says what finished beyond the offset and what handlers were given: a
      // change of either is committed, even if the offset did not move.
      OffsetAndMetadata now = new OffsetAndMetadata(offset, tracker.metadata(offset));
      OffsetAndMetadata last = committed.get(part);
      if (last == null || last.offset() != offset || !last.metadata().equals(now.metadata())) {
        offsets.put(part, now);
      }
    }
    if (offsets.isEmpty()) {
      return;
    }
    if (sync) {
      consumer.commitSync(offsets, timeout);
      committed.putAll(offsets);
    } else {
      asyncCommitsInFlight.incrementAndGet();
      consumer.commitAsync(offsets, (done, failure) -> {
        asyncCommitsInFlight.decrementAndGet();
        if (failure == null) {
          committed.putAll(done);
        }
      });
    }
  }

  /**
   * From a handler thread: a finished record may be committed; a released one may not, and
   * while the subscription runs it is read again (its dead letter could not be published).
   */
  @Override
  protected void settle(Offset handle, Message message, Outcome outcome) {
    OffsetTracker tracker = handle.tracker(); // Null for broadcast: it commits nothing.
    if (!outcome.isSettled()) {
      if (isTaking()) {
        released.add(new Released(handle, message.deliveryAttempt()));
      } else if (tracker != null && outcome == Outcome.RETURNED) {
        // Given back by a clean close, no handler had it: its attempt was not spent.
        tracker.handedBack(handle.offset());
      }
      return;
    }
    if (tracker != null) {
      tracker.finished(handle.offset());
    }
  }

  /**
   * On the poll thread, after the loop: wait for the drain, commit, close the consumer, each
   * step bounded by what is left of the close's deadline (realtime.close-timeout): with the
   * broker down, the commit and the consumer's close would each wait their own Kafka timeout.
   * What is not committed by then is read again by the group's next member.
   */
  private void finishAfterClose() {
    Deadline deadline = closeDeadline();
    // Handlers finish (or the drain times out) before the last commit, so it includes them.
    awaitHandlersEnded(deadline);
    takeBack((message, held) -> { // Fetched, never given to a handler: no attempt spent.
      if (held.tracker() != null) {
        held.tracker().handedBack(held.offset());
      }
    });
    try {
      if (spec().isGroup()) {
        try {
          commit(true, consumer.assignment(), deadline.remaining());
        } catch (WakeupException e) {
          // A wakeup left over from close(): once more.
          commit(true, consumer.assignment(), deadline.remaining());
        }
      }
    } catch (RuntimeException e) {
      log.warn("final commit of {} failed within realtime.close-timeout; the next member reads "
          + "those records again ({})", spec(), FailureReasons.of(e));
      log.debug("final commit of {} failed", spec(), e);
    } finally {
      consumer.close(deadline.remaining());
    }
  }

  /** Wakes a poll blocked in Kafka: the loop condition then ends it. */
  @Override
  protected void interruptPoll() {
    consumer.wakeup();
  }

  @Override
  protected void closed() {
    if (!pollThreadStarted()) {
      consumer.close(Duration.ZERO); // Never started: nobody else will close it.
    }
  }

  /** Commits what finished before partitions go; starts new ones where the spec says. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      try {
        // Closing revokes too (consumer.close): then within what is left of the close's bound.
        commit(true, partitions, isActive() ? broker.timeout() : closeDeadline().remaining());
      } catch (RuntimeException e) {
        log.warn("{}: commit on revocation failed; the next owner reads those records again "
            + "({})", KafkaSubscription.this, broker.explain(e));
        log.debug("commit on revocation failed", e);
      }
      partitions.forEach(part -> {
        trackers.remove(part);
        committed.remove(part);
        handedOver.remove(part);
        releasedAttempts.remove(part);
      });
      // Held records of a revoked partition belong to its next owner now.
      dropHeld(held -> partitions.contains(held.partition()));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      partitions.forEach(part -> trackers.put(part, new OffsetTracker()));
      if (partitions.isEmpty()) {
        return;
      }
      Map<TopicPartition, OffsetAndMetadata> offsets =
          consumer.committed(new HashSet<>(partitions), broker.timeout());
      Set<TopicPartition> fresh = new HashSet<>();
      for (TopicPartition part : partitions) {
        OffsetAndMetadata offset = offsets.get(part);
        if (offset == null) {
          fresh.add(part);
        } else {
          OffsetTracker.Handover handover =
              OffsetTracker.read(offset.offset(), offset.metadata());
          if (!handover.isEmpty()) {
            handedOver.put(part, handover);
          }
        }
      }
      StartPosition start = spec().start();
      if (fresh.isEmpty() || start.kind() == StartPosition.Kind.EARLIEST) {
        // auto.offset.reset=earliest is the same whenever the first fetch comes.
        return;
      }
      Map<TopicPartition, Long> starts = new HashMap<>();
      if (start.kind() == StartPosition.Kind.LATEST) {
        Set<TopicPartition> unknown = new HashSet<>(fresh);
        unknown.removeAll(knownAtStart);
        starts.putAll(consumer.beginningOffsets(unknown, broker.timeout()));
        Set<TopicPartition> known = new HashSet<>(fresh);
        known.removeAll(unknown);
        known.removeAll(latestStart.keySet());
        starts.putAll(consumer.endOffsets(known, broker.timeout()));
        for (TopicPartition part : fresh) {
          Long fixed = latestStart.get(part);
          if (fixed != null) {
            starts.put(part, fixed);
          }
        }
      } else {
        starts.putAll(KafkaStarts.offsets(consumer, fresh, start, broker.timeout()));
      }
      starts.forEach(consumer::seek);
      // Committed at once: the partition's next owner starts here too, not at its own "now".
      Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
      starts.forEach((part, offset) -> commit.put(part, new OffsetAndMetadata(offset)));
      try {
        consumer.commitSync(commit, broker.timeout());
        committed.putAll(commit);
      } catch (RuntimeException e) {
        log.warn("{}: committing the start of {} failed; a next owner may start elsewhere ({})",
            spec(), fresh, FailureReasons.of(e));
      }
    }
  }

  /** Async commits sent and not answered yet. */
  int asyncCommitsInFlight() {
    return asyncCommitsInFlight.get();
  }

  @Override
  public String toString() {
    return "KafkaSubscription{" + spec() + "}";
  }
}
