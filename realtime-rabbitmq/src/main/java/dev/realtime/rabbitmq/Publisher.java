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
 * Publishes are refused while the connection recovers, and the first one after it opens a new
 * channel, in confirm mode before anything is sent on it. A channel RabbitMQ closed for an error
 * of its own (a 406 for an oversized message, say) is replaced the same way.
 */
final class Publisher implements ConfirmListener, ReturnListener {
  private static final Logger log = LoggerFactory.getLogger(Publisher.class);

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

  /**
   * A message on its way out: its properties without headers, and its headers, still open, so
   * that the publish adds its own and builds the properties once.
   */
  record Outgoing(String messageId, AMQP.BasicProperties.Builder properties,
      Map<String, Object> headers) {}

  /** A publish waiting for its confirm. */
  private static final class Pending {
    final String messageId;
    final long deadline;
    final CompletableFuture<Void> confirmed = new CompletableFuture<>();
    volatile @Nullable String returned;

    Pending(String messageId, long deadline) {
      this.messageId = messageId;
      this.deadline = deadline;
    }
  }

  Publisher(Connection connection, String description, Duration confirmTimeout)
      throws IOException {
    this.connection = connection;
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

  /** Stops the sweep; what is outstanding fails when the connection closes. */
  void close() {
    sweeper.shutdownNow();
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
        failOutstanding("the connection closed", cause);
      }
    });
    return opened;
  }

  /** Publishes with mandatory routing; the future completes once RabbitMQ confirmed. */
  CompletableFuture<Void> publish(String exchange, String routingKey, Outgoing message,
      byte[] body) {
    Pending pending;
    synchronized (writing) {
      // Deadlines taken under the lock, so that sequence order is deadline order (the sweep).
      pending = new Pending(message.messageId(), System.nanoTime() + confirmTimeout.toNanos());
      try {
        if (recovering) {
          throw new IOException("the connection is recovering; publish again");
        }
        long generation = recoveries.get();
        if (generation != channelOpenedAfter || !channel.isOpen() && connection.isOpen()) {
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
        long sequence = channel.getNextPublishSeqNo();
        outstanding.put(sequence, pending);
        message.headers().put(PUBLISH_ID, sequence);
        try {
          channel.basicPublish(exchange, routingKey, true,
              message.properties().headers(message.headers()).build(), body);
          if (recovering || recoveries.get() != generation) {
            // A recovery began while this was written: its confirm may never be matched.
            throw new IOException("the connection recovered during the publish; publish again");
          }
        } catch (IOException | AlreadyClosedException e) {
          outstanding.remove(sequence);
          throw e;
        }
      } catch (IOException | AlreadyClosedException e) {
        pending.confirmed.completeExceptionally(new BrokerUnavailableException(
            "could not publish to RabbitMQ at " + description + ": " + e.getMessage(), e));
        return pending.confirmed;
      }
    }
    return pending.confirmed;
  }

  /**
   * A safety net: a confirm that never comes (a channel replaced mid-write) fails in time.
   * Outstanding publishes are in sequence order, which is their order of publishing and so of
   * their deadlines: the sweep stops at the first one not yet due.
   */
  private void failOverdue() {
    try {
      long now = System.nanoTime();
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
  }

  @Override
  public void handleNack(long deliveryTag, boolean multiple) {
    settle(deliveryTag, multiple, "RabbitMQ refused it (basic.nack)");
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

  private static void settle(Pending pending, @Nullable String refusal) {
    String failure = refusal != null ? refusal
        : pending.returned != null ? "it reached no queue: " + pending.returned : null;
    if (failure == null) {
      pending.confirmed.complete(null);
    } else {
      pending.confirmed.completeExceptionally(new RealtimeException(
          "RabbitMQ did not accept message " + pending.messageId + ": " + failure));
    }
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
