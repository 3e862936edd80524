package dev.realtime.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.realtime.BrokerUnavailableException;
import dev.realtime.PayloadTooLargeException;
import dev.realtime.RealtimeException;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes on one AMQP channel in confirm mode: a publish's future completes when RabbitMQ
 * confirmed it (basic.ack), and fails on basic.nack, on basic.return (mandatory: the message
 * reached no queue), when the connection goes before the confirm came, and when no confirm came
 * within the publish timeout.
 *
 * <p>An AMQP channel must not be written from two threads at once: publishes take a lock for the
 * write. Confirms and returns arrive on amqp-client's connection thread. A return comes before
 * the ack of the same message; it is matched by a header carrying the publish's sequence number
 * (not the message id: a dead letter keeps its original's id), and the ack then fails it.
 *
 * <p>Never a channel that amqp-client recovered: recovery swaps the channel's connection and
 * restarts its publish numbering at 1 before it has put the channel in confirm mode again, so a
 * publish in that window goes out unnumbered and every later confirm is matched to the wrong
 * message, one off, for as long as the connection lives (no publish is confirmed in time again).
 * Publishes wait (parked, in order) while the connection is down or recovers, up to the publish
 * timeout, and the first one after it opens a new channel, in confirm mode before anything is
 * sent on it. A channel RabbitMQ closed for an error of its own (a 406 for an oversized message,
 * say) is replaced the same way.
 *
 * <p>A publish written before the connection went and not confirmed fails ("did not confirm ...
 * before the connection closed"): RabbitMQ may have stored it, and sending it again could store
 * it twice. Only what was never written waits.
 */
final class Publisher implements ConfirmListener, ReturnListener {
  private static final Logger log = LoggerFactory.getLogger(Publisher.class);

  /** RabbitMQ 3.x's text for a message over max_message_size ("configured" when set). */
  private static final java.util.regex.Pattern SIZE_REFUSAL = java.util.regex.Pattern.compile(
      "message size (\\d+) is larger than (?:configured )?max size (\\d+)");

  /** The header that matches a return to its publish. */
  static final String PUBLISH_ID = "x-realtime-publish";

  private final Connection connection;
  private final String description;
  private final Duration confirmTimeout;
  private final Object writing = new Object();
  private final ConcurrentNavigableMap<Long, Pending> outstanding = new ConcurrentSkipListMap<>();
  private final ScheduledExecutorService sweeper =
      Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "realtime-rabbitmq-confirm-timeout");
        thread.setDaemon(true);
        return thread;
      });
  private volatile Channel channel;
  /** True from the start of a connection recovery to its end, channels included. */
  private volatile boolean recovering;
  /** Recoveries completed; counted before {@link #recovering} clears. */
  private final AtomicLong recoveries = new AtomicLong();
  /** The recoveries count when {@link #channel} was opened; guarded by {@link #writing}. */
  private long channelOpenedAfter;
  /** Publishes waiting for the connection, oldest first; guarded by {@link #writing}. */
  private final java.util.ArrayDeque<Parked> parked = new java.util.ArrayDeque<>();
  /** True once the current outage was logged; guarded by {@link #writing}. */
  private boolean outageNoted;
  /** Guarded by {@link #writing}. */
  private boolean closed;
  private final long maxPayloadBytes;
  /**
   * The largest body RabbitMQ confirmed. A larger one goes out alone (see {@link #mustWait}):
   * RabbitMQ refuses a body over its max_message_size by closing the channel, which takes every
   * unconfirmed publish on it along, and AMQP does not tell the limit at connect.
   */
  private final AtomicLong largestConfirmed = new AtomicLong();
  /** RabbitMQ's max_message_size, learnt from its refusal; 0 while unknown. */
  private volatile long brokerLimit;
  /** The publish that went out alone, being larger than any confirmed; guarded by writing. */
  private @Nullable Parked probe;
  /** True while something is parked: confirms then try to send it. */
  private volatile boolean hasParked;

  /**
   * A message on its way out: its properties without headers, and its headers, still open, so
   * that the publish adds its own and builds the properties once.
   */
  record Outgoing(String messageId, AMQP.BasicProperties.Builder properties,
      Map<String, Object> headers) {}

  /** A publish waiting for the connection. */
  private record Parked(String exchange, String routingKey, Outgoing message, byte[] body,
      Pending pending) {}

  /** A publish waiting for its confirm. */
  private static final class Pending {
    final String messageId;
    final long deadline;
    final int size;
    final CompletableFuture<Void> confirmed = new CompletableFuture<>();
    volatile @Nullable String returned;

    Pending(String messageId, long deadline, int size) {
      this.messageId = messageId;
      this.deadline = deadline;
      this.size = size;
    }
  }

  Publisher(Connection connection, String description, Duration confirmTimeout)
      throws IOException {
    this(connection, description, confirmTimeout, Long.MAX_VALUE);
  }

  /**
   * @param maxPayloadBytes realtime.max-payload-bytes, named beside RabbitMQ's limit when a
   *     payload is over the latter
   */
  Publisher(Connection connection, String description, Duration confirmTimeout,
      long maxPayloadBytes) throws IOException {
    this.connection = connection;
    this.maxPayloadBytes = maxPayloadBytes;
    this.description = description;
    this.confirmTimeout = confirmTimeout;
    if (connection instanceof Recoverable) {
      ((Recoverable) connection).addRecoveryListener(new RecoveryListener() {
        @Override
        public void handleRecoveryStarted(Recoverable recoverable) {
          recovering = true; // Before any channel of the connection is swapped.
        }

        @Override
        public void handleRecovery(Recoverable recoverable) {
          recoveries.incrementAndGet(); // After every channel was recovered.
          recovering = false;
          sweeper.execute(Publisher.this::flushParked); // Not on amqp-client's thread.
        }
      });
    }
    this.channel = open();
    // One sweep for all publishes, not a timer each: CompletableFuture.orTimeout scheduled and
    // cancelled a task per message on one shared scheduler thread, a tenth of the publishing
    // profile. A publish fails at most a tenth of the timeout (and at most a second) late. Its
    // own thread: the broker's background thread makes blocking calls while RabbitMQ is in
    // trouble, which is exactly when this safety net must run.
    long period = Math.max(10, Math.min(1000, confirmTimeout.toMillis() / 10));
    sweeper.scheduleWithFixedDelay(this::failOverdue, period, period, TimeUnit.MILLISECONDS);
  }

  /**
   * Stops the sweep and fails what waits for the connection; what is outstanding fails when the
   * connection closes.
   */
  void close() {
    sweeper.shutdownNow();
    synchronized (writing) {
      closed = true;
      for (Parked publish; (publish = parked.pollFirst()) != null; ) {
        fail(publish.pending, "the broker was closed while the connection was down", null);
      }
    }
  }

  private Channel open() throws IOException {
    Channel opened = connection.createChannel();
    if (opened == null) {
      throw Topology.noFreeChannel(description);
    }
    opened.confirmSelect();
    opened.addConfirmListener(this);
    opened.addReturnListener(this);
    // The connection went (or the channel closed): no confirm will come for what is pending.
    // A channel already replaced had its pending publishes failed then, and must not fail
    // those of its successor.
    opened.addShutdownListener(cause -> {
      if (channel == opened) {
        String refusal = sizeRefusal(cause);
        if (refusal == null) {
          failOutstanding("the connection closed", cause);
        } else {
          // Alone on the channel (see mustWait): the refused message is the one outstanding.
          for (Map.Entry<Long, Pending> entry : Map.copyOf(outstanding).entrySet()) {
            if (outstanding.remove(entry.getKey(), entry.getValue())) {
              entry.getValue().confirmed.completeExceptionally(new RealtimeException(
                  "RabbitMQ did not accept message " + entry.getValue().messageId + ": "
                      + refusal, cause));
            }
          }
        }
        flushSoon();
      }
    });
    return opened;
  }

  /**
   * Publishes with mandatory routing; the future completes once RabbitMQ confirmed. While the
   * connection is down or recovering, the publish waits (parked, in order) for it to come back,
   * up to the publish timeout, as on the other adapters.
   */
  CompletableFuture<Void> publish(String exchange, String routingKey, Outgoing message,
      byte[] body) {
    synchronized (writing) {
      // Deadlines taken under the lock, so that sequence order is deadline order (the sweep).
      Parked publish = new Parked(exchange, routingKey, message, body,
          new Pending(message.messageId(), System.nanoTime() + confirmTimeout.toNanos(),
              body.length));
      long limit = brokerLimit;
      if (closed) {
        fail(publish.pending, "the broker is closed", null);
      } else if (limit > 0 && body.length > limit) {
        publish.pending.confirmed.completeExceptionally(new PayloadTooLargeException(
            message.messageId(), routingKey, body.length, maxPayloadBytes, limit,
            "RabbitMQ max_message_size " + limit + " (learnt from its refusal of a larger "
                + "message; not sent)"));
      } else if (!parked.isEmpty() || mustWait(publish)) {
        park(publish, false); // Behind the others: order is kept.
      } else {
        send(publish);
      }
      return publish.pending.confirmed;
    }
  }

  /** True if the connection is up and not recovering; the caller holds {@link #writing}. */
  private boolean mayWrite() {
    return !recovering && connection.isOpen();
  }

  /**
   * True if {@code publish} must wait: the connection is down, a publish larger than any
   * confirmed is out alone, or this one is such a publish and others are unconfirmed. Then a
   * publish RabbitMQ refuses for its size (closing the channel) is the only one the channel
   * takes along. The caller holds {@link #writing}.
   */
  private boolean mustWait(Parked publish) {
    Parked alone = probe;
    return !mayWrite() || alone != null && !alone.pending.confirmed.isDone()
        || publish.pending.size > largestConfirmed.get() && !outstanding.isEmpty();
  }

  private void park(Parked publish, boolean first) {
    if (first) {
      parked.addFirst(publish);
    } else {
      parked.addLast(publish);
    }
    hasParked = true;
    if (!mayWrite()) {
      noteOutage();
    }
  }

  /**
   * Writes {@code publish} on the channel, or parks it again at the head if the connection went
   * before it was written; the caller holds {@link #writing}.
   *
   * @return false if it was parked again
   */
  private boolean send(Parked publish) {
    Pending pending = publish.pending;
    long sequence = -1;
    try {
      long generation = recoveries.get();
      if (generation != channelOpenedAfter || !channel.isOpen()) {
        // Recovered by amqp-client (see the class comment), or closed by RabbitMQ for an
        // error: a channel of our own. What the old one left unconfirmed never will be, and
        // its numbers would collide with the new channel's.
        Channel old = channel;
        failOutstanding("the channel was replaced after "
            + (generation != channelOpenedAfter ? "a connection recovery" : "an error"), null);
        Topology.closeQuietly(old);
        channel = open();
        channelOpenedAfter = generation;
      }
      sequence = channel.getNextPublishSeqNo();
      outstanding.put(sequence, pending);
      probe = pending.size > largestConfirmed.get() ? publish : null;
      publish.message.headers().put(PUBLISH_ID, sequence);
      channel.basicPublish(publish.exchange, publish.routingKey, true,
          publish.message.properties().headers(publish.message.headers()).build(),
          publish.body);
      if (recovering || recoveries.get() != generation) {
        // A recovery began while this was written: its confirm may never be matched.
        outstanding.remove(sequence);
        fail(pending, "the connection recovered during the publish; publish again", null);
      }
      return true;
    } catch (AlreadyClosedException e) {
      // Nothing was written: the connection went first. Wait for it, at the head.
      if (sequence >= 0) {
        outstanding.remove(sequence);
      }
      park(publish, true);
      return false;
    } catch (IOException e) {
      if (sequence >= 0) {
        outstanding.remove(sequence);
      }
      // Perhaps written in part: not sent again (a copy could be stored twice).
      fail(pending, "could not publish: " + e.getMessage(), e);
      return true;
    }
  }

  /** Sends what waited for the connection, in order, once it is back. */
  private void flushParked() {
    synchronized (writing) {
      while (!parked.isEmpty() && !mustWait(parked.peekFirst())) {
        if (!send(parked.pollFirst())) {
          return;
        }
      }
      hasParked = !parked.isEmpty();
      if (parked.isEmpty() && outageNoted) {
        outageNoted = false;
        log.debug("RabbitMQ at {} is reachable again; publishing resumed", description);
      }
    }
  }

  /**
   * Notes once per outage that publishes wait (the broker's OutageLog warns, with the cause);
   * the caller holds {@link #writing}.
   */
  private void noteOutage() {
    if (!outageNoted) {
      outageNoted = true;
      log.debug("RabbitMQ at {} is unreachable; publishes wait up to {} "
          + "(realtime.publish-timeout) for the connection to recover", description,
          confirmTimeout);
    }
  }

  private void fail(Pending pending, String why, @Nullable Throwable cause) {
    pending.confirmed.completeExceptionally(new BrokerUnavailableException(
        "could not publish message " + pending.messageId + " to RabbitMQ at " + description
            + ": " + why, cause));
  }

  /**
   * A safety net: a confirm that never comes (a channel replaced mid-write) fails in time.
   * Outstanding publishes are in sequence order, which is their order of publishing and so of
   * their deadlines: the sweep stops at the first one not yet due.
   */
  private void failOverdue() {
    try {
      long now = System.nanoTime();
      synchronized (writing) {
        for (Parked publish; (publish = parked.peekFirst()) != null
            && publish.pending.deadline - now <= 0; ) {
          parked.pollFirst();
          fail(publish.pending, "the connection did not come back within " + confirmTimeout
              + " (realtime.publish-timeout); the message was not sent", null);
        }
      }
      flushParked(); // A safety net for a recovery whose listener did not run.
      for (Map.Entry<Long, Pending> entry : outstanding.entrySet()) {
        Pending pending = entry.getValue();
        if (pending.deadline - now > 0) {
          return;
        }
        if (outstanding.remove(entry.getKey(), pending)) {
          pending.confirmed.completeExceptionally(new BrokerUnavailableException("RabbitMQ at "
              + description + " did not confirm message " + pending.messageId + " within "
              + confirmTimeout + " (realtime.publish-timeout)", new TimeoutException()));
        }
      }
    } catch (RuntimeException e) {
      // A failing callback of a caller's must not end the sweep (a periodic task that throws
      // is never run again).
      log.error("the confirm-timeout sweep failed; it goes on", e);
    }
  }

  @Override
  public void handleReturn(int replyCode, String replyText, String exchange, String routingKey,
      AMQP.BasicProperties properties, byte[] body) {
    Object id = properties.getHeaders() == null ? null : properties.getHeaders().get(PUBLISH_ID);
    Pending pending = id instanceof Number ? outstanding.get(((Number) id).longValue()) : null;
    if (pending != null) {
      pending.returned = replyText + " (routing key " + routingKey + " on exchange " + exchange
          + ")";
    }
  }

  @Override
  public void handleAck(long deliveryTag, boolean multiple) {
    settle(deliveryTag, multiple, null);
    flushSoon();
  }

  @Override
  public void handleNack(long deliveryTag, boolean multiple) {
    settle(deliveryTag, multiple, "RabbitMQ refused it (basic.nack)");
    flushSoon();
  }

  /** Sends what is parked, off amqp-client's thread, if anything is. */
  private void flushSoon() {
    if (hasParked) {
      try {
        sweeper.execute(this::flushParked);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // Closed: close() failed what was parked.
      }
    }
  }

  private void settle(long deliveryTag, boolean multiple, @Nullable String refusal) {
    if (!multiple) {
      Pending pending = outstanding.remove(deliveryTag);
      if (pending != null) {
        settle(pending, refusal);
      }
      return;
    }
    // Taken from the head in place, not copied first: a multiple ack covers the oldest
    // outstanding publishes, and copying the map's head per ack showed in the profile.
    for (Map.Entry<Long, Pending> head; (head = outstanding.firstEntry()) != null
        && head.getKey() <= deliveryTag; ) {
      if (outstanding.remove(head.getKey(), head.getValue())) {
        settle(head.getValue(), refusal);
      }
    }
  }

  private void settle(Pending pending, @Nullable String refusal) {
    String failure = refusal != null ? refusal
        : pending.returned != null ? "it reached no queue: " + pending.returned : null;
    if (failure == null) {
      largestConfirmed.accumulateAndGet(pending.size, Math::max);
      pending.confirmed.complete(null);
    } else {
      pending.confirmed.completeExceptionally(new RealtimeException(
          "RabbitMQ did not accept message " + pending.messageId + ": " + failure));
    }
  }

  /**
   * RabbitMQ's refusal of a message over its max_message_size (a 406 closing the channel,
   * "message size N is larger than configured max size M"), remembered so that later publishes
   * over M fail before they are sent; null for any other close.
   */
  private @Nullable String sizeRefusal(ShutdownSignalException cause) {
    Object reason = cause.getReason();
    if (!(reason instanceof AMQP.Channel.Close close) || close.getReplyCode() != 406) {
      return null;
    }
    java.util.regex.Matcher size = SIZE_REFUSAL.matcher(close.getReplyText());
    if (!size.find()) {
      return null;
    }
    brokerLimit = Long.parseLong(size.group(2));
    return "RabbitMQ refused it for its size: " + close.getReplyText() + " (RabbitMQ's "
        + "max_message_size is " + size.group(2) + " bytes; realtime.max-payload-bytes is "
        + maxPayloadBytes + "). Send a reference to the data instead, or raise the smaller "
        + "limit; larger payloads now fail before they are sent";
  }

  private void failOutstanding(String what, @Nullable ShutdownSignalException cause) {
    for (Map.Entry<Long, Pending> entry : Map.copyOf(outstanding).entrySet()) {
      outstanding.remove(entry.getKey(), entry.getValue());
      entry.getValue().confirmed.completeExceptionally(new BrokerUnavailableException(
          "RabbitMQ at " + description + " did not confirm message "
              + entry.getValue().messageId + " before " + what
              + (cause == null ? "" : ": " + cause.getMessage()), cause));
    }
  }
}
