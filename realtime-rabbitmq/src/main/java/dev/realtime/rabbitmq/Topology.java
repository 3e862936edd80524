package dev.realtime.rabbitmq;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.realtime.BrokerUnavailableException;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelNaming;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The exchange and queues, their names, and declaring them.
 *
 * <pre>
 *                         exchange "realtime" (topic, durable)
 *   publish(user.1) ───▶  routing key = channel name
 *                           │ binding user.1            │ binding user.1 / user.*
 *                           ▼                           ▼
 *          stream queue realtime.user.1       quorum queue realtime.~group.mailers~user.1
 *          (every message, kept by age/size;  (one per group and channel or pattern;
 *           broadcast subscribers read it       its members share it, ack per message)
 *           from any offset)
 *                                             exclusive queue (server-named, per broadcast
 *                                             pattern subscriber, bound to user.*)
 * </pre>
 *
 * <p>Declarations run on a channel of their own, opened for the purpose: RabbitMQ closes a
 * channel on the first failed declaration (a 404 on a passive one, a 406 for conflicting
 * arguments), which must not take a publishing or consuming channel with it.
 */
final class Topology {
  private static final String GROUP = "~group";

  private final Connection connection;
  private final ChannelNaming naming;
  private final String exchange;
  private final String prefix;
  private final String description;
  private final Set<Channel> knownStreams = ConcurrentHashMap.newKeySet();
  private final Duration timeout;
  /**
   * realtime.rabbitmq.replication-factor, for group queues, or null for RabbitMQ's default
   * (every node). Not for streams: a stream's ensure declares it again with the spec's
   * arguments, and RabbitMQ refuses a declaration that leaves out a size the queue was created
   * with ("received none but current is 2"), so a size from a server's setting would make
   * another server's ensure fail.
   */
  private final @Nullable Integer replicas;
  /** Notified when amqp-client recovered the connection. */
  private final Object recovered = new Object();

  /** Work on a declaration channel; a failure surfaces as the IOException amqp-client threw. */
  interface Declaration<T> {
    T run(com.rabbitmq.client.Channel channel) throws IOException;
  }

  Topology(Connection connection, String prefix, String description, Duration timeout,
      @Nullable Integer replicas) throws IOException {
    this.connection = connection;
    this.timeout = timeout;
    this.replicas = replicas;
    ((Recoverable) connection).addRecoveryListener(new RecoveryListener() {
      @Override
      public void handleRecovery(Recoverable recoverable) {
        synchronized (recovered) {
          recovered.notifyAll();
        }
      }

      @Override
      public void handleRecoveryStarted(Recoverable recoverable) {}
    });
    this.prefix = prefix;
    this.naming = RabbitBrokerProvider.naming(prefix);
    this.exchange = prefix.isEmpty() ? "realtime" : prefix;
    this.description = description;
    declare(channel -> channel.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, true));
  }

  String exchange() {
    return exchange;
  }

  ChannelNaming naming() {
    return naming;
  }

  /** The stream queue of {@code channel}: {@code <prefix>.<channel>}. */
  String streamOf(Channel channel) {
    return naming.backendName(channel);
  }

  /**
   * The quorum queue of a group reading {@code bindingKey} (a channel name or a pattern): {@code
   * <prefix>.~group.<group>~<bindingKey>}. The {@code ~} between them is in no group, channel or
   * pattern, so one name is one (group, binding key): with a dot there, group {@code g.x} on
   * channel {@code c} and group {@code g} on channel {@code x.c} shared a queue and each took
   * the other's messages (conformance case 36).
   */
  String groupQueue(String group, String bindingKey) {
    return (prefix.isEmpty() ? "" : prefix + ".") + GROUP + "." + group + "~" + bindingKey;
  }

  /** A new name for a broadcast pattern subscriber's queue: {@code <prefix>.~pattern.<uuid>}. */
  String patternQueue() {
    return (prefix.isEmpty() ? "" : prefix + ".") + "~pattern." + java.util.UUID.randomUUID();
  }

  /** The name of the registry's stream, beside the channels' ({@code ~} is in no channel). */
  String registryQueue() {
    return (prefix.isEmpty() ? "" : prefix + ".") + "~channels";
  }

  /**
   * Makes sure {@code channel}'s stream exists and is bound, declaring it with the defaults on
   * first use. Returns true if this call declared it.
   */
  boolean ensureStream(Channel channel) {
    if (knownStreams.contains(channel)) {
      return false;
    }
    String queue = streamOf(channel);
    boolean created = !exists(queue);
    if (created) {
      declareStream(channel, StreamArguments.DEFAULT);
    }
    knownStreams.add(channel);
    return created;
  }

  /**
   * Declares {@code channel}'s stream with {@code arguments} and binds it.
   *
   * @throws IllegalArgumentException if it exists with other arguments, naming the argument
   */
  void declareStream(Channel channel, StreamArguments arguments) {
    String queue = streamOf(channel);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        declare(amqp -> {
          amqp.queueDeclare(queue, true, false, false, arguments.toMap());
          amqp.queueBind(queue, exchange, channel.name());
          return null;
        });
        break;
      } catch (BrokerUnavailableException e) {
        // RabbitMQ answers INTERNAL_ERROR to a stream declared while one of the same name is
        // still being deleted (its writer shutting down): that clears within moments.
        if (!String.valueOf(e.getMessage()).contains("INTERNAL_ERROR")
            || System.nanoTime() > deadline) {
          throw e;
        }
        Topology.pauseBeforeRetry(e);
      }
    }
    knownStreams.add(channel);
  }

  /**
   * Declares a group's durable quorum queue for {@code bindingKey} and binds it. Its initial
   * size (realtime.rabbitmq.replication-factor) is fixed at creation, and RabbitMQ refuses a
   * later declaration that names another size, or none ("inequivalent arg"): so a queue that
   * exists is only bound, and one that another server created meanwhile with its own size is
   * used as it is.
   *
   * @return true if this call created the queue
   */
  boolean declareGroupQueue(String group, String bindingKey) {
    String queue = groupQueue(group, bindingKey);
    Declaration<Void> bind = amqp -> {
      amqp.queueBind(queue, exchange, bindingKey);
      return null;
    };
    if (exists(queue)) {
      declare(bind);
      return false;
    }
    Map<String, Object> arguments = new HashMap<>();
    arguments.put("x-queue-type", "quorum");
    if (replicas != null) {
      arguments.put("x-quorum-initial-group-size", replicas);
    }
    try {
      declare(amqp -> {
        amqp.queueDeclare(queue, true, false, false, arguments);
        return bind.run(amqp);
      });
    } catch (IllegalArgumentException e) {
      if (!String.valueOf(e.getMessage()).contains("x-quorum-initial-group-size")) {
        throw e;
      }
      declare(bind);
      return false;
    }
    return true;
  }

  /**
   * Waits 100 ms between two attempts of a retry that the caller bounds by a deadline; an
   * interrupt ends the retry with {@code failure}, the thread's interrupt kept.
   */
  static void pauseBeforeRetry(RuntimeException failure) {
    try {
      TimeUnit.MILLISECONDS.sleep(100);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw failure;
    }
  }

  /** Returns true if {@code queue} exists (a passive declaration). */
  boolean exists(String queue) {
    return messageCount(queue) != null;
  }

  /** The ready messages of {@code queue}, or null if it does not exist. */
  @Nullable Integer messageCount(String queue) {
    try {
      return declare(amqp -> amqp.queueDeclarePassive(queue).getMessageCount());
    } catch (NotFound e) {
      return null;
    }
  }

  /** Deletes {@code queue}; returns false if it did not exist. */
  boolean delete(String queue) {
    if (!exists(queue)) {
      return false;
    }
    declare(amqp -> amqp.queueDelete(queue));
    return true;
  }

  void forget(Channel channel) {
    knownStreams.remove(channel);
  }

  /**
   * Runs {@code work} on a channel of its own, and translates RabbitMQ's refusals: 404 becomes
   * {@link NotFound}, 406 (a conflicting declaration) an {@link IllegalArgumentException} with
   * RabbitMQ's reason (it names the argument), the rest {@link BrokerUnavailableException}.
   */
  <T> T declare(Declaration<T> work) {
    // A queue whose process is still restarting after a node restart answers 404 "home node ...
    // is down or inaccessible" for a few seconds, though it exists: the chaos campaign's broker
    // kill saw the registry stream refuse an open that way. That one is waited out, up to the
    // timeout, as a connection being recovered is (awaitOpen); any other 404 is final.
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return declareOnce(work);
      } catch (NotFound e) {
        if (!e.getMessage().contains("is down or inaccessible")
            || Thread.currentThread().isInterrupted()) {
          throw e;
        }
        if (System.nanoTime() > deadline) {
          throw new BrokerUnavailableException("RabbitMQ at " + description + " has a queue "
              + "it cannot serve yet (" + e.getMessage() + "), still after " + timeout
              + " (realtime.rabbitmq.timeout); it comes back once the node has recovered it", e);
        }
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
    }
  }

  private <T> T declareOnce(Declaration<T> work) {
    com.rabbitmq.client.Channel amqp = null;
    try {
      awaitOpen();
      amqp = connection.createChannel();
      if (amqp == null) {
        throw noFreeChannel(description);
      }
      return work.run(amqp);
    } catch (IOException e) {
      ShutdownSignalException signal = e.getCause() instanceof ShutdownSignalException
          ? (ShutdownSignalException) e.getCause() : null;
      String reason = signal == null ? String.valueOf(e.getMessage()) : replyText(signal);
      if (reason.startsWith("NOT_FOUND")) {
        throw new NotFound(reason);
      }
      if (reason.startsWith("PRECONDITION_FAILED")) {
        throw new IllegalArgumentException("RabbitMQ refused a declaration that conflicts with "
            + "what exists: " + reason + ". Declare it with the same settings, or delete it "
            + "first (ChannelAdmin.delete) to change them.", e);
      }
      throw new BrokerUnavailableException("RabbitMQ at " + description + " refused: " + reason,
          e);
    } catch (ShutdownSignalException e) {
      throw new BrokerUnavailableException("RabbitMQ at " + description
          + " is not connected: " + e.getMessage(), e);
    } finally {
      closeQuietly(amqp);
    }
  }

  /**
   * Waits, up to the timeout, for a connection that amqp-client is recovering: a declaration
   * right after an outage then works instead of failing.
   */
  void awaitOpen() {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (recovered) {
      while (!connection.isOpen()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return; // Still closed: the declaration fails, saying so.
        }
        try {
          // Bounded: a recovery that completed between the check and the wait is seen anyway.
          recovered.wait(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left))));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** amqp-client's createChannel() returned null: every channel number is taken. */
  static BrokerUnavailableException noFreeChannel(String description) {
    return new BrokerUnavailableException("RabbitMQ at " + description + " has no free channel"
        + " on this connection (channel_max reached): close subscriptions you no longer use, or"
        + " raise channel_max on the server (rabbitmq.conf) and in the client.");
  }

  private static String replyText(ShutdownSignalException signal) {
    Object reason = signal.getReason();
    if (reason instanceof com.rabbitmq.client.AMQP.Channel.Close) {
      return ((com.rabbitmq.client.AMQP.Channel.Close) reason).getReplyText();
    }
    if (reason instanceof com.rabbitmq.client.AMQP.Connection.Close) {
      return ((com.rabbitmq.client.AMQP.Connection.Close) reason).getReplyText();
    }
    return String.valueOf(signal.getMessage());
  }

  /**
   * Closes {@code amqp} even when it is closed already: that is what unregisters it from
   * amqp-client's recovery, which would otherwise open it again after the next outage.
   */
  static void closeQuietly(com.rabbitmq.client.@Nullable Channel amqp) {
    if (amqp != null) {
      try {
        amqp.close();
      } catch (IOException | TimeoutException | ShutdownSignalException e) {
        // Closed already, by RabbitMQ or the connection: nothing left to release.
      }
    }
  }

  /** RabbitMQ answered 404: the queue or exchange does not exist. */
  static final class NotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotFound(String reason) {
      super(reason);
    }
  }

  /** The arguments of a stream queue, from a channel's retention and replication. */
  record StreamArguments(@Nullable Duration maxAge, @Nullable Long maxBytes,
      @Nullable Integer replicas) {
    static final StreamArguments DEFAULT = new StreamArguments(null, null, null);

    Map<String, Object> toMap() {
      Map<String, Object> arguments = new HashMap<>();
      arguments.put("x-queue-type", "stream");
      if (maxAge != null) {
        arguments.put("x-max-age", Math.max(1, maxAge.toSeconds()) + "s");
        // Retention removes whole segments, and a segment closes at 500 MB by default: a short
        // retention would rarely see one close. Smaller segments let it act within its age.
        if (maxAge.compareTo(Duration.ofMinutes(1)) < 0) {
          arguments.put("x-stream-max-segment-size-bytes", 4 * 1024);
        } else if (maxAge.compareTo(Duration.ofHours(1)) < 0) {
          arguments.put("x-stream-max-segment-size-bytes", 1024 * 1024);
        }
      }
      if (maxBytes != null) {
        arguments.put("x-max-length-bytes", maxBytes);
      }
      if (replicas != null) {
        arguments.put("x-initial-cluster-size", replicas);
      }
      return arguments;
    }
  }
}
