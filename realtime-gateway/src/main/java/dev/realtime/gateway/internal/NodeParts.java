package dev.realtime.gateway.internal;

import dev.realtime.Broker;
import io.netty.channel.group.ChannelGroup;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one gateway node is made of, shared by all its connections: made once by {@code
 * Gateway.Builder.start()} and handed to every connection's handlers.
 *
 * @param blocking threads for what may block (history reads, health checks), never an event loop
 * @param connections the WebSocket connections open now
 * @param sockets those connections, to tell them all when the node closes
 */
public record NodeParts(
    GatewaySettings settings,
    Broker broker,
    ChannelHub hub,
    NodeDirectory directory,
    HttpApi api,
    GatewayMetrics metrics,
    SocketIds socketIds,
    AtomicInteger connections,
    ChannelGroup sockets,
    Executor blocking) {}
