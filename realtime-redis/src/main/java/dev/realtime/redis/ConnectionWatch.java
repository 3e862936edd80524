package dev.realtime.redis;

import dev.realtime.internal.FailureReasons;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import io.lettuce.core.resource.ClientResources;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * Says once per outage that Redis cannot be reached, with the root cause, and once that it can
 * again; the details of each reconnect attempt go to debug. One watch per broker covers every
 * path at once: publishes and admin commands on the shared connection, and each subscription's
 * own connection (Pub/Sub ones included, which Lettuce renews by itself and which have no read
 * loop of ours to notice).
 *
 * <p>An outage begins when a connection drops that nobody closed, and ends when every dropped
 * connection is back. A drop that reconnects at the first attempt is no outage worth a warning
 * (Redis closed an idle client, a failover): it is logged at debug.
 */
final class ConnectionWatch implements RedisConnectionStateListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);

  private final String description;
  private final Duration timeout;
  private final Duration publishTimeout;
  private final Set<RedisChannelHandler<?, ?>> down =
      Collections.newSetFromMap(new IdentityHashMap<>());
  private final Disposable failures;
  private long outageStart;
  private boolean warned;
  private boolean closed;

  ConnectionWatch(ClientResources resources, String description, Duration timeout,
      Duration publishTimeout) {
    this.description = description;
    this.timeout = timeout;
    this.publishTimeout = publishTimeout;
    this.failures = resources.eventBus().get().subscribe(event -> {
      if (event instanceof ReconnectFailedEvent failed) {
        reconnectFailed(failed);
      }
    });
  }

  @Override
  public synchronized void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
    if (closed || connection.isClosed()) {
      return; // Closed on purpose: no outage.
    }
    if (down.isEmpty()) {
      outageStart = System.nanoTime();
      warned = false;
    }
    down.add(connection);
    log.debug("a connection to Redis at {} dropped; Lettuce reconnects it", description);
  }

  @Override
  public synchronized void onRedisConnected(RedisChannelHandler<?, ?> connection,
      SocketAddress address) {
    if (!down.remove(connection) || !down.isEmpty()) {
      return;
    }
    long millis = (System.nanoTime() - outageStart) / 1_000_000;
    if (warned && !closed) {
      log.info("Redis at {} answers again, after {} ms", description, millis);
    } else {
      log.debug("reconnected to Redis at {} after {} ms", description, millis);
    }
  }

  private synchronized void reconnectFailed(ReconnectFailedEvent event) {
    if (closed || down.isEmpty()) {
      return;
    }
    if (!warned) {
      warned = true;
      log.warn("cannot reach Redis at {} ({}); reconnecting every 2s at most. Publishes wait "
          + "up to {} (realtime.publish-timeout) and other commands up to {} "
          + "(realtime.redis.timeout), then fail; subscriptions resume where they were once it "
          + "is back.", description, FailureReasons.of(event.getCause()), publishTimeout,
          timeout);
    }
    log.debug("reconnect attempt {} to Redis at {} failed", event.getAttempt(), description,
        event.getCause());
  }

  /** Returns true while a connection is down: the outage is this watch's to report. */
  synchronized boolean isDown() {
    return !down.isEmpty();
  }

  /** Stops watching: the broker closes its connections on purpose now. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    failures.dispose();
  }
}
