package dev.realtime.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.realtime.Broker;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gateway node's channels: which local connections want each, and the one broadcast
 * subscription per channel that brings the channel's messages to this node.
 *
 * <p>A node subscribes to a channel when its first connection joins, and closes the subscription
 * when its last one leaves, so a node receives only what its connections want. Every node
 * subscribes on its own (broadcast, not a group), so a message published on any node, or by any
 * application with the SDK, reaches every node that has a connection on the channel.
 *
 * <p>{@link Broker#subscribe} may block (Kafka waits for its partitions), so subscriptions open
 * and close on threads of their own, never on a connection's event loop. A connection that joins
 * while the subscription opens is told it succeeded once it is open: the SDK's {@code latest}
 * start promises everything published after {@code subscribe} returns, so a browser told it is
 * subscribed misses nothing published after that.
 *
 * <p>Each message becomes one frame text, written to every member; the members decide what a slow
 * reader costs (see {@link PusherConnection}).
 */
public final class ChannelHub implements NodeDirectory.Listener, AutoCloseable {
  /**
   * The header naming the socket that must not receive a message: the sender of a client event,
   * or the {@code socket_id} of an HTTP API call (Pusher's "exclude a recipient").
   */
  public static final String EXCLUDED_SOCKET_HEADER = "gateway-excluded-socket";

  /**
   * The header naming the user who sent a client event on a presence channel: Pusher adds it to
   * the event as {@code user_id}.
   */
  public static final String USER_HEADER = "gateway-user-id";

  private static final Logger log = LoggerFactory.getLogger(ChannelHub.class);

  /** A local connection's side: what the hub tells it. */
  public interface Member {
    String socketId();

    /** Writes a frame; called on a broker's thread. */
    void deliver(String frame);

    /** Writes {@code frame}, made of {@code message} on {@code channel}; on a broker's thread. */
    void deliver(String channel, Message message, String frame);

    /** The channel's subscription is open (now, or was already). */
    void subscribed(String channel);

    /** The channel's subscription could not be opened; the member is no longer on it. */
    void refused(String channel, String reason);
  }

  private final Broker broker;
  private final ExecutorService subscriptions;
  // Guarded by this: which channels are on this node, and the members of each.
  private final Map<String, LocalChannel> channels = new HashMap<>();
  private boolean closed;

  public ChannelHub(Broker broker) {
    this.broker = broker;
    this.subscriptions = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "realtime-gateway-subscriptions");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Adds {@code member} to {@code channel}, subscribing this node to it first if needed. */
  public void join(Channel channel, Member member) {
    LocalChannel local;
    boolean open;
    synchronized (this) {
      if (closed) {
        return;
      }
      local = channels.get(channel.name());
      if (local == null) {
        local = new LocalChannel(channel);
        channels.put(channel.name(), local);
        subscriptions.execute(local::open);
      }
      local.members.add(member);
      open = local.subscription != null;
    }
    if (open) {
      member.subscribed(channel.name());
    }
  }

  /** Removes {@code member} from {@code channel}; the last one out closes the subscription. */
  public void leave(String channel, Member member) {
    synchronized (this) {
      LocalChannel local = channels.get(channel);
      if (local == null || !local.members.remove(member) || !local.members.isEmpty()) {
        return;
      }
      channels.remove(channel);
      Subscription subscription = local.subscription;
      if (subscription != null) {
        subscriptions.execute(() -> closeQuietly(local.channel, subscription));
      }
      // Still opening: open() finds it gone and closes what it opened.
    }
  }

  /** How many channels have a connection on this node. */
  public synchronized int channelCount() {
    return channels.size();
  }

  /** The channels that have at least one connection on this node, with their number. */
  public synchronized Map<String, Integer> occupancy() {
    Map<String, Integer> occupancy = new TreeMap<>();
    channels.forEach((name, local) -> occupancy.put(name, local.members.size()));
    return occupancy;
  }

  @Override
  public void memberAdded(String channel, String user, JsonNode info,
      @Nullable String exceptSocket) {
    deliver(channel, Frames.memberAdded(channel, user, info), exceptSocket);
  }

  @Override
  public void memberRemoved(String channel, String user) {
    deliver(channel, Frames.memberRemoved(channel, user), null);
  }

  /** Writes {@code frame} to this node's connections on {@code channel} but one. */
  public void deliver(String channel, String frame, @Nullable String exceptSocket) {
    LocalChannel local;
    synchronized (this) {
      local = channels.get(channel);
    }
    if (local != null) {
      for (Member member : local.members) {
        if (!member.socketId().equals(exceptSocket)) {
          member.deliver(frame);
        }
      }
    }
  }

  @Override
  public void close() {
    List<LocalChannel> open;
    synchronized (this) {
      closed = true;
      open = new ArrayList<>(channels.values());
      channels.clear();
    }
    for (LocalChannel local : open) {
      Subscription subscription = local.subscription;
      if (subscription != null) {
        closeQuietly(local.channel, subscription);
      }
    }
    subscriptions.shutdown();
    try {
      subscriptions.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeQuietly(Channel channel, Subscription subscription) {
    try {
      subscription.close();
    } catch (RuntimeException e) {
      log.warn("Closing this node's subscription to {} failed: {}", channel.name(), e.toString());
    }
  }

  /** One channel on this node. */
  private final class LocalChannel {
    final Channel channel;
    final Set<Member> members = ConcurrentHashMap.newKeySet();
    // Written under the hub's lock once the subscription is open.
    @Nullable Subscription subscription;

    LocalChannel(Channel channel) {
      this.channel = channel;
    }

    void open() {
      Subscription opened;
      try {
        opened = broker.subscribe(
            SubscriptionSpec.builder().channel(channel).start(StartPosition.latest()).build(),
            this::fanOut);
      } catch (RuntimeException e) {
        List<Member> refused;
        synchronized (ChannelHub.this) {
          if (channels.get(channel.name()) == this) {
            channels.remove(channel.name());
          }
          refused = new ArrayList<>(members);
          members.clear();
        }
        log.warn("This node could not subscribe to {}: {}", channel.name(), e.toString());
        refused.forEach(member -> member.refused(channel.name(), "the broker refused: "
            + e.getMessage()));
        return;
      }
      List<Member> waiting;
      synchronized (ChannelHub.this) {
        if (channels.get(channel.name()) != this || closed) {
          waiting = null;
        } else {
          subscription = opened;
          waiting = new ArrayList<>(members);
        }
      }
      if (waiting == null) {
        closeQuietly(channel, opened);
        return;
      }
      waiting.forEach(member -> member.subscribed(channel.name()));
    }

    void fanOut(Message message) {
      String frame = Frames.channelEvent(message.event(), channel.name(), Outbound.data(message),
          message.header(USER_HEADER));
      String excluded = message.header(EXCLUDED_SOCKET_HEADER);
      for (Member member : members) {
        if (excluded == null || !excluded.equals(member.socketId())) {
          member.deliver(channel.name(), message, frame);
        }
      }
    }
  }
}
