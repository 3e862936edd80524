package dev.realtime.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.realtime.BrokerUnavailableException;
import dev.realtime.Message;
import dev.realtime.Position;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelPattern;
import dev.realtime.internal.FailureReasons;
import dev.realtime.spi.Handling;
import dev.realtime.spi.Outcome;
import dev.realtime.spi.PollingSubscription;
import dev.realtime.spi.Subscriptions;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.SubscriptionSpec;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscription: an AMQP channel of its own with one consumer per source, feeding the shared
 * handlers of {@link PollingSubscription} through a pump thread. Each delivery is pushed with its
 * {@link Delivered} handle (delivery tag, the AMQP channel the tag belongs to, its source): what
 * comes back when it is settled, so that no side table of deliveries is kept or looked up.
 *
 * <p><b>Sources.</b> A broadcast subscriber reads each channel's stream queue from its start
 * ({@code x-stream-offset}: {@code next} for latest, {@code first}, an offset, a time), and a
 * broadcast pattern is an exclusive, auto-deleted queue bound to the pattern. A group member
 * consumes the group's durable quorum queue for each channel and pattern, shared with the other
 * members.
 *
 * <p><b>Acknowledgement.</b> Manual: a delivery is acked once its handler finished (or its dead
 * letter was confirmed). A group's released delivery is nacked with requeue while the member
 * runs; on close, what no handler took is handed back uncounted (see {@link #closed()}), and
 * closing the AMQP channel gives RabbitMQ back the rest. Stream deliveries are acked for credit
 * only: a stream keeps everything.
 *
 * <p><b>Flow control.</b> basic.qos: each consumer may hold {@code maxInFlight / sources}
 * unacked deliveries, so deliveries waiting for the dispatcher never exceed what it takes.
 *
 * <p><b>Recovery.</b> After amqp-client recovered the connection, the consumers are created
 * again by this class, not by amqp-client's topology recovery: a stream consumer must resume
 * after the last offset it saw (from its start time if it saw none), not at the offset it
 * first asked for, and a pattern's exclusive queue must be declared and bound anew.
 */
final class RabbitSubscription extends PollingSubscription<RabbitSubscription.Delivered> {
  private static final Logger log = LoggerFactory.getLogger(RabbitSubscription.class);
  /** How long a broadcast pattern's queue outlives its consumer: the outage it bridges. */
  private static final Duration PATTERN_QUEUE_EXPIRY = Duration.ofMinutes(5);
  /** A clock margin for resuming "latest" from a time: duplicates, never a gap. */
  private static final Duration RESUME_MARGIN = Duration.ofSeconds(2);

  private final RabbitBroker broker;
  private final List<Source> sources = new ArrayList<>();
  /** amqp-client channels are not for concurrent writes: acks, nacks and consumes take it. */
  private final Object writing = new Object();
  private com.rabbitmq.client.@Nullable Channel amqp;
  /** Each consumer's prefetch window (basic.qos). */
  private volatile int prefetch = 1;

  /**
   * A group's deliveries no handler took, recorded while closing (returned by the dispatcher,
   * never dispatched, or arriving after close began): handed back uncounted.
   */
  private final Map<Delivered, Message> returned =
      Collections.synchronizedMap(new IdentityHashMap<>());

  /** Tags released while closing after their handler ran: unacked, left to the close. */
  private final Set<Delivered> releasedAfterHandler = ConcurrentHashMap.newKeySet();

  /**
   * A delivery's handle: its tag, the AMQP channel the tag belongs to (a tag of a channel that
   * closed is acknowledged nowhere: RabbitMQ gave the delivery back with the channel), its
   * source, and what a group's hand-back copy needs.
   */
  record Delivered(long tag, com.rabbitmq.client.Channel amqp, Source source,
      AMQP.BasicProperties properties, byte[] body, int attempt) {}

  /** One queue this subscription consumes. */
  final class Source {
    final Kind kind;
    final String bindingKey;
    final @Nullable Channel channel;
    volatile String queue;
    /** The current consumer, null before the first consume. */
    volatile @Nullable Receiver receiver;
    /** Streams: the last offset seen, -1 before the first. */
    volatile long lastOffset = -1;
    /**
     * Streams from a time: deliveries made before it are skipped, until the first that is not
     * (the stream's chunk began before the time); after it, every delivery counts.
     */
    volatile @Nullable Instant notBefore;
    final Instant subscribedAt = Instant.now();
    /** Pushed and not yet settled or taken back: unacked here, counted for the close. */
    final AtomicInteger unsettled = new AtomicInteger();

    Source(Kind kind, String bindingKey, @Nullable Channel channel, String queue,
        @Nullable Instant notBefore) {
      this.kind = kind;
      this.bindingKey = bindingKey;
      this.channel = channel;
      this.queue = queue;
      this.notBefore = notBefore;
    }
  }

  private enum Kind {
    STREAM, PATTERN, GROUP
  }

  RabbitSubscription(RabbitBroker broker, Subscriptions<RabbitSubscription> owner,
      SubscriptionSpec spec, Handling handling) {
    super(owner, spec, handling, "pump");
    this.broker = broker;
  }

  /** Declares what the spec needs, starts the consumers, then the pump. */
  void start() {
    Topology topology = broker.topology();
    for (Channel channel : spec().channels()) {
      if (spec().isGroup()) {
        String queue = topology.groupQueue(spec().group(), channel.name());
        if (topology.declareGroupQueue(spec().group(), channel.name())) {
          // Recorded, so that describe() shows the group and delete() removes its queue.
          broker.registry().ensured(new ChannelRegistry.Entry(channel, null, null,
              java.util.Set.of(spec().group())));
        }
        sources.add(new Source(Kind.GROUP, channel.name(), channel, queue, null));
      } else {
        Instant notBefore = spec().start().kind() == StartPosition.Kind.TIMESTAMP
            ? spec().start().timestamp() : null;
        sources.add(new Source(Kind.STREAM, channel.name(), channel, topology.streamOf(channel),
            notBefore));
      }
    }
    for (ChannelPattern pattern : spec().patterns()) {
      if (spec().isGroup()) {
        String queue = topology.groupQueue(spec().group(), pattern.pattern());
        topology.declareGroupQueue(spec().group(), pattern.pattern());
        sources.add(new Source(Kind.GROUP, pattern.pattern(), null, queue, null));
      } else {
        sources.add(new Source(Kind.PATTERN, pattern.pattern(), null,
            topology.patternQueue(), null));
      }
    }
    try {
      broker.topology().awaitOpen();
      amqp = openChannel();
      consumeAll(true);
      if (spec().isGroup()) {
        gaugeLag();
      }
    } catch (IOException | ShutdownSignalException e) {
      throw new BrokerUnavailableException("could not start consuming from RabbitMQ at "
          + broker.description() + ": " + e.getMessage(), e);
    }
    startPolling();
  }

  /**
   * A channel for this subscription's consumers. amqp-client recovers it with the connection
   * (then {@link #resume()} consumes again), but not when RabbitMQ closed the channel alone, for
   * an error (an ack for a delivery of a deleted queue, say): then a new one replaces it.
   */
  private com.rabbitmq.client.Channel openChannel() throws IOException {
    com.rabbitmq.client.Channel channel = broker.connection().createChannel();
    if (channel == null) {
      throw Topology.noFreeChannel(broker.description());
    }
    // A delivery for a consumer amqp-client no longer knows (sent by RabbitMQ as the consumer
    // was being cancelled on close) would be dropped unacked and returned, counted as an
    // attempt: it goes to its source's receiver instead, which records it for the hand-back.
    channel.setDefaultConsumer(new DefaultConsumer(channel) {
      @Override
      public void handleDelivery(String consumerTag, Envelope envelope,
          AMQP.BasicProperties properties, byte[] body) {
        for (Source source : sources) {
          Receiver receiver = source.receiver;
          if (receiver != null && consumerTag.equals(receiver.getConsumerTag())) {
            receiver.handleDelivery(consumerTag, envelope, properties, body);
            return;
          }
        }
      }
    });
    ((Recoverable) channel).addRecoveryListener(new RecoveryListener() {
      @Override
      public void handleRecovery(Recoverable recovered) {
        resume();
      }

      @Override
      public void handleRecoveryStarted(Recoverable recovering) {}
    });
    channel.addShutdownListener(signal -> {
      if (!signal.isHardError() && !signal.isInitiatedByApplication() && isTaking()) {
        log.warn("{}: RabbitMQ closed the consuming channel ({}); opening another",
            this, signal.getMessage());
        broker.background().execute(() -> reopen(1));
      }
    });
    return channel;
  }

  /** Replaces a channel RabbitMQ closed: consumes every source again, where it was. */
  private void reopen(int attempt) {
    if (!isTaking()) {
      return;
    }
    try {
      synchronized (writing) {
        amqp = openChannel();
        // Their tags died with the old channel; RabbitMQ gives them back. Those in flight are
        // acknowledged nowhere when they settle: their handle names the old channel.
        takeBack((message, delivery) -> delivery.source().unsettled.decrementAndGet());
        consumeAll(false);
      }
    } catch (IOException | RuntimeException e) {
      if (attempt >= 60) {
        log.error("{}: could not open a consuming channel for a minute; closing the "
            + "subscription", this, e);
        broker.background().execute(() -> close(Duration.ZERO));
        return;
      }
      broker.background().schedule(() -> reopen(attempt + 1), 1, TimeUnit.SECONDS);
    }
  }

  /** Starts a consumer per source; {@code first}: at the spec's start, else where it was. */
  private void consumeAll(boolean first) throws IOException {
    synchronized (writing) {
      prefetch = Math.max(1, spec().maxInFlight() / Math.max(1, sources.size()));
      amqp.basicQos(prefetch);
      for (Source source : sources) {
        consume(source, first);
      }
    }
  }

  /** Starts {@code source}'s consumer; the caller holds {@code writing}. */
  private void consume(Source source, boolean first) throws IOException {
    com.rabbitmq.client.Channel channel = amqp;
    Map<String, Object> arguments = new HashMap<>();
    if (source.kind == Kind.STREAM) {
      arguments.put(AmqpMessages.STREAM_OFFSET, first ? RabbitBroker.offsetArgument(
          spec().start()) : resumeOffset(source));
    } else if (source.kind == Kind.PATTERN) {
      // Not exclusive: an exclusive queue goes with the connection, and what was published
      // during a cut with it. This one outlives a cut by PATTERN_QUEUE_EXPIRY and is deleted
      // on close; declaring it again after a recovery finds it with what it kept.
      channel.queueDeclare(source.queue, false, false, false,
          Map.of("x-expires", (int) PATTERN_QUEUE_EXPIRY.toMillis()));
      channel.queueBind(source.queue, broker.topology().exchange(), source.bindingKey);
    }
    Receiver receiver = new Receiver(channel, source);
    channel.basicConsume(source.queue, false, arguments, receiver);
    source.receiver = receiver;
  }

  /**
   * Where a stream consumer resumes: after the last offset it saw; if it saw none, from its own
   * start, or, for "latest", from the time it subscribed (what came meanwhile is after it).
   */
  private Object resumeOffset(Source source) {
    if (source.lastOffset >= 0) {
      return source.lastOffset + 1;
    }
    if (spec().start().kind() == StartPosition.Kind.LATEST) {
      // Chunk times are RabbitMQ's clock, in whole seconds: start a little earlier.
      return Date.from(source.subscribedAt.minus(RESUME_MARGIN));
    }
    return RabbitBroker.offsetArgument(spec().start());
  }

  /** After a connection recovery: deliveries not yet settled were given back by RabbitMQ. */
  private void resume() {
    if (!isActive()) {
      return;
    }
    try {
      consumeAll(false);
      log.debug("{} consumes again after the connection recovered", this);
    } catch (IOException | RuntimeException e) {
      log.error("{} could not consume again after the connection recovered ({}); close it and "
          + "subscribe again", this, FailureReasons.of(e));
      log.debug("consuming again failed", e);
    }
  }

  /** On amqp-client's consumer thread: never blocks. */
  private final class Receiver extends DefaultConsumer {
    private final Source source;

    Receiver(com.rabbitmq.client.Channel channel, Source source) {
      super(channel);
      this.source = source;
    }

    @Override
    public void handleDelivery(String consumerTag, Envelope envelope,
        AMQP.BasicProperties properties, byte[] body) {
      Channel channel = source.channel != null ? source.channel
          : channelOf(AmqpMessages.routingKey(envelope, properties));
      long offset = AmqpMessages.streamOffset(properties);
      if (!isTaking()) {
        // Closing: a group's delivery is handed back by close (recorded here, never handled);
        // a stream keeps its own.
        if (source.kind == Kind.GROUP && channel != null) {
          int attempt = AmqpMessages.attempt(properties, envelope.isRedeliver());
          returned.put(new Delivered(envelope.getDeliveryTag(), getChannel(), source, properties,
              body, attempt), AmqpMessages.toMessage(channel, properties, body, null, attempt));
        }
        return;
      }
      if (channel == null
          || source.kind == Kind.STREAM && offset >= 0 && offset <= source.lastOffset) {
        ack(getChannel(), envelope.getDeliveryTag()); // No channel name, or seen before.
        return;
      }
      Position position = source.kind == Kind.STREAM && offset >= 0
          ? Position.ofOffset(offset) : null;
      int attempt = source.kind == Kind.GROUP
          ? AmqpMessages.attempt(properties, envelope.isRedeliver()) : 1;
      Message message = AmqpMessages.toMessage(channel, properties, body, position, attempt);
      if (source.kind == Kind.STREAM) {
        source.lastOffset = Math.max(source.lastOffset, offset);
        Instant notBefore = source.notBefore;
        if (notBefore != null) {
          if (message.timestamp().isBefore(notBefore)) {
            ack(getChannel(), envelope.getDeliveryTag()); // Its chunk began before the start.
            return;
          }
          source.notBefore = null; // Caught up: later messages may carry older times.
        }
      }
      source.unsettled.incrementAndGet();
      // Unbounded here: basic.qos bounds what RabbitMQ sends (see Flow control).
      push(message, new Delivered(envelope.getDeliveryTag(), getChannel(), source, properties,
          body, attempt));
    }

    /**
     * RabbitMQ cancelled the consumer (its queue was deleted, or its node went): consume again,
     * on the broker's own thread, not amqp-client's.
     */
    @Override
    public void handleCancel(String consumerTag) {
      if (isTaking()) {
        log.warn("{}: RabbitMQ cancelled the consumer of {}; consuming it again",
            RabbitSubscription.this, source.queue);
        broker.background().execute(() -> consumeAgain(source, 1));
      }
    }

    @Override
    public void handleShutdownSignal(String consumerTag, ShutdownSignalException signal) {
      if (isActive() && !signal.isInitiatedByApplication()) {
        log.debug("{}: consumer of {} stopped ({}); it resumes with the connection",
            RabbitSubscription.this, source.queue, signal.getMessage());
      }
    }
  }

  /**
   * After a cancel: declares what the source needs again (a deleted stream comes back empty)
   * and consumes it where it was; tries for a minute, then closes the subscription, so that
   * isActive() never claims a subscription that receives nothing.
   */
  private void consumeAgain(Source source, int attempt) {
    if (!isTaking()) {
      return;
    }
    try {
      if (source.kind == Kind.STREAM && source.channel != null) {
        broker.topology().forget(source.channel);
        broker.ensureStream(source.channel);
      } else if (source.kind == Kind.GROUP) {
        broker.topology().declareGroupQueue(spec().group(), source.bindingKey);
      }
      synchronized (writing) {
        consume(source, false);
      }
    } catch (IOException | RuntimeException e) {
      if (attempt >= 60) {
        log.error("{}: could not consume {} again for a minute; closing the subscription",
            this, source.queue, e);
        broker.background().execute(() -> close(Duration.ZERO));
        return;
      }
      broker.background().schedule(() -> consumeAgain(source, attempt + 1), 1,
          TimeUnit.SECONDS);
    }
  }

  private @Nullable Channel channelOf(String routingKey) {
    try {
      Channel channel = Channel.of(routingKey);
      return spec().includes(channel) ? channel : null;
    } catch (IllegalArgumentException e) {
      return null; // A routing key that is no channel name: published by someone else.
    }
  }

  @Override
  protected void poll() {
    pump(this::measureLag);
  }

  /**
   * Groups: the messages ready in the group's queue of each subscribed channel (a passive
   * declaration on a channel of its own), at most once a second, for the lag gauges.
   */
  private void measureLag() {
    if (!isLagDue()) {
      return;
    }
    for (Source source : sources) {
      if (source.kind == Kind.GROUP && source.channel != null) {
        try {
          Integer ready = broker.topology().messageCount(source.queue);
          if (ready != null) {
            lag(source.channel, ready.longValue());
          }
        } catch (RuntimeException e) {
          log.debug("measuring lag of {} failed; trying again later", this, e);
        }
      }
    }
  }


  /**
   * From a handler thread: acknowledge what finished. A released delivery, while running, is
   * handled again: a group's is requeued in RabbitMQ (another member may take it), a stream's is
   * handed over again here.
   */
  @Override
  protected void settle(Delivered delivery, Message message, Outcome outcome) {
    if (outcome.isSettled()) {
      delivery.source().unsettled.decrementAndGet();
      ack(delivery.amqp(), delivery.tag());
    } else if (!isTaking()) {
      delivery.source().unsettled.decrementAndGet();
      if (delivery.source().kind == Kind.GROUP && outcome == Outcome.RETURNED) {
        returned.put(delivery, message); // Never reached its handler: close hands it back.
      } else {
        releasedAfterHandler.add(delivery); // The channel's close returns it, counted.
      }
    } else if (delivery.source().kind == Kind.GROUP) {
      delivery.source().unsettled.decrementAndGet();
      nack(delivery);
    } else {
      again(message, delivery); // Still unsettled: handed over again here.
    }
  }

  private void ack(com.rabbitmq.client.Channel channel, long tag) {
    ack(channel, tag, false);
  }

  /**
   * Acks {@code tag} on {@code channel}, and with {@code multiple} every unacked delivery before
   * it; nothing if that channel is no longer the consuming one (its deliveries went with it).
   */
  private void ack(com.rabbitmq.client.Channel channel, long tag, boolean multiple) {
    synchronized (writing) {
      try {
        if (amqp != null && amqp == channel) {
          amqp.basicAck(tag, multiple);
        }
      } catch (IOException | AlreadyClosedException e) {
        // The channel went with the connection: RabbitMQ gives the delivery back by itself.
        log.debug("{}: ack failed ({}); the delivery is given back", this, e.getMessage());
      }
    }
  }

  private void nack(Delivered delivery) {
    synchronized (writing) {
      try {
        if (amqp != null && amqp == delivery.amqp()) {
          amqp.basicNack(delivery.tag(), false, true);
        }
      } catch (IOException | AlreadyClosedException e) {
        log.debug("{}: nack failed ({}); the delivery is given back", this, e.getMessage());
      }
    }
  }

  @Override
  protected Duration pollThreadBound(Duration drainTimeout) {
    return spec().pollTimeout().plusSeconds(1);
  }

  /**
   * Closes in the order that loses no acknowledgement and spends no attempt: the consumers are
   * cancelled first (nothing more arrives), the group's deliveries no handler took are handed
   * back, and only then is the AMQP channel closed, which gives RabbitMQ back what is left.
   *
   * <p>Why cancel first: RabbitMQ 3.10 buffers a quorum queue's acks in the channel when many
   * are in flight (rabbit_fifo_client's "slow" mode), and a channel that closes drops that
   * buffer: the queue then gives back, as undelivered, messages whose handlers finished (the
   * tail of a consumer stopped under a backlog came again, attempt 2). basic.cancel on a quorum
   * queue is a synchronous command through the queue: while the client waits for cancel-ok the
   * queue applies what was sent, and the channel sends what it buffered before it reads the
   * close.
   */
  @Override
  protected void closed() {
    try {
      // The close's own deadline (realtime.close-timeout, shared with the drain before).
      long deadline = System.nanoTime() + closeDeadline().remaining().toNanos();
      cancelConsumers(deadline);
      handBack(deadline);
      synchronized (writing) {
        Topology.closeQuietly(amqp);
      }
      for (Source source : sources) {
        // Not while RabbitMQ is unreachable (a declaration would wait for it): the queue
        // expires by itself.
        if (source.kind == Kind.PATTERN && broker.connection().isOpen()
            && !closeDeadline().isExpired()) {
          try {
            broker.topology().delete(source.queue);
          } catch (RuntimeException e) {
            log.debug("deleting {} failed; it expires by itself", source.queue, e);
          }
        }
      }
      takeBack((message, delivery) -> { });
      returned.clear();
    } finally {
      releasedAfterHandler.clear();
    }
  }

  /**
   * Cancels every consumer; a group's only once every delivery RabbitMQ made to it is recorded
   * (for the hand-back), or at {@code deadline}.
   *
   * <p>Why wait: RabbitMQ 3.10 returns, counted as a delivery, a quorum queue's message that
   * reaches the channel after its consumer was cancelled (rabbit_fifo_client returns deliveries
   * for an unknown consumer tag). A consumer whose prefetch window is full gets nothing more,
   * and one whose queue has nothing ready has nothing coming; the handlers have stopped and
   * acknowledge nothing more, so the window fills within moments under a backlog.
   */
  private void cancelConsumers(long deadline) {
    synchronized (writing) {
      if (amqp == null || !amqp.isOpen()) {
        return; // Gone with the connection: RabbitMQ gave everything back already.
      }
    }
    if (spec().isGroup()) {
      awaitDeliveriesRecorded(deadline);
    }
    synchronized (writing) {
      for (Source source : sources) {
        Receiver receiver = source.receiver;
        if (receiver == null || amqp == null || receiver.getChannel() != amqp) {
          continue;
        }
        try {
          amqp.basicCancel(receiver.getConsumerTag());
        } catch (IOException | RuntimeException e) {
          log.debug("{}: cancelling the consumer of {} failed; closing the channel ends it",
              this, source.queue, e);
        }
      }
    }
  }

  /**
   * Waits until each group consumer's window is full of recorded deliveries or its queue has
   * nothing ready, as seen after a marker: a consumer of an empty queue of the channel's own,
   * whose consume-ok RabbitMQ sends after the deliveries it sent before, and whose callback
   * amqp-client runs after theirs.
   */
  private void awaitDeliveriesRecorded(long deadline) {
    String marker = null;
    try {
      synchronized (writing) {
        // Exclusive, not auto-deleted (that would delete it at the first cancel).
        marker = amqp.queueDeclare("", false, true, false, null).getQueue();
      }
      while (System.nanoTime() < deadline && mark(marker, deadline)) {
        boolean recorded = true;
        for (Source source : sources) {
          if (source.kind == Kind.GROUP && unacked(source) < prefetch) {
            Integer ready = broker.topology().messageCount(source.queue);
            recorded &= ready == null || ready == 0;
          }
        }
        if (recorded) {
          return;
        }
      }
      log.debug("{}: deliveries were still arriving at the close deadline; those come back "
          + "counted as an attempt", this);
    } catch (IOException | RuntimeException e) {
      log.debug("{}: waiting for deliveries to end failed; closing the channel ends them", this,
          e);
    } finally {
      if (marker != null) {
        try {
          synchronized (writing) {
            amqp.queueDelete(marker);
          }
        } catch (IOException | RuntimeException e) {
          log.debug("{}: deleting {} failed; it goes with the connection", this, marker, e);
        }
      }
    }
  }

  /** One marker round (see above); false if it did not come back by {@code deadline}. */
  private boolean mark(String marker, long deadline) throws IOException {
    java.util.concurrent.CountDownLatch marked = new java.util.concurrent.CountDownLatch(1);
    String tag;
    synchronized (writing) {
      tag = amqp.basicConsume(marker, true, new DefaultConsumer(amqp) {
        @Override
        public void handleConsumeOk(String consumerTag) {
          super.handleConsumeOk(consumerTag);
          marked.countDown();
        }
      });
    }
    try {
      long left = deadline - System.nanoTime();
      return left > 0 && marked.await(left, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      synchronized (writing) {
        amqp.basicCancel(tag);
      }
    }
  }

  /** The deliveries of {@code source} this member holds unacknowledged. */
  private int unacked(Source source) {
    int count = source.unsettled.get();
    synchronized (returned) {
      for (Delivered delivery : returned.keySet()) {
        count += delivery.source() == source ? 1 : 0;
      }
    }
    for (Delivered delivery : releasedAfterHandler) {
      count += delivery.source() == source ? 1 : 0;
    }
    return count;
  }

  /**
   * Hands back the group's deliveries that never reached a handler, without counting them as an
   * attempt: a copy goes to the group's queue (the default exchange, confirmed) carrying the
   * handler attempts so far in {@link AmqpMessages#HANDLED}, and the original is acked.
   *
   * <p>Why a copy: deliveryAttempt() counts handler deliveries of a message to its group, but a
   * quorum queue's x-delivery-count (RabbitMQ 3.10) counts every return, and a consumer that
   * closes returns everything it prefetched; six clean restarts made attempt 6 of a message no
   * handler ever saw, and rolling restarts spent the retry budget. RabbitMQ cannot return a
   * message uncounted, so the count before the return travels in the copy. A copy joins the
   * back of the queue (groups promise no order). What is not confirmed by {@code deadline}
   * (RabbitMQ unreachable) is left to the channel's close, which returns it counted.
   */
  private void handBack(long deadline) {
    // What the pump never dispatched is the hand-back's too.
    takeBack((message, delivery) -> {
      delivery.source().unsettled.decrementAndGet();
      if (delivery.source().kind == Kind.GROUP) {
        returned.put(delivery, message);
      }
    });
    List<Delivered> back;
    synchronized (returned) {
      back = new ArrayList<>(returned.keySet());
    }
    // Unacked besides: released after a handler ran, or a handler still running past the drain.
    boolean othersUnacked = !releasedAfterHandler.isEmpty()
        || sources.stream().anyMatch(source -> source.unsettled.get() > 0);
    if (back.isEmpty() || amqp == null || !amqp.isOpen()) {
      return;
    }
    back.sort(java.util.Comparator.comparingLong(Delivered::tag));
    List<CompletableFuture<Void>> copies = new ArrayList<>();
    for (Delivered delivery : back) {
      copies.add(broker.publisher().publish("", delivery.source().queue,
          AmqpMessages.handBack(returned.get(delivery).channel(), delivery.properties(),
              delivery.attempt()), delivery.body()));
    }
    List<Delivered> copied = new ArrayList<>();
    for (int i = 0; i < back.size(); i++) {
      try {
        copies.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        copied.add(back.get(i));
      } catch (ExecutionException | TimeoutException e) {
        log.debug("{}: handing back a delivery failed ({}); the channel's close returns it",
            this, e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (copied.isEmpty()) {
      return;
    }
    if (!othersUnacked && copied.size() == back.size()) {
      // One ack for all: RabbitMQ 3.10 buffers a quorum queue's acks when more than 32 are in
      // flight and drops that buffer when the channel closes right after; one ack is one
      // command, sent at once.
      Delivered last = copied.get(copied.size() - 1);
      ack(last.amqp(), last.tag(), true);
    } else {
      copied.forEach(delivery -> ack(delivery.amqp(), delivery.tag()));
    }
    copied.forEach(returned::remove);
    log.debug("{} handed back {} of {} deliveries no handler took", this, copied.size(),
        back.size());
  }

  @Override
  public String toString() {
    return "RabbitSubscription{" + spec() + "}";
  }
}
