package dev.realtime.benchmarks.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many Pusher protocol clients on one Netty event loop group: each connects, subscribes to one
 * channel and records when each round's event reaches it. Frames are read by substring, not
 * parsed: the client's own cost must stay small beside what is measured.
 */
final class FanoutClients implements AutoCloseable {
  private final EventLoopGroup group = new NioEventLoopGroup(1);
  private final List<Channel> channels = new ArrayList<>();
  private final long[][] arrivals;
  private final AtomicInteger[] received;
  private final AtomicInteger subscribed = new AtomicInteger();

  FanoutClients(int rounds) {
    arrivals = new long[rounds][];
    received = new AtomicInteger[rounds];
    for (int i = 0; i < rounds; i++) {
      received[i] = new AtomicInteger();
    }
  }

  /**
   * Connects {@code count} clients to {@code port}, all subscribing to {@code channel}; returns
   * once every one is subscribed.
   */
  void connect(int port, String key, String channel, int count, int total) throws Exception {
    for (int i = 0; i < arrivals.length; i++) {
      if (arrivals[i] == null) {
        arrivals[i] = new long[total];
      }
    }
    URI uri = URI.create("ws://127.0.0.1:" + port + "/app/" + key + "?protocol=7");
    int before = subscribed.get();
    // In batches: a burst of thousands of connects overflows the listen backlog.
    for (int started = 0; started < count; started += 500) {
      int batch = Math.min(500, count - started);
      CountDownLatch up = new CountDownLatch(batch);
      for (int i = 0; i < batch; i++) {
        int index = channels.size();
        channels.add(open(uri, channel, index, up));
      }
      if (!up.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("Only " + (batch - up.getCount()) + " of " + batch
            + " clients subscribed within 60 s");
      }
    }
    if (subscribed.get() - before != count) {
      throw new IllegalStateException("subscribed " + (subscribed.get() - before) + " of " + count);
    }
  }

  private Channel open(URI uri, String channel, int index, CountDownLatch up)
      throws InterruptedException {
    return new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65_536),
                new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(
                    uri, WebSocketVersion.V13, null, false, new DefaultHttpHeaders(), 65_536)),
                new Client(channel, index, up));
          }
        }).connect(uri.getHost(), uri.getPort()).sync().channel();
  }

  /** How many clients received round {@code round}. */
  int received(int round) {
    return received[round].get();
  }

  /** When each client received round {@code round} (System.nanoTime), 0 for none. */
  long[] arrivals(int round) {
    return arrivals[round];
  }

  @Override
  public void close() {
    channels.forEach(Channel::close);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Client extends SimpleChannelInboundHandler<TextWebSocketFrame> {
    private final String channel;
    private final int index;
    private final CountDownLatch up;

    Client(String channel, int index, CountDownLatch up) {
      this.channel = channel;
      this.index = index;
      this.up = up;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
      long now = System.nanoTime();
      String text = frame.text();
      int data = text.indexOf("\"data\":\"r");
      if (text.contains("\"event\":\"tick\"") && data >= 0) {
        int start = data + "\"data\":\"r".length();
        int round = Integer.parseInt(text.substring(start, text.indexOf('"', start)));
        arrivals[round][index] = now;
        received[round].incrementAndGet();
      } else if (text.contains("pusher:connection_established")) {
        ctx.writeAndFlush(new TextWebSocketFrame(
            "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\"}}"));
      } else if (text.contains("pusher_internal:subscription_succeeded")) {
        subscribed.incrementAndGet();
        up.countDown();
      }
    }
  }
}
