package dev.realtime.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.realtime.Broker;
import dev.realtime.Capability;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelType;
import dev.realtime.subscription.StartPosition;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One browser's connection, speaking the Pusher protocol 7 once the WebSocket handshake is done.
 *
 * <p>Everything but {@link #deliver} runs on the connection's event loop, so the connection's
 * state needs no lock; what the hub reports from its threads is handed to the event loop first.
 *
 * <p>A slow reader is bounded by the channel's write-buffer high water mark ({@code
 * maxOutboundBytes}): a frame that finds the buffer full is not queued; the client is
 * disconnected with 4100, which tells pusher-js to reconnect after a back-off, rather than
 * buffered without end or dropped from silently.
 */
public final class PusherConnection extends SimpleChannelInboundHandler<WebSocketFrame>
    implements ChannelHub.Member {
  static final int OVER_CAPACITY = 4100;
  static final int PONG_NOT_RECEIVED = 4201;
  static final int CLIENT_EVENT_RATE_LIMIT = 4301;

  private static final String PRIVATE_ENCRYPTED_PREFIX = "private-encrypted-";
  /** Pusher's limit on channel names, before the SDK's own stricter one. */
  private static final int PUSHER_MAX_CHANNEL_LENGTH = 200;

  private final GatewaySettings settings;
  private final ChannelHub hub;
  private final Broker broker;
  private final String socketId;
  private final NodeDirectory directory;
  private final Set<String> channels = new HashSet<>();
  /** The channels whose subscription on this node is open, of those this connection is on. */
  private final Set<String> live = new HashSet<>();
  /** The user of each presence channel this connection subscribed to, by channel. */
  private final Map<String, PresenceUser> presence = new HashMap<>();
  private final RateLimit clientEvents;
  private final Recovery recovery = new Recovery();
  private final Executor blocking;
  private final GatewayMetrics metrics;
  // Set on the event loop, read by broker threads in deliver().
  private volatile @Nullable ChannelHandlerContext ctx;
  private @Nullable ScheduledFuture<?> pongDeadline;
  private volatile boolean closing;

  /** Who a connection is on a presence channel, from its signed {@code channel_data}. */
  private static final class PresenceUser {
    final String id;
    final JsonNode info;
    boolean joined;

    PresenceUser(String id, JsonNode info) {
      this.id = id;
      this.info = info;
    }
  }

  PusherConnection(NodeParts node, String socketId) {
    this.blocking = node.blocking();
    this.settings = node.settings();
    this.hub = node.hub();
    this.directory = node.directory();
    this.broker = node.broker();
    this.metrics = node.metrics();
    this.socketId = socketId;
    this.clientEvents = new RateLimit(settings.clientEventsPerSecond());
  }

  @Override
  public String socketId() {
    return socketId;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    ctx.writeAndFlush(new TextWebSocketFrame(Frames.connectionEstablished(
        socketId, activityTimeoutSeconds())));
  }

  /** The protocol counts in whole seconds; a shorter timeout (in tests) is told as one. */
  private long activityTimeoutSeconds() {
    long millis = settings.activityTimeout().toMillis();
    return Math.max(1, (millis + 999) / 1000);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    for (String channel : new ArrayList<>(channels)) {
      unsubscribe(channel);
    }
    ctx.fireChannelInactive();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    heardFrom();
    if (frame instanceof TextWebSocketFrame) {
      onText(((TextWebSocketFrame) frame).text());
    } else if (frame instanceof PingWebSocketFrame) {
      ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
    } else if (frame instanceof CloseWebSocketFrame) {
      ctx.writeAndFlush(new CloseWebSocketFrame(1000, ""))
          .addListener(ChannelFutureListener.CLOSE);
    }
    // Binary frames are not part of the protocol; pong frames only count as activity.
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent && pongDeadline == null) {
      // Silent for the activity timeout: ask, and close if it stays silent (Pusher's 4201).
      ctx.writeAndFlush(new TextWebSocketFrame(Frames.ping()));
      pongDeadline = ctx.executor().schedule(
          () -> close(PONG_NOT_RECEIVED, "Pong reply not received"),
          settings.pongTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  @Override
  public void deliver(String frame) {
    ChannelHandlerContext context = ctx;
    if (context == null || closing) {
      return;
    }
    if (!context.channel().isWritable()) {
      if (!closing) {
        metrics.slowClients.increment();
      }
      close(OVER_CAPACITY, "Over capacity: the client reads more slowly than its channels send");
      return;
    }
    context.writeAndFlush(new TextWebSocketFrame(frame), context.voidPromise());
  }

  @Override
  public void deliver(String channel, Message message, String frame) {
    metrics.delivered.increment();
    for (String each : recovery.live(channel, message, frame)) {
      deliver(each);
    }
  }

  @Override
  public void subscribed(String channel) {
    onLoop(() -> {
      if (!channels.contains(channel)) {
        return;
      }
      live.add(channel);
      PresenceUser user = presence.get(channel);
      if (user == null) {
        send(Frames.subscriptionSucceeded(channel));
        return;
      }
      if (!user.joined) {
        user.joined = true;
        directory.join(channel, user.id, user.info, socketId);
      }
      send(Frames.presenceSucceeded(channel, directory.members(channel)));
    });
  }

  @Override
  public void refused(String channel, String reason) {
    onLoop(() -> {
      if (channels.remove(channel)) {
        live.remove(channel);
        presence.remove(channel);
        send(Frames.subscriptionError(channel, "BrokerError", reason, 503));
      }
    });
  }

  private void onText(String text) {
    JsonNode frame = Frames.read(text);
    if (frame == null) {
      send(Frames.error(null, "Not a Pusher protocol message: a JSON object with an \"event\""));
      return;
    }
    String event = frame.get("event").asText();
    switch (event) {
      case "pusher:ping" -> send(Frames.pong());
      case "pusher:pong" -> { }
      case "pusher:subscribe" -> subscribe(Frames.dataObject(frame));
      case "pusher:unsubscribe" -> unsubscribe(Frames.dataObject(frame).path("channel").asText());
      case "realtime:recover" -> recover(frame);
      default -> {
        if (event.startsWith("client-")) {
          clientEvent(event, frame);
        }
        // Other pusher: events (signin, cache channels) are extensions this gateway does not
        // offer; the protocol has clients ignore what they do not know, and so does the server.
      }
    }
  }

  private void subscribe(JsonNode data) {
    String name = data.path("channel").asText("");
    String problem = nameProblem(name);
    if (problem != null) {
      send(Frames.subscriptionError(name, "InvalidChannel", problem, 400));
      return;
    }
    Channel channel = Channel.of(name);
    if (channel.type() != ChannelType.PUBLIC) {
      String signed = channel.type() == ChannelType.PRESENCE
          ? socketId + ":" + name + ":" + data.path("channel_data").asText("")
          : socketId + ":" + name;
      if (!authorized(signed, data.path("auth").asText(""))) {
        send(Frames.subscriptionError(name, "AuthError", "Invalid signature: the auth for "
            + name + " is not \"<app key>:<HMAC-SHA256 of " + (channel.type()
                == ChannelType.PRESENCE ? "socket_id:channel:channel_data" : "socket_id:channel")
            + ">\" signed with this app's secret", 401));
        return;
      }
    }
    if (channels.contains(name)) {
      // Already on it: say so again once it is live (now, if it is), as on the first time.
      if (live.contains(name)) {
        subscribed(name);
      }
      return;
    }
    if (channels.size() >= settings.maxChannelsPerConnection()) {
      send(Frames.subscriptionError(name, "LimitReached", "This connection is on "
          + channels.size() + " channels, the most this gateway allows", 400));
      return;
    }
    if (channel.type() == ChannelType.PRESENCE) {
      PresenceUser user = presenceUser(name, data.path("channel_data").asText(""));
      if (user == null) {
        return;
      }
      presence.put(name, user);
    }
    channels.add(name);
    recovery.subscribed(name);
    hub.join(channel, this);
  }

  /**
   * The user that signed {@code channel_data} names, or null after telling the client why there
   * is none or the channel is full.
   */
  private @Nullable PresenceUser presenceUser(String channel, String channelData) {
    JsonNode parsed = Frames.readObject(channelData);
    JsonNode id = parsed == null ? null : parsed.get("user_id");
    if (id == null || !(id.isTextual() || id.isIntegralNumber()) || id.asText().isEmpty()) {
      send(Frames.subscriptionError(channel, "InvalidChannelData", "channel_data must be a JSON"
          + " object with a user_id (text or number) and an optional user_info", 400));
      return null;
    }
    Map<String, JsonNode> members = directory.members(channel);
    if (!members.containsKey(id.asText()) && members.size() >= settings.maxPresenceMembers()) {
      send(Frames.subscriptionError(channel, "LimitReached", channel + " has "
          + members.size() + " members, the most this gateway allows on a presence channel",
          400));
      return null;
    }
    JsonNode info = parsed.path("user_info");
    return new PresenceUser(id.asText(), info.isMissingNode() ? Frames.JSON.nullNode() : info);
  }

  private void unsubscribe(String channel) {
    if (channels.remove(channel)) {
      live.remove(channel);
      hub.leave(channel, this);
      recovery.forget(channel);
      PresenceUser user = presence.remove(channel);
      if (user != null && user.joined) {
        directory.leave(channel, user.id);
      }
    }
  }

  /**
   * {@code realtime:recover} (docs/gateway.md, "Recovery"): from now on each event of the channel
   * is followed by its {@code realtime:position}; with {@code since}, a position the client was
   * given, first what the channel's history holds after it, then {@code realtime:recovered}
   * saying whether that was everything.
   */
  private void recover(JsonNode frame) {
    JsonNode data = Frames.dataObject(frame);
    String name = frame.path("channel").asText(data.path("channel").asText(""));
    if (!channels.contains(name)) {
      send(Frames.error(null, "realtime:recover for " + name + ": subscribe to it first"));
      return;
    }
    JsonNode since = data.path("since");
    if (!since.isObject()) {
      sendAll(recovery.finish(name, List.of()).frames());
      send(Frames.recovered(name, true, 0, null));
      return;
    }
    String unfilled = null;
    Instant time = null;
    try {
      time = Instant.parse(since.path("time").asText(""));
    } catch (DateTimeParseException e) {
      unfilled = "since.time is not the time of a realtime:position";
    }
    String lastId = since.path("id").asText("");
    if (!broker.capabilities().has(Capability.REPLAY)) {
      unfilled = "the " + broker.name() + " broker keeps no history to recover from";
    } else if (!recovery.canRecover(name)) {
      unfilled = "recovery must be asked right after subscribing: within 10 s and 100 events";
    }
    if (unfilled != null || lastId.isEmpty()) {
      sendAll(recovery.abandon(name));
      send(Frames.recovered(name, false, 0, unfilled != null ? unfilled
          : "since.id is not the id of a realtime:position"));
      return;
    }
    recovery.hold(name);
    Instant from = time;
    int most = settings.maxRecoveredMessages();
    blocking.execute(() -> {
      List<Message> missed = null;
      String reason;
      try {
        List<Message> history = broker.history(Channel.of(name),
            HistoryQuery.from(StartPosition.at(from)).limit(Math.min(HistoryQuery.MAX_LIMIT,
                most + Recovery.REMEMBERED)));
        int last = -1;
        for (int i = 0; i < history.size() && last < 0; i++) {
          if (history.get(i).id().equals(lastId)) {
            last = i;
          }
        }
        List<Message> after = last < 0 ? List.of() : history.subList(last + 1, history.size());
        if (last < 0) {
          reason = "the channel no longer keeps the last event you received";
        } else if (after.size() > most || history.size() == HistoryQuery.MAX_LIMIT) {
          reason = "more than " + most + " events were missed";
        } else {
          missed = after;
          reason = null;
        }
      } catch (RuntimeException e) {
        reason = "the broker's history could not be read: " + e.getMessage();
      }
      List<Message> found = missed;
      String why = reason;
      onLoop(() -> {
        if (found == null) {
          sendAll(recovery.abandon(name));
          send(Frames.recovered(name, false, 0, why));
        } else {
          Recovery.Finished finished = recovery.finish(name, found);
          sendAll(finished.frames());
          send(Frames.recovered(name, true, finished.missed(), null));
        }
      });
    });
  }

  private void sendAll(List<String> frames) {
    frames.forEach(this::deliver);
  }

  private void clientEvent(String event, JsonNode frame) {
    String name = frame.path("channel").asText("");
    if (!channels.contains(name)) {
      send(Frames.error(null, "Client event " + event + " rejected: this connection is not"
          + " subscribed to " + name));
      return;
    }
    if (Channel.of(name).type() == ChannelType.PUBLIC) {
      send(Frames.error(null, "Client event " + event + " rejected: client events are only"
          + " allowed on private and presence channels"));
      return;
    }
    if (!clientEvents.tryTake(System.nanoTime())) {
      send(Frames.error(CLIENT_EVENT_RATE_LIMIT, "Client event rejected due to rate limit: "
          + settings.clientEventsPerSecond() + " per second"));
      return;
    }
    JsonNode data = frame.path("data");
    PresenceUser user = presence.get(name);
    Message.Builder message = Message.builder()
        .channel(name)
        .event(event)
        .payload(data.isTextual() ? data.asText() : Frames.write(data))
        .contentType(Message.JSON)
        .header(ChannelHub.EXCLUDED_SOCKET_HEADER, socketId);
    if (user != null) {
      message.header(ChannelHub.USER_HEADER, user.id);
    }
    metrics.clientEvents.increment();
    broker.publish(message.build()).whenComplete((receipt, failure) -> {
      if (failure != null) {
        onLoop(() -> send(Frames.error(null, "Client event " + event + " was not published: "
            + failure.getMessage())));
      }
    });
  }

  private boolean authorized(String signed, String auth) {
    String expected = settings.app().key() + ":"
        + Signatures.hmacSha256Hex(settings.app().secret(), signed);
    return Signatures.matches(expected, auth);
  }

  /**
   * Why {@code name} cannot be a channel here, or null. Pusher allows 200 characters of {@code
   * A-Za-z0-9_-=@,.;}; the SDK's names are a subset, and a Pusher name is used as the SDK's
   * channel name unchanged, so that an application's {@code broadcast("private-user.1", ...)}
   * reaches the browsers on {@code private-user.1}. Names outside the subset are refused rather
   * than escaped: an escape would make the browser's name and the application's differ.
   */
  static @Nullable String nameProblem(String name) {
    if (name.isEmpty()) {
      return "The subscription names no channel";
    }
    if (name.length() > PUSHER_MAX_CHANNEL_LENGTH) {
      return "Channel names are at most " + PUSHER_MAX_CHANNEL_LENGTH + " characters";
    }
    if (name.startsWith(PRIVATE_ENCRYPTED_PREFIX)) {
      return "Encrypted channels (private-encrypted-) are not offered by this gateway";
    }
    try {
      Channel.of(name);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage() + " (this gateway uses Pusher channel names as the SDK's channel"
          + " names, so they follow the SDK's rules)";
    }
  }

  private void heardFrom() {
    ScheduledFuture<?> deadline = pongDeadline;
    if (deadline != null) {
      deadline.cancel(false);
      pongDeadline = null;
    }
  }

  private void send(String frame) {
    ChannelHandlerContext context = ctx;
    if (context != null) {
      context.writeAndFlush(new TextWebSocketFrame(frame), context.voidPromise());
    }
  }

  private void onLoop(Runnable action) {
    ChannelHandlerContext context = ctx;
    if (context == null) {
      return;
    }
    if (context.executor().inEventLoop()) {
      action.run();
    } else {
      context.executor().execute(action);
    }
  }

  /**
   * Closes with a Pusher code: the close frame tells pusher-js whether to reconnect. A client
   * that does not read is closed anyway a second later.
   */
  void close(int code, String reason) {
    ChannelHandlerContext context = ctx;
    if (context == null || closing) {
      return;
    }
    closing = true;
    io.netty.channel.Channel channel = context.channel();
    channel.writeAndFlush(new CloseWebSocketFrame(code, reason))
        .addListener(ChannelFutureListener.CLOSE);
    channel.eventLoop().schedule(() -> channel.close(), 1, TimeUnit.SECONDS);
  }
}
