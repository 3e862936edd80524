package dev.realtime.gateway.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.realtime.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One connection's side of the recovery extension (docs/gateway.md, "Recovery"): per channel,
 * the ids of the messages delivered lately, whether each event is followed by its {@code
 * realtime:position}, and, while a recovery reads history, the live messages held back.
 *
 * <p>Live messages arrive on broker threads and recoveries are decided on the event loop, so the
 * state is guarded by this object. A message is sent once: what history returns is checked
 * against what was delivered live since the resubscription and against what was held while
 * history was read.
 */
final class Recovery {
  /**
   * What a channel remembers of the ids delivered after a subscription, until a recovery asks:
   * at most this many, for at most {@link #WINDOW_NANOS}. A client asks right after its
   * subscription succeeds; remembering for ever would cost every connection memory per message.
   */
  static final int REMEMBERED = 100;
  static final long WINDOW_NANOS = 10_000_000_000L;

  /** A live message and its frame. */
  record Live(Message message, String frame) {}

  /** What ending a recovery sends: the frames, and how many missed events are among them. */
  record Finished(List<String> frames, int missed) {}

  private static final class ChannelState {
    Set<String> recent = new LinkedHashSet<>();  // Null once the window is over.
    final long windowEnds = System.nanoTime() + WINDOW_NANOS;
    boolean positions;
    List<Live> held;  // Non-null while a recovery reads history.
  }

  private final Map<String, ChannelState> channels = new HashMap<>();

  /**
   * A live message for {@code channel}: the frames to write now, in order (none while a recovery
   * holds the channel).
   */
  synchronized List<String> live(String channel, Message message, String frame) {
    ChannelState state = channels.computeIfAbsent(channel, c -> new ChannelState());
    if (state.held != null) {
      state.held.add(new Live(message, frame));
      return List.of();
    }
    remember(state, message.id());
    return state.positions ? List.of(frame, position(channel, message)) : List.of(frame);
  }

  /** {@code channel} was subscribed (again): remember what it delivers for a while. */
  synchronized void subscribed(String channel) {
    channels.put(channel, new ChannelState());
  }

  /**
   * Whether a recovery of {@code channel} can still tell what was delivered since it was
   * subscribed (it is asked within the window, and only once per subscription).
   */
  synchronized boolean canRecover(String channel) {
    ChannelState state = channels.get(channel);
    return state != null && state.recent != null && System.nanoTime() - state.windowEnds < 0;
  }

  /** Holds {@code channel}'s live messages until {@link #finish}. */
  synchronized void hold(String channel) {
    channels.computeIfAbsent(channel, c -> new ChannelState()).held = new ArrayList<>();
  }

  /**
   * Ends a recovery of {@code channel}: returns, in order, the frames of {@code missed} (the
   * history after the client's last message) not delivered live already, then those of the held
   * live messages not among them; from now on each event is followed by its position.
   */
  synchronized Finished finish(String channel, List<Message> missed) {
    ChannelState state = channels.computeIfAbsent(channel, c -> new ChannelState());
    state.positions = true;
    List<String> frames = new ArrayList<>();
    Set<String> sent = state.recent == null ? new HashSet<>() : new HashSet<>(state.recent);
    state.recent = null;  // Recovered once: a later recovery follows a new subscription.
    int recovered = 0;
    for (Message message : missed) {
      if (sent.add(message.id())) {
        recovered++;
        frames.add(Frames.channelEvent(message.event(), channel, Outbound.data(message),
            message.header(ChannelHub.USER_HEADER)));
        frames.add(position(channel, message));
      }
    }
    List<Live> held = state.held == null ? List.of() : state.held;
    state.held = null;
    for (Live live : held) {
      if (sent.add(live.message().id())) {
        frames.add(live.frame());
        frames.add(position(channel, live.message()));
      }
    }
    return new Finished(frames, recovered);
  }

  /** Ends a recovery that could not be done: the held messages, as they came. */
  synchronized List<String> abandon(String channel) {
    return finish(channel, List.of()).frames();
  }

  /** The channel was left: forget it. */
  synchronized void forget(String channel) {
    channels.remove(channel);
  }

  private static void remember(ChannelState state, String id) {
    if (state.recent == null) {
      return;
    }
    if (state.recent.size() >= REMEMBERED || System.nanoTime() - state.windowEnds > 0) {
      state.recent = null;  // Nobody asked in time: a later ask cannot be told what was sent.
      return;
    }
    state.recent.add(id);
  }

  /** {@code realtime:position}: what a client hands back to recover from this message on. */
  static String position(String channel, Message message) {
    ObjectNode data = Frames.JSON.createObjectNode();
    data.put("id", message.id());
    data.put("time", message.timestamp().toString());
    return Frames.channelEvent("realtime:position", channel, Frames.write(data));
  }
}
