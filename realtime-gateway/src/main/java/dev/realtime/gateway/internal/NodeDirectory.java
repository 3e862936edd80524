package dev.realtime.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.realtime.Broker;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every gateway node knows of the others: which channels they have connections on, and the
 * presence members of each presence channel, shared through the broker on one control channel.
 *
 * <p>Each node announces on that channel, keyed by its id so that its announcements stay in
 * order on every broker: a user's first connection to a presence channel on the node ({@code
 * join}), its last one leaving ({@code leave}), its whole state every heartbeat ({@code state}),
 * a greeting when it starts, which the others answer with their state at once ({@code hello}), and
 * a goodbye when it closes ({@code bye}). A node that stops announcing, killed or cut off from
 * the broker, is forgotten after the expiry, and its members are removed then: a node killed with
 * -9 has its members gone within expiry + one second (the sweep) on every other node.
 *
 * <p>Presence is per user, not per connection: a user is a member while any connection of theirs
 * on any node is on the channel; {@code member_added} is sent when the first appears anywhere and
 * {@code member_removed} when the last is gone everywhere, computed from the union of every
 * node's members before and after each change.
 *
 * <p>Announcements are published under this object's lock, so their order on the broker is the
 * order of the changes they describe: a state taken before a join can never arrive after it.
 */
public final class NodeDirectory implements AutoCloseable {
  static final String EVENT = "gateway-node";

  private static final Logger log = LoggerFactory.getLogger(NodeDirectory.class);

  /** Where member changes go: the node's connections on the channel. */
  public interface Listener {
    void memberAdded(String channel, String user, JsonNode info, @Nullable String exceptSocket);

    void memberRemoved(String channel, String user);
  }

  /** Another node, as last heard. */
  private static final class Remote {
    long heardAt;
    Map<String, Map<String, JsonNode>> presence = new HashMap<>();
    Map<String, Integer> occupancy = new HashMap<>();
  }

  /** A user of this node on one presence channel. */
  private static final class LocalUser {
    final JsonNode info;
    int connections;

    LocalUser(JsonNode info) {
      this.info = info;
    }
  }

  private final Broker broker;
  private final Channel control;
  private final String nodeId;
  private final Duration heartbeat;
  private final Duration expiry;
  private final Supplier<Map<String, Integer>> occupancy;
  private final ScheduledExecutorService timer;
  private volatile Listener listener = new Listener() {
    @Override
    public void memberAdded(String channel, String user, JsonNode info,
        @Nullable String exceptSocket) {}

    @Override
    public void memberRemoved(String channel, String user) {}
  };
  // Guarded by this.
  private final Map<String, Remote> remotes = new HashMap<>();
  private final Map<String, Map<String, LocalUser>> local = new HashMap<>();
  private @Nullable Subscription subscription;
  private boolean closed;

  /**
   * @param occupancy this node's channels and how many connections each has, read at every
   *     heartbeat
   */
  public NodeDirectory(Broker broker, Channel control, String nodeId, Duration heartbeat,
      Duration expiry, Supplier<Map<String, Integer>> occupancy) {
    this.broker = broker;
    this.control = control;
    this.nodeId = nodeId;
    this.heartbeat = heartbeat;
    this.expiry = expiry;
    this.occupancy = occupancy;
    this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "realtime-gateway-directory");
      thread.setDaemon(true);
      return thread;
    });
  }

  public void listener(Listener listener) {
    this.listener = listener;
  }

  /**
   * Subscribes to the control channel and greets the other nodes. The channel keeps a minute of
   * announcements where the broker keeps messages: nothing reads them later, and a heartbeat
   * every few seconds from every node would otherwise grow it without end.
   */
  public void start() {
    try {
      broker.admin().ensure(ChannelSpec.builder(control).retention(Duration.ofMinutes(1)).build());
    } catch (RuntimeException e) {
      // Pub/Sub brokers keep nothing and refuse a retention: nothing to bound there.
      log.debug("No retention set on {}: {}", control.name(), e.toString());
    }
    subscription = broker.subscribe(
        SubscriptionSpec.builder().channel(control).start(StartPosition.latest()).build(),
        this::onAnnouncement);
    synchronized (this) {
      announce("hello", state());
    }
    long sweep = Math.min(1000, heartbeat.toMillis());
    timer.scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(this::heartbeat, heartbeat.toMillis(), heartbeat.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** A connection of {@code user} on this node joined presence {@code channel}. */
  public void join(String channel, String user, JsonNode info, String socketId) {
    boolean added;
    synchronized (this) {
      added = !present(channel, user);
      LocalUser entry = local.computeIfAbsent(channel, c -> new LinkedHashMap<>())
          .computeIfAbsent(user, u -> new LocalUser(info));
      entry.connections++;
      if (entry.connections == 1) {
        ObjectNode change = Frames.JSON.createObjectNode();
        change.put("channel", channel);
        change.put("user_id", user);
        change.set("user_info", info);
        announce("join", change);
      }
    }
    if (added) {
      listener.memberAdded(channel, user, info, socketId);
    }
  }

  /** A connection of {@code user} on this node left presence {@code channel}. */
  public void leave(String channel, String user) {
    boolean removed;
    synchronized (this) {
      Map<String, LocalUser> users = local.get(channel);
      LocalUser entry = users == null ? null : users.get(user);
      if (entry == null || --entry.connections > 0) {
        return;
      }
      users.remove(user);
      if (users.isEmpty()) {
        local.remove(channel);
      }
      ObjectNode change = Frames.JSON.createObjectNode();
      change.put("channel", channel);
      change.put("user_id", user);
      announce("leave", change);
      removed = !present(channel, user);
    }
    if (removed) {
      listener.memberRemoved(channel, user);
    }
  }

  /** The members of presence {@code channel} on every node, by user id. */
  public synchronized Map<String, JsonNode> members(String channel) {
    Map<String, JsonNode> members = new TreeMap<>();
    Map<String, LocalUser> users = local.get(channel);
    if (users != null) {
      users.forEach((user, entry) -> members.put(user, entry.info));
    }
    for (Remote remote : remotes.values()) {
      Map<String, JsonNode> theirs = remote.presence.get(channel);
      if (theirs != null) {
        theirs.forEach(members::putIfAbsent);
      }
    }
    return members;
  }

  /**
   * Every channel with connections on any node, with their number: this node's now, the others'
   * as of their last heartbeat.
   */
  public Map<String, Integer> occupied() {
    Map<String, Integer> channels = new TreeMap<>(occupancy.get());
    synchronized (this) {
      for (Remote remote : remotes.values()) {
        remote.occupancy.forEach((channel, count) -> channels.merge(channel, count, Integer::sum));
      }
    }
    return channels;
  }

  /** The other nodes heard from within the expiry. */
  public synchronized int otherNodes() {
    return remotes.size();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      announce("bye", null);
    }
    Subscription open = subscription;
    if (open != null) {
      open.close();
    }
  }

  private void onAnnouncement(Message message) {
    JsonNode announcement;
    try {
      announcement = Frames.JSON.readTree(message.payload());
    } catch (java.io.IOException e) {
      log.warn("An announcement on {} is not JSON; ignored", control.name());
      return;
    }
    String node = announcement.path("node").asText("");
    if (node.isEmpty() || node.equals(nodeId)) {
      return;
    }
    List<Runnable> changes = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return;
      }
      switch (announcement.path("type").asText("")) {
        case "join", "leave" -> change(node, announcement, changes);
        case "state" -> replace(node, announcement, changes);
        case "hello" -> {
          replace(node, announcement, changes);
          announce("state", state());
        }
        case "bye" -> forget(node, changes);
        default -> log.debug("Unknown announcement type on {}", control.name());
      }
    }
    changes.forEach(Runnable::run);
  }

  private void change(String node, JsonNode announcement, List<Runnable> changes) {
    Remote remote = remotes.computeIfAbsent(node, n -> new Remote());
    remote.heardAt = System.nanoTime();
    JsonNode data = announcement.path("data");
    String channel = data.path("channel").asText();
    String user = data.path("user_id").asText();
    boolean before = present(channel, user);
    if (announcement.path("type").asText().equals("join")) {
      remote.presence.computeIfAbsent(channel, c -> new HashMap<>())
          .put(user, data.path("user_info"));
    } else {
      Map<String, JsonNode> users = remote.presence.get(channel);
      if (users != null) {
        users.remove(user);
      }
    }
    boolean after = present(channel, user);
    if (!before && after) {
      JsonNode info = data.path("user_info");
      changes.add(() -> listener.memberAdded(channel, user, info, null));
    } else if (before && !after) {
      changes.add(() -> listener.memberRemoved(channel, user));
    }
  }

  /** Takes {@code node}'s whole state (from a state or hello), announcing what it changes. */
  private void replace(String node, JsonNode announcement, List<Runnable> changes) {
    JsonNode data = announcement.path("data");
    Remote next = new Remote();
    next.heardAt = System.nanoTime();
    data.path("presence").fields().forEachRemaining(channel -> {
      Map<String, JsonNode> users = new HashMap<>();
      channel.getValue().fields().forEachRemaining(user -> users.put(user.getKey(),
          user.getValue()));
      next.presence.put(channel.getKey(), users);
    });
    data.path("occupancy").fields().forEachRemaining(channel ->
        next.occupancy.put(channel.getKey(), channel.getValue().asInt()));
    Remote previous = remotes.get(node);
    Set<String> channels = new HashSet<>(next.presence.keySet());
    if (previous != null) {
      channels.addAll(previous.presence.keySet());
    }
    Map<String, Map<String, JsonNode>> before = snapshot(channels);
    remotes.put(node, next);
    diff(before, channels, changes);
  }

  private void forget(String node, List<Runnable> changes) {
    Remote gone = remotes.get(node);
    if (gone == null) {
      return;
    }
    Set<String> channels = new HashSet<>(gone.presence.keySet());
    Map<String, Map<String, JsonNode>> before = snapshot(channels);
    remotes.remove(node);
    diff(before, channels, changes);
  }

  private Map<String, Map<String, JsonNode>> snapshot(Set<String> channels) {
    Map<String, Map<String, JsonNode>> before = new HashMap<>();
    for (String channel : channels) {
      before.put(channel, members(channel));
    }
    return before;
  }

  private void diff(Map<String, Map<String, JsonNode>> before, Set<String> channels,
      List<Runnable> changes) {
    for (String channel : channels) {
      Map<String, JsonNode> was = before.get(channel);
      Map<String, JsonNode> now = members(channel);
      now.forEach((user, info) -> {
        if (!was.containsKey(user)) {
          changes.add(() -> listener.memberAdded(channel, user, info, null));
        }
      });
      was.keySet().forEach(user -> {
        if (!now.containsKey(user)) {
          changes.add(() -> listener.memberRemoved(channel, user));
        }
      });
    }
  }

  private boolean present(String channel, String user) {
    Map<String, LocalUser> users = local.get(channel);
    if (users != null && users.containsKey(user)) {
      return true;
    }
    for (Remote remote : remotes.values()) {
      Map<String, JsonNode> theirs = remote.presence.get(channel);
      if (theirs != null && theirs.containsKey(user)) {
        return true;
      }
    }
    return false;
  }

  private void sweep() {
    List<Runnable> changes = new ArrayList<>();
    synchronized (this) {
      long oldest = System.nanoTime() - expiry.toNanos();
      for (String node : new ArrayList<>(remotes.keySet())) {
        if (remotes.get(node).heardAt - oldest < 0) {
          log.info("Gateway node {} has not been heard from for {}: its members are removed",
              node, expiry);
          forget(node, changes);
        }
      }
    }
    changes.forEach(Runnable::run);
  }

  private void heartbeat() {
    synchronized (this) {
      if (!closed) {
        announce("state", state());
      }
    }
  }

  private ObjectNode state() {
    ObjectNode data = Frames.JSON.createObjectNode();
    ObjectNode presence = data.putObject("presence");
    local.forEach((channel, users) -> {
      ObjectNode members = presence.putObject(channel);
      users.forEach((user, entry) -> members.set(user, entry.info));
    });
    ObjectNode channels = data.putObject("occupancy");
    occupancy.get().forEach(channels::put);
    return data;
  }

  /** Publishes one announcement; called under the lock, so announcements keep their order. */
  private void announce(String type, @Nullable ObjectNode data) {
    ObjectNode announcement = Frames.JSON.createObjectNode();
    announcement.put("node", nodeId);
    announcement.put("type", type);
    announcement.set("data", data);
    try {
      broker.publish(Message.builder()
          .channel(control)
          .event(EVENT)
          .key(nodeId)
          .payload(Frames.write(announcement))
          .contentType(Message.JSON)
          .build()).whenComplete((receipt, failure) -> {
            if (failure != null) {
              log.warn("This gateway node's {} announcement was not published: {}", type,
                  failure.toString());
            }
          });
    } catch (RuntimeException e) {
      log.warn("This gateway node's {} announcement was not published: {}", type, e.toString());
    }
  }
}
