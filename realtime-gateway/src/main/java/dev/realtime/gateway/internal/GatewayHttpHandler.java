package dev.realtime.gateway.internal;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.timeout.IdleStateHandler;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The first handler of every connection: an HTTP request is either the WebSocket upgrade to
 * {@code /app/{key}}, after which the connection speaks the Pusher protocol ({@link
 * PusherConnection}), or a call to the {@link HttpApi}.
 *
 * <p>A WebSocket for an unknown key or protocol version is accepted and then closed with the
 * protocol's code (4001, 4006-4008, 4100 when the node is full), as Pusher does: a browser cannot
 * read an HTTP refusal of an upgrade, but pusher-js reads the close code and knows whether to
 * retry.
 */
public final class GatewayHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  static final int APP_NOT_FOUND = 4001;
  static final int INVALID_VERSION = 4006;
  static final int UNSUPPORTED_PROTOCOL = 4007;
  static final int NO_PROTOCOL = 4008;

  private final NodeParts node;
  private final GatewaySettings settings;

  public GatewayHttpHandler(NodeParts node) {
    this.node = node;
    this.settings = node.settings();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    String path = uri.path();
    if (path.startsWith("/app/")
        && request.headers().containsValue(HttpHeaderNames.UPGRADE, "websocket", true)) {
      upgrade(ctx, request, path.substring("/app/".length()), uri.parameters());
      return;
    }
    Map<String, String> query = new HashMap<>();
    uri.parameters().forEach((key, values) -> query.put(key, values.get(0)));
    Map<String, String> headers = new HashMap<>();
    request.headers().forEach(header -> headers.put(
        header.getKey().toLowerCase(java.util.Locale.ROOT), header.getValue()));
    byte[] body = ByteBufUtil.getBytes(request.content());
    String method = request.method().name();
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    node.api().handle(method, path, query, headers, body).thenAccept(reply -> {
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.valueOf(reply.status()),
          Unpooled.copiedBuffer(reply.body(), StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
      HttpUtil.setContentLength(response, response.content().readableBytes());
      HttpUtil.setKeepAlive(response, keepAlive);
      if (keepAlive) {
        ctx.writeAndFlush(response);
      } else {
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    });
  }

  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, String key,
      Map<String, List<String>> parameters) {
    WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
        "ws://" + request.headers().get(HttpHeaderNames.HOST) + request.uri(), null, true,
        settings.maxMessageBytes()).newHandshaker(request);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return;
    }
    Integer refusal = refusal(key, parameters);
    handshaker.handshake(ctx.channel(), request).addListener(done -> {
      if (!done.isSuccess()) {
        ctx.close();
        return;
      }
      if (refusal != null) {
        node.metrics().refusedConnections.increment();
        refuse(ctx, refusal, refusalMessage(refusal, key));
        return;
      }
      AtomicInteger connections = node.connections();
      if (connections.incrementAndGet() > settings.maxConnections()) {
        connections.decrementAndGet();
        node.metrics().refusedConnections.increment();
        refuse(ctx, PusherConnection.OVER_CAPACITY, "Over capacity: this gateway node holds "
            + settings.maxConnections() + " connections, its most");
        return;
      }
      ctx.channel().closeFuture().addListener(closed -> connections.decrementAndGet());
      node.sockets().add(ctx.channel());
      ctx.pipeline().addLast(new WebSocketFrameAggregator(settings.maxMessageBytes()));
      ctx.pipeline().addLast(new IdleStateHandler(
          settings.activityTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
      ctx.pipeline().addLast(new PusherConnection(node, node.socketIds().next()));
      ctx.pipeline().remove(this);
    });
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A client that went away mid-request, or a request Netty could not decode: nothing to
    // answer, and nothing the node's log should carry for every broken client.
    ctx.close();
  }

  /** The close code that refuses this connection, or null to accept it. */
  private @Nullable Integer refusal(String key, Map<String, List<String>> parameters) {
    if (!settings.app().key().equals(key)) {
      return APP_NOT_FOUND;
    }
    List<String> protocol = parameters.get("protocol");
    if (protocol == null || protocol.isEmpty()) {
      return NO_PROTOCOL;
    }
    int version;
    try {
      version = Integer.parseInt(protocol.get(0));
    } catch (NumberFormatException e) {
      return INVALID_VERSION;
    }
    // 5 to 7 share everything this gateway speaks; pusher-js 8 sends 7.
    return version >= 5 && version <= 7 ? null : UNSUPPORTED_PROTOCOL;
  }

  private String refusalMessage(int code, String key) {
    return switch (code) {
      case APP_NOT_FOUND -> "App key " + key + " not in use: this gateway serves app key "
          + settings.app().key();
      case NO_PROTOCOL -> "No protocol version supplied: connect to /app/{key}?protocol=7";
      case INVALID_VERSION -> "Invalid version string format: protocol must be a number";
      default -> "Unsupported protocol version: this gateway speaks protocols 5 to 7";
    };
  }

  private void refuse(ChannelHandlerContext ctx, int code, String message) {
    ctx.writeAndFlush(new TextWebSocketFrame(Frames.error(code, message)));
    ctx.writeAndFlush(new CloseWebSocketFrame(code, message))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
