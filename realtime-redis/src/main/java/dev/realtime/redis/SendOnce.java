package dev.realtime.redis;

import dev.realtime.Message;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.netty.buffer.ByteBuf;
import io.netty.util.Timer;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Sends publishes (XADD, PUBLISH) on the shared connection at most once each.
 *
 * <p><b>Why.</b> When a connection drops, Lettuce keeps the commands that were written and not
 * yet answered, and writes them again once it has reconnected. For reads and idempotent writes
 * that is what we want; for XADD it is not: Redis may have run the first one (its reply was lost
 * with the connection), and the second stores the message again under a new entry id, while
 * the caller saw one confirmation. A connection that Redis closes on an oversized command drops
 * every XADD pipelined behind it this way, and each came back several times.
 *
 * <p><b>How.</b> Each publish is registered here before it is handed to Lettuce, and marks
 * itself sent when Lettuce encodes it onto a connection; when the connection goes down, every
 * registered publish that was sent and not yet answered is failed at once. Lettuce never writes
 * a command that is done, so none of them is written again after the reconnect. (Lettuce's
 * {@code replayFilter} covers only commands whose write failed, not those waiting for a reply.)
 *
 * <p><b>While the connection is down</b> a publish is parked here, in order, and handed to
 * Lettuce once it has reconnected: it waits for Redis up to {@code realtime.publish-timeout}, as
 * on the other adapters, and then fails saying it was not sent. Lettuce's own buffer would not
 * do: once a reconnect attempt fails after the socket opened (a proxy or load balancer in front
 * of a Redis that is down accepts and resets), Lettuce fails every command written to it until
 * a reconnect succeeds, so an outage failed most publishes made during it.
 *
 * <p><b>Timeouts.</b> A publish sent and not answered within {@code realtime.redis.timeout}
 * fails, as Lettuce's own timeout would fail it, but from one sweep over the publishes in
 * flight ({@link #sweep}) instead of a timer per command: Lettuce's scheduled a wheel-timer
 * entry and a completion stage per publish and cancelled them on the reply, and this class
 * another stage and a map entry, near a fifth of what a publish allocated (publish benchmark's
 * profile). {@link CommandTimeouts} leaves PUBLISH and XADD to this class.
 *
 * <p><b>Replicas</b> ({@code realtime.redis.wait-replicas}): each XADD is followed at once by
 * a WAIT on the same connection (on a cluster, the connection to the primary of the key's slot,
 * so that the WAIT counts the replicas of the node that stored the entry), and the publish is
 * confirmed when both answered and enough replicas have it. The WAIT is sent at most once too:
 * written again on a new connection, with no write before it there, it would count replicas
 * that never saw the entry.
 *
 * <p><b>What a failed publish means.</b> One failed by the lost connection may or may not have
 * been stored: the caller may publish it again (at-least-once, a duplicate is possible then). A
 * confirmed publish was stored once: never a second time by the SDK's own re-sending.
 */
final class SendOnce implements RedisConnectionStateListener {
  private final StatefulConnection<String, byte[]> connection;
  /**
   * A cluster's shared connection: one connection per node, each reported on its own. A drop of
   * any fails the publishes in flight (which node had which is not known here: some reported
   * lost were stored, which at-least-once allows), and nothing is parked: the other nodes still
   * take their slots' publishes, and Lettuce sends a failed primary's to its replica once it
   * took over.
   */
  private final boolean cluster;
  /** On a cluster, the slot whose primary takes every PUBLISH: {@link PubSubHome#slot()}. */
  private final int pubSubSlot;
  /** realtime.redis.wait-replicas; 0: no WAIT. */
  private final int waitReplicas;
  /** How long a WAIT waits for the replicas, in Redis: half the command timeout. */
  private final long waitMillis;
  private final String description;
  private final Duration publishTimeout;
  private final Duration timeout;
  private final long timeoutNanos;
  private final Timer timer;
  /**
   * Guards {@link #connected}, {@link #parked} and {@link #unanswered}, so that parked publishes
   * keep their order and a publish is registered before Lettuce may write it.
   */
  private final Object lock = new Object();
  private boolean connected = true; // Made after the first connect succeeded.
  private boolean closed;
  private final ArrayDeque<SentCommand<?>> parked = new ArrayDeque<>();
  /**
   * Publishes handed to Lettuce, in that order, which is their deadlines' order; answered ones
   * leave from the head (Redis answers in order on one connection), at the next dispatch or
   * sweep.
   */
  private final ArrayDeque<SentCommand<?>> unanswered = new ArrayDeque<>();

  /**
   * @param timeout realtime.redis.timeout: how long a sent publish waits for Redis's answer
   */
  SendOnce(StatefulConnection<String, byte[]> connection, @Nullable PubSubHome pubSubHome,
      boolean cluster, int waitReplicas, String description, Duration publishTimeout,
      Duration timeout, Timer timer) {
    this.connection = connection;
    this.cluster = cluster;
    this.pubSubSlot = pubSubHome == null ? 0 : pubSubHome.slot();
    this.waitReplicas = waitReplicas;
    this.waitMillis = Math.max(1, timeout.toMillis() / 2);
    this.description = description;
    this.publishTimeout = publishTimeout;
    this.timeout = timeout;
    this.timeoutNanos = timeout.toNanos();
    this.timer = timer;
    scheduleSweep();
  }

  /**
   * XADD {@code key} with {@code args} (trimming; the id is {@code *}) and {@code message}'s
   * fields. Keys go in as plain arguments, as Lettuce writes text: through the String-and-bytes
   * codec each took a buffer of its own (publish benchmark's profile); a standalone connection
   * has no use for knowing which argument is the key. A cluster's routes by it.
   */
  CompletableFuture<String> xadd(String key, XAddArgs args, Message message) {
    CommandArgs<String, byte[]> arguments = cluster
        ? new CommandArgs<>(RedisBroker.CODEC).addKey(key)
        : new CommandArgs<>(RedisBroker.CODEC).add(key);
    args.build(arguments);
    StreamEntries.addFields(arguments, message);
    SentCommand<String> xadd = new SentCommand<>(CommandType.XADD,
        new StatusOutput<>(RedisBroker.CODEC), arguments);
    if (waitReplicas == 0) {
      return send(xadd);
    }
    SentCommand<Long> wait = new SentCommand<>(CommandType.WAIT,
        new IntegerOutput<>(RedisBroker.CODEC), new CommandArgs<>(RedisBroker.CODEC)
            .add(waitReplicas).add(waitMillis));
    CompletableFuture<String> stored = cluster
        ? sendToPrimary(SlotHash.getSlot(key), xadd, wait) : send(xadd, wait);
    return stored.thenCombine(wait.async, (id, replicas) -> {
      if (replicas < waitReplicas) {
        throw new java.util.concurrent.CompletionException(new RedisException("Redis stored it "
            + "on the primary, but only " + replicas + " of the " + waitReplicas + " replicas "
            + "realtime.redis.wait-replicas asks for acknowledged it within " + waitMillis
            + " ms, so a failover may lose it. Publish it again to be sure (it may then be "
            + "stored twice), or set realtime.redis.wait-replicas to no more replicas than "
            + "each primary has."));
      }
      return id;
    });
  }

  /**
   * On a cluster: {@code command} and what {@code after} it on the connection to the primary
   * that serves {@code slot} now, as Lettuce knows the cluster. Should the slot have moved
   * meanwhile, a keyed command fails with MOVED (and the publish with it): it never reaches
   * another node.
   */
  private <T> CompletableFuture<T> sendToPrimary(int slot, SentCommand<T> command,
      SentCommand<?>... after) {
    command.prepare();
    for (SentCommand<?> next : after) {
      next.prepare();
    }
    StatefulRedisClusterConnection<String, byte[]> clustered =
        (StatefulRedisClusterConnection<String, byte[]>) connection;
    RedisClusterNode primary = clustered.getPartitions().getMasterBySlot(slot);
    if (primary == null) {
      fail(new RedisException("no primary of the Redis cluster at " + description
          + " serves slot " + slot + " now; the message was not sent"), command, after);
      return command.async;
    }
    // Lettuce keeps one connection per primary: made once, then the future is done already.
    clustered.getConnectionAsync(primary.getUri().getHost(), primary.getUri().getPort())
        .whenComplete((node, failure) -> {
          if (failure != null) {
            fail(failure, command, after);
            return;
          }
          synchronized (lock) {
            dispatch(command, node);
            for (SentCommand<?> next : after) {
              dispatch(next, node);
            }
          }
        });
    return command.async;
  }

  private static void fail(Throwable failure, SentCommand<?> command, SentCommand<?>... after) {
    command.async.completeExceptionally(failure);
    for (SentCommand<?> next : after) {
      next.async.completeExceptionally(failure);
    }
  }

  /**
   * PUBLISH {@code value} to the Pub/Sub channel {@code key}; on a cluster, to the primary of
   * {@code pubSubSlot} ({@link PubSubHome}).
   */
  CompletableFuture<Long> publish(String key, byte[] value) {
    CommandArgs<String, byte[]> arguments = new CommandArgs<>(RedisBroker.CODEC).add(key)
        .add(value);
    SentCommand<Long> publish = new SentCommand<>(CommandType.PUBLISH,
        new IntegerOutput<>(RedisBroker.CODEC), arguments);
    return cluster ? sendToPrimary(pubSubSlot, publish) : send(publish);
  }

  /**
   * Sends {@code command} and what {@code after} it, together: parked together or handed to
   * Lettuce one after the other, with nothing of another thread between them.
   */
  private <T> CompletableFuture<T> send(SentCommand<T> command, SentCommand<?>... after) {
    AsyncCommand<String, byte[], T> async = new AsyncCommand<>(command);
    command.async = async;
    for (SentCommand<?> next : after) {
      next.prepare();
    }
    synchronized (lock) {
      if (!connected) {
        park(command);
        for (SentCommand<?> next : after) {
          park(next);
        }
        return async;
      }
      dispatch(command, connection);
      for (SentCommand<?> next : after) {
        dispatch(next, connection);
      }
    }
    return async;
  }

  /** Under the lock. */
  private void dispatch(SentCommand<?> command, StatefulConnection<String, byte[]> target) {
    forgetAnswered();
    // Registered before Lettuce may write it: a drop right after the write still finds it.
    command.deadline = System.nanoTime() + timeoutNanos;
    unanswered.addLast(command);
    target.dispatch(command.async);
  }

  /** Under the lock: drops answered publishes from the head. */
  private void forgetAnswered() {
    for (SentCommand<?> head; (head = unanswered.peekFirst()) != null && head.async.isDone(); ) {
      unanswered.pollFirst();
    }
  }

  /** A sweep a tenth of the timeout from now (at least 10 ms, at most a second). */
  private void scheduleSweep() {
    long period = Math.max(10, Math.min(1000, timeout.toMillis() / 10));
    try {
      timer.newTimeout(ignored -> sweep(), period, TimeUnit.MILLISECONDS);
    } catch (IllegalStateException e) {
      // The timer stopped: the client is shutting down, and nothing is sent any more.
    }
  }

  /**
   * Fails the publishes sent longer than the timeout ago and not answered, as Lettuce's timeout
   * would; outside the lock, so that callbacks run by failing them never hold it.
   */
  private void sweep() {
    List<SentCommand<?>> overdue = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      forgetAnswered();
      long now = System.nanoTime();
      for (SentCommand<?> command : unanswered) {
        if (command.deadline - now > 0) {
          break; // In deadline order: none after it is due.
        }
        overdue.add(command);
      }
    }
    for (SentCommand<?> command : overdue) {
      command.async.completeExceptionally(new RedisCommandTimeoutException("Redis at "
          + description + " did not answer within " + timeout + " (realtime.redis.timeout)"));
    }
    scheduleSweep();
  }

  /** Under the lock. A timer per parked publish: there are only any during an outage. */
  private void park(SentCommand<?> command) {
    parked.add(command);
    CompletableFuture.delayedExecutor(publishTimeout.toNanos(), TimeUnit.NANOSECONDS)
        .execute(() -> command.async.completeExceptionally(new RedisException("Redis at "
            + description + " did not come back within " + publishTimeout
            + " (realtime.publish-timeout); the message was not sent")));
  }

  /** Fails what is parked: the broker is closing, and no reconnect will send it. */
  void close() {
    synchronized (lock) {
      connected = false;
      closed = true;
      for (SentCommand<?> command; (command = parked.poll()) != null; ) {
        command.async.completeExceptionally(new RedisException("the broker was closed while "
            + "Redis at " + description + " could not be reached; the message was not sent"));
      }
    }
  }

  /** After a reconnect's handshake: hands Lettuce what was parked, in order. */
  @Override
  public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
    if (cluster || handler != connection) {
      return;
    }
    synchronized (lock) {
      connected = true;
      for (SentCommand<?> command; (command = parked.poll()) != null; ) {
        if (!command.async.isDone()) {
          dispatch(command, connection);
        }
      }
    }
  }

  /** On Lettuce's I/O thread, as the connection goes down and before it reconnects. */
  @Override
  public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
    if (!cluster && handler != connection || handler.isClosed()) {
      // Closed on purpose: on a cluster, also the connections a topology refresh opens to read
      // each node's view, which carry no publish.
      return;
    }
    List<SentCommand<?>> lostOnes = new ArrayList<>();
    synchronized (lock) {
      connected = cluster; // A cluster's other nodes still take publishes.
      forgetAnswered();
      for (SentCommand<?> command : unanswered) {
        if (command.sent) {
          lostOnes.add(command);
        }
      }
    }
    if (lostOnes.isEmpty()) {
      return;
    }
    RedisException lost = new RedisException("the connection to Redis at " + description
        + " was lost before Redis answered; the message may or may not be stored (publish it "
        + "again to be sure: at-least-once)");
    for (SentCommand<?> command : lostOnes) {
      command.async.completeExceptionally(lost);
    }
  }

  /**
   * A publish that knows whether it was written: Lettuce encodes a command as it writes it to a
   * connection, and only then can Redis have run it. One never written is still Lettuce's to
   * write once, after a reconnect.
   */
  private static final class SentCommand<T> extends Command<String, byte[], T> {
    volatile boolean sent;
    AsyncCommand<String, byte[], T> async; // Set before the command is handed to anyone.

    void prepare() {
      async = new AsyncCommand<>(this);
    }
    long deadline; // Set under the lock, before the command is handed to Lettuce.

    SentCommand(CommandType type, CommandOutput<String, byte[], T> output,
        CommandArgs<String, byte[]> args) {
      super(type, output, args);
    }

    @Override
    public void encode(ByteBuf buf) {
      sent = true;
      super.encode(buf);
    }
  }
}
