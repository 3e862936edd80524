package dev.realtime.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

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
 * <p><b>How.</b> Each publish is registered here before it is handed to Lettuce; when the
 * connection goes down, every registered publish not yet answered is failed at once. Lettuce
 * never writes a command that is done, so none of them is written again after the reconnect.
 * (Lettuce's {@code replayFilter} covers only commands whose write failed, not those waiting for
 * a reply.) A publish made while the connection is down is kept by Lettuce and written once
 * after the reconnect: it was never sent before.
 *
 * <p><b>What a failed publish means.</b> One failed by the lost connection may or may not have
 * been stored: the caller may publish it again (at-least-once, a duplicate is possible then). A
 * confirmed publish was stored once: never a second time by the SDK's own re-sending.
 */
final class SendOnce implements RedisConnectionStateListener {
  private final StatefulRedisConnection<String, byte[]> connection;
  private final String description;
  private final Map<Long, AsyncCommand<String, byte[], ?>> unanswered = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();

  SendOnce(StatefulRedisConnection<String, byte[]> connection, String description) {
    this.connection = connection;
    this.description = description;
  }

  /** XADD {@code key} with {@code args} (trimming; the id is {@code *}) and {@code fields}. */
  CompletableFuture<String> xadd(String key, XAddArgs args, Map<String, byte[]> fields) {
    CommandArgs<String, byte[]> arguments = new CommandArgs<>(RedisBroker.CODEC).addKey(key);
    args.build(arguments);
    arguments.add(fields);
    return send(new Command<>(CommandType.XADD, new StatusOutput<>(RedisBroker.CODEC),
        arguments));
  }

  /** PUBLISH {@code value} to the Pub/Sub channel {@code key}. */
  CompletableFuture<Long> publish(String key, byte[] value) {
    CommandArgs<String, byte[]> arguments = new CommandArgs<>(RedisBroker.CODEC).addKey(key)
        .addValue(value);
    return send(new Command<>(CommandType.PUBLISH, new IntegerOutput<>(RedisBroker.CODEC),
        arguments));
  }

  private <T> CompletableFuture<T> send(Command<String, byte[], T> command) {
    AsyncCommand<String, byte[], T> async = new AsyncCommand<>(command);
    Long id = sequence.incrementAndGet();
    // Registered before Lettuce may write it: a drop right after the write still finds it.
    unanswered.put(id, async);
    async.whenComplete((reply, failure) -> unanswered.remove(id));
    connection.dispatch(async);
    return async;
  }

  /** On Lettuce's I/O thread, as the connection goes down and before it reconnects. */
  @Override
  public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
    if (handler != connection || unanswered.isEmpty()) {
      return;
    }
    RedisException lost = new RedisException("the connection to Redis at " + description
        + " was lost before Redis answered; the message may or may not be stored (publish it "
        + "again to be sure: at-least-once)");
    for (AsyncCommand<String, byte[], ?> command : unanswered.values()) {
      command.completeExceptionally(lost);
    }
  }
}
