package dev.realtime.redis;

import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelNaming;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The channels that exist, and each one's retention: one Redis hash, {@code <prefix>:~channels}
 * (no channel name starts with {@code ~}), field = channel name, value = {@link Retention} text.
 * A channel exists once something was published to it, it was ensured, or a group subscription
 * created its stream; a broadcast subscription alone does not make it exist (a misspelt name
 * must not appear in {@code list}). Pubsub mode keeps its own hash of ensured channels.
 *
 * <p>Why a registry rather than SCAN: pattern subscriptions look for new channels every second,
 * and SCAN walks the whole keyspace, which on a shared Redis with millions of keys is far too
 * much; the registry holds only channels. Every publisher registers its channels (HSETNX, so
 * settings are kept) and reads their retention again every few seconds, which also puts back a
 * channel that {@link RedisAdmin#delete} removed while a publisher was still using it.
 */
final class ChannelRegistry {
  private static final Duration REFRESH = Duration.ofSeconds(5);

  private final RedisClusterAsyncCommands<String, byte[]> commands;
  private final String head;
  private final String key;
  private final ChannelNaming naming;
  private final Map<Channel, Known> known = new ConcurrentHashMap<>();

  /** A channel's retention as last read, and when. */
  private record Known(CompletableFuture<Retention> retention, long readAtNanos) {
    boolean isFresh(long now) {
      return now - readAtNanos < REFRESH.toNanos();
    }

    boolean hasValue() {
      return retention.isDone() && !retention.isCompletedExceptionally();
    }
  }

  /**
   * @param pubSub whether the broker runs in pubsub mode, whose channels are listed apart
   *     ({@code <prefix>:~pubsub-channels}): they are no streams, and a streams-mode broker on
   *     the same Redis must not list them
   */
  ChannelRegistry(RedisClusterAsyncCommands<String, byte[]> commands, String prefix,
      ChannelNaming naming, boolean pubSub) {
    this.commands = commands;
    this.head = prefix.isEmpty() ? "" : prefix + ":";
    this.key = head + (pubSub ? "~pubsub-channels" : "~channels");
    this.naming = naming;
  }

  String key() {
    return key;
  }

  /**
   * Registers {@code channel} (once every few seconds) and returns its retention. While it is
   * read again, the last value is used.
   */
  CompletionStage<Retention> register(Channel channel) {
    long now = System.nanoTime();
    Known current = known.get(channel);
    if (current != null && (current.isFresh(now) || !current.hasValue())) {
      return current.retention();
    }
    CompletableFuture<Retention> reading = new CompletableFuture<>();
    Known next = new Known(reading, now);
    boolean mine = current == null ? known.putIfAbsent(channel, next) == null
        : known.replace(channel, current, next);
    if (!mine) {
      return known.get(channel).retention(); // Another thread is reading it.
    }
    commands.hsetnx(key, channel.name(), new byte[0]);
    commands.hget(key, channel.name()).whenComplete((value, failure) -> {
      if (failure == null) {
        reading.complete(Retention.parse(StreamEntries.text(value)));
      } else if (current != null && current.hasValue()) {
        reading.complete(current.retention().join()); // Redis is away: keep what we knew.
      } else {
        known.remove(channel, next); // The next publish asks again.
        reading.completeExceptionally(failure);
      }
    });
    return current != null && current.hasValue() ? current.retention() : reading;
  }

  /**
   * {@link #register}, without waiting: the retention known now, or none while the registry has
   * not answered yet (a channel's first publishes, and while Redis is away without a value).
   */
  Retention retentionNow(Channel channel) {
    CompletableFuture<Retention> known = register(channel).toCompletableFuture();
    return known.isDone() && !known.isCompletedExceptionally() ? known.join() : Retention.NONE;
  }

  /** Records {@code channel} with {@code retention}, for every publisher from now on. */
  CompletionStage<?> put(Channel channel, Retention retention) {
    known.put(channel, new Known(CompletableFuture.completedFuture(retention), System.nanoTime()));
    return commands.hset(key, channel.name(), StreamEntries.bytes(retention.toText()));
  }

  /** The retention recorded for {@code channel}, read now; empty if it is not registered. */
  CompletionStage<Optional<Retention>> read(Channel channel) {
    return commands.hget(key, channel.name()).thenApply(value -> value == null
        ? Optional.empty() : Optional.of(Retention.parse(StreamEntries.text(value))));
  }

  /** Forgets {@code channel}; completes with true if it was registered. */
  CompletionStage<Boolean> remove(Channel channel) {
    known.remove(channel);
    return commands.hdel(key, channel.name()).thenApply(removed -> removed > 0);
  }

  /** Every registered channel; fields that are no channel name of ours are skipped. */
  CompletionStage<List<Channel>> channels() {
    return commands.hkeys(key).thenApply(names -> {
      List<Channel> channels = new ArrayList<>(names.size());
      for (String name : names) {
        naming.channelOf(head + name).ifPresent(channels::add);
      }
      return channels;
    });
  }
}
