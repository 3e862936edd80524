package dev.realtime.gateway;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.HistoryQuery;
import dev.realtime.config.ConfigOption;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.gateway.internal.ChannelHub;
import dev.realtime.gateway.internal.GatewayHttpHandler;
import dev.realtime.gateway.internal.GatewayMetrics;
import dev.realtime.gateway.internal.GatewaySettings;
import dev.realtime.gateway.internal.HttpApi;
import dev.realtime.gateway.internal.NodeDirectory;
import dev.realtime.gateway.internal.NodeParts;
import dev.realtime.gateway.internal.SocketIds;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One gateway node: a server that browsers reach with a Pusher client ({@code pusher-js},
 * Laravel Echo) on WebSocket, and producers with Pusher's HTTP API, over any {@link Broker}.
 *
 * <pre>{@code
 * Gateway gateway = Gateway.builder()
 *     .broker(realtime.broker())
 *     .app(PusherApp.of("app-id", "app-key", "app-secret"))
 *     .port(6001)
 *     .start();
 * }</pre>
 *
 * <p>Nodes share nothing but the broker: run as many as the connections need, behind any load
 * balancer, and an event published on one node (or by any application with the SDK) reaches the
 * browsers on every node. {@link #close()} closes the node's connections and subscriptions, not
 * the broker, which belongs to the caller.
 */
public final class Gateway implements AutoCloseable {
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel server;
  private final ChannelHub hub;
  private final NodeDirectory directory;
  private final ExecutorService blocking;
  private final AtomicInteger connections;
  private final ChannelGroup sockets;
  private final InetSocketAddress address;

  private Gateway(EventLoopGroup boss, EventLoopGroup workers, Channel server, ChannelHub hub,
      NodeDirectory directory, ExecutorService blocking, NodeParts node) {
    this.boss = boss;
    this.workers = workers;
    this.server = server;
    this.hub = hub;
    this.directory = directory;
    this.blocking = blocking;
    this.connections = node.connections();
    this.sockets = node.sockets();
    this.address = (InetSocketAddress) server.localAddress();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The port this node listens on: the one asked for, or the one chosen for port 0. */
  public int port() {
    return address.getPort();
  }

  /** The WebSocket connections open now. */
  public int connections() {
    return connections.get();
  }

  /** The other gateway nodes this one has heard from within the node expiry. */
  public int otherNodes() {
    return directory.otherNodes();
  }

  /**
   * Closes the listening socket; tells every connection to reconnect (close code 4200, on which
   * pusher-js reconnects at once, through the load balancer to another node); tells the other
   * nodes, which remove this node's presence members at once; closes this node's subscriptions.
   */
  @Override
  public void close() {
    server.close().syncUninterruptibly();
    sockets.writeAndFlush(new CloseWebSocketFrame(4200, "The node is shutting down: reconnect"))
        .awaitUninterruptibly(2, TimeUnit.SECONDS);
    sockets.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    directory.close();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    hub.close();
    blocking.shutdownNow();
  }

  @Override
  public String toString() {
    return "Gateway{port=" + port() + ", connections=" + connections() + "}";
  }

  /** Settings of a node; {@link #broker} and {@link #app} are required. */
  public static final class Builder {
    private @Nullable Broker broker;
    private @Nullable PusherApp app;
    private String host = "0.0.0.0";
    private int port = 6001;
    private Duration activityTimeout = Duration.ofSeconds(120);
    private Duration pongTimeout = Duration.ofSeconds(30);
    private int maxMessageBytes = 10 * 1024;
    private int maxConnections = 100_000;
    private int maxChannelsPerConnection = 100;
    private int maxOutboundBytes = 1024 * 1024;
    private int clientEventsPerSecond = 10;
    private int maxPresenceMembers = 100;
    private Duration heartbeat = Duration.ofSeconds(5);
    private Duration nodeExpiry = Duration.ofSeconds(15);
    private @Nullable String nodesChannel;
    private int maxRecoveredMessages = 1000;
    private @Nullable String apiToken;
    private @Nullable MeterRegistry registry;

    private Builder() {}

    /**
     * Takes every {@code realtime.gateway.*} setting of {@code config} ({@link GatewayOptions}),
     * after checking that no key there is unknown; the app's id, key and secret are required.
     * Methods called after this one override what it set.
     *
     * @throws dev.realtime.config.ConfigurationException naming the setting that is missing,
     *     unknown or does not parse, and how to set it
     */
    public Builder config(RealtimeConfig config) {
      List<ConfigOption<?>> known = new ArrayList<>(Brokers.options());
      known.addAll(GatewayOptions.all());
      config.validate(known);
      app(PusherApp.of(config.require(GatewayOptions.APP_ID),
          config.require(GatewayOptions.APP_KEY), config.require(GatewayOptions.APP_SECRET)));
      host(config.get(GatewayOptions.HOST));
      port(config.get(GatewayOptions.PORT));
      activityTimeout(config.get(GatewayOptions.ACTIVITY_TIMEOUT));
      pongTimeout(config.get(GatewayOptions.PONG_TIMEOUT));
      maxMessageBytes(Math.toIntExact(config.get(GatewayOptions.MAX_MESSAGE_BYTES)));
      maxConnections(config.get(GatewayOptions.MAX_CONNECTIONS));
      maxChannelsPerConnection(config.get(GatewayOptions.MAX_CHANNELS_PER_CONNECTION));
      maxOutboundBytes(Math.toIntExact(config.get(GatewayOptions.MAX_OUTBOUND_BYTES)));
      clientEventsPerSecond(config.get(GatewayOptions.CLIENT_EVENTS_PER_SECOND));
      maxPresenceMembers(config.get(GatewayOptions.MAX_PRESENCE_MEMBERS));
      heartbeat(config.get(GatewayOptions.HEARTBEAT));
      nodeExpiry(config.get(GatewayOptions.NODE_EXPIRY));
      maxRecoveredMessages(config.get(GatewayOptions.MAX_RECOVERED_MESSAGES));
      String token = config.get(GatewayOptions.API_TOKEN);
      if (token != null && !token.isEmpty()) {
        apiToken(token);
      }
      String channel = config.get(GatewayOptions.NODES_CHANNEL);
      if (channel != null) {
        nodesChannel(channel);
      }
      return this;
    }

    /** The broker that carries events between nodes; the gateway does not close it. */
    public Builder broker(Broker broker) {
      this.broker = Objects.requireNonNull(broker, "broker == null");
      return this;
    }

    /** The Pusher application whose key browsers connect with. */
    public Builder app(PusherApp app) {
      this.app = Objects.requireNonNull(app, "app == null");
      return this;
    }

    /** The address to listen on; all interfaces ({@code 0.0.0.0}) by default. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host == null");
      return this;
    }

    /** The port; 6001 (Laravel Echo's default) by default, 0 for any free port. */
    public Builder port(int port) {
      this.port = check("port", port, 0, 65_535);
      return this;
    }

    /**
     * How long a connection may be silent before it is pinged; told to clients, which ping after
     * as long without a message. 120 s by default, as Pusher.
     */
    public Builder activityTimeout(Duration timeout) {
      this.activityTimeout = positive("activityTimeout", timeout);
      return this;
    }

    /** How long a pinged connection has to answer before it is closed (4201); 30 s by default. */
    public Builder pongTimeout(Duration timeout) {
      this.pongTimeout = positive("pongTimeout", timeout);
      return this;
    }

    /** The largest message a client may send and the largest HTTP body; 10 KiB by default. */
    public Builder maxMessageBytes(int bytes) {
      this.maxMessageBytes = check("maxMessageBytes", bytes, 256, 64 * 1024 * 1024);
      return this;
    }

    /** Connections this node accepts before refusing with 4100; 100,000 by default. */
    public Builder maxConnections(int connections) {
      this.maxConnections = check("maxConnections", connections, 1, Integer.MAX_VALUE);
      return this;
    }

    /** Channels one connection may be subscribed to; 100 by default. */
    public Builder maxChannelsPerConnection(int channels) {
      this.maxChannelsPerConnection =
          check("maxChannelsPerConnection", channels, 1, Integer.MAX_VALUE);
      return this;
    }

    /**
     * Bytes queued for one client before it is disconnected as too slow (4100); 1 MiB by
     * default.
     */
    public Builder maxOutboundBytes(int bytes) {
      this.maxOutboundBytes = check("maxOutboundBytes", bytes, 1024, Integer.MAX_VALUE);
      return this;
    }

    /** Client events one connection may send a second (4301 beyond); 10 by default, as Pusher. */
    public Builder clientEventsPerSecond(int events) {
      this.clientEventsPerSecond = check("clientEventsPerSecond", events, 1, 1_000_000);
      return this;
    }

    /** Users on one presence channel, across nodes; 100 by default, as Pusher. */
    public Builder maxPresenceMembers(int members) {
      this.maxPresenceMembers = check("maxPresenceMembers", members, 1, 1_000_000);
      return this;
    }

    /**
     * How often this node announces its channels and presence members to the other nodes; 5 s
     * by default.
     */
    public Builder heartbeat(Duration interval) {
      this.heartbeat = positive("heartbeat", interval);
      return this;
    }

    /**
     * How long a node that stopped announcing (killed, or cut off from the broker) still counts;
     * then its presence members are removed on every other node. 15 s by default, so members of
     * a node killed with -9 are gone within 16 s. Must be at least twice the heartbeat.
     */
    public Builder nodeExpiry(Duration expiry) {
      this.nodeExpiry = positive("nodeExpiry", expiry);
      return this;
    }

    /**
     * The channel the nodes announce themselves on; {@code realtime-gateway.app-<app id>} by
     * default, so that two apps on one broker do not mix. Every node of an app must use the same.
     */
    public Builder nodesChannel(String channel) {
      this.nodesChannel = dev.realtime.channel.Channel.of(channel).name();
      return this;
    }

    /**
     * The most events one recovery sends (docs/gateway.md, "Recovery"); a client that missed
     * more is told it was not recovered. 1,000 by default.
     */
    public Builder maxRecoveredMessages(int messages) {
      this.maxRecoveredMessages = check("maxRecoveredMessages", messages, 1,
          HistoryQuery.MAX_LIMIT - 100);
      return this;
    }

    /**
     * The bearer token of {@code POST /send} and {@code /send-batch}, the plain JSON endpoints;
     * without one they answer 403. Never logged.
     */
    public Builder apiToken(String token) {
      Objects.requireNonNull(token, "token == null");
      if (token.length() < 16) {
        throw new IllegalArgumentException("The API token is " + token.length() + " characters;"
            + " use at least 16 (openssl rand -hex 24 makes one)");
      }
      this.apiToken = token;
      return this;
    }

    /**
     * Where the node's meters go ({@code realtime.gateway.*}: connections, channels, deliveries,
     * slow clients...). A Prometheus registry is also what {@code GET /metrics} shows, so give
     * the one the broker's meters go to (through {@code MicrometerMetrics}) to see both there. By
     * default the node makes a Prometheus registry of its own.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry == null");
      return this;
    }

    /**
     * Starts the node and returns it once it listens.
     *
     * @throws IllegalStateException if no broker or app was given
     * @throws java.io.UncheckedIOException if the port cannot be bound
     */
    public Gateway start() {
      if (broker == null || app == null) {
        throw new IllegalStateException("A gateway needs " + (broker == null ? "a broker" : "")
            + (broker == null && app == null ? " and " : "") + (app == null ? "an app" : "")
            + ": Gateway.builder().broker(...).app(PusherApp.of(id, key, secret))");
      }
      if (nodeExpiry.compareTo(heartbeat.multipliedBy(2)) < 0) {
        throw new IllegalArgumentException("nodeExpiry " + nodeExpiry + " is less than twice"
            + " the heartbeat " + heartbeat + ": one late heartbeat would remove a live node's"
            + " members");
      }
      Broker broker = this.broker;
      GatewaySettings settings = new GatewaySettings(app, activityTimeout, pongTimeout,
          maxMessageBytes, maxConnections, maxChannelsPerConnection, maxOutboundBytes,
          clientEventsPerSecond, maxPresenceMembers, heartbeat, nodeExpiry,
          maxRecoveredMessages, apiToken);
      ChannelHub hub = new ChannelHub(broker);
      SocketIds socketIds = new SocketIds();
      NodeDirectory directory = new NodeDirectory(broker,
          dev.realtime.channel.Channel.of(nodesChannel()), socketIds.node(), heartbeat,
          nodeExpiry, hub::occupancy);
      directory.listener(hub);
      ExecutorService blocking = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "realtime-gateway-http");
        thread.setDaemon(true);
        return thread;
      });
      MeterRegistry meters = registry != null ? registry
          : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      Supplier<String> scrape = null;
      if (meters instanceof PrometheusMeterRegistry) {
        scrape = ((PrometheusMeterRegistry) meters)::scrape;
      }
      HttpApi api = new HttpApi(settings, broker, directory, blocking, scrape);
      AtomicInteger connections = new AtomicInteger();
      GatewayMetrics metrics = new GatewayMetrics(meters, connections, hub);
      api.metrics(metrics);
      EventLoopGroup boss = new NioEventLoopGroup(1);
      EventLoopGroup workers = new NioEventLoopGroup();
      NodeParts node = new NodeParts(settings, broker, hub, directory, api, metrics, socketIds,
          connections, new DefaultChannelGroup("websockets", GlobalEventExecutor.INSTANCE),
          blocking);
      Channel server;
      try {
        server = new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(maxOutboundBytes / 2, maxOutboundBytes))
            .childHandler(new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel channel) {
                channel.pipeline().addLast(new HttpServerCodec());
                channel.pipeline().addLast(new HttpObjectAggregator(maxMessageBytes * 4));
                channel.pipeline().addLast(
                    new GatewayHttpHandler(node));
              }
            })
            .bind(host, port)
            .syncUninterruptibly()
            .channel();
      } catch (RuntimeException e) {
        stop(workers, boss, hub, blocking);
        throw new java.io.UncheckedIOException(
            new java.io.IOException("The gateway could not listen on " + host + ":" + port
                + ": " + e.getMessage() + " (another process on the port? choose another with"
                + " port(...))", e));
      }
      try {
        directory.start();
      } catch (RuntimeException e) {
        // The broker refused the nodes' channel: said as the broker said it, not as a port.
        server.close().syncUninterruptibly();
        directory.close();
        stop(workers, boss, hub, blocking);
        throw e;
      }
      return new Gateway(boss, workers, server, hub, directory, blocking, node);
    }

    private static void stop(EventLoopGroup workers, EventLoopGroup boss, ChannelHub hub,
        ExecutorService blocking) {
      workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      hub.close();
      blocking.shutdownNow();
    }

    private String nodesChannel() {
      if (nodesChannel != null) {
        return nodesChannel;
      }
      String name = "realtime-gateway.app-" + app.id();
      try {
        return dev.realtime.channel.Channel.of(name).name();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("The app id " + app.id() + " cannot be part of a"
            + " channel name, so the nodes' channel cannot be named after it: give one with"
            + " nodesChannel(...), the same on every node", e);
      }
    }

    private static int check(String name, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(name + " is " + value + "; it must be between " + min
            + " and " + max);
      }
      return value;
    }

    private static Duration positive(String name, Duration value) {
      Objects.requireNonNull(value, name + " == null");
      if (value.isNegative() || value.isZero() || value.toMillis() < 1) {
        throw new IllegalArgumentException(name + " is " + value + "; it must be at least 1 ms");
      }
      return value;
    }
  }
}
