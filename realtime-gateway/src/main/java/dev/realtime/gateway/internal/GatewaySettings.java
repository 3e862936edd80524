package dev.realtime.gateway.internal;

import dev.realtime.gateway.PusherApp;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What one gateway node is configured with, checked by {@code Gateway.Builder}: the app, and the
 * limits that keep every per-connection and per-node cost bounded.
 *
 * @param activityTimeout told to clients in {@code pusher:connection_established}; a connection
 *     silent for this long is sent {@code pusher:ping}
 * @param pongTimeout how long after that ping a silent connection is closed (code 4201)
 * @param maxMessageBytes the largest WebSocket message a client may send, and the largest HTTP
 *     request body
 * @param maxConnections connections this node accepts; more are refused with code 4100
 * @param maxChannelsPerConnection subscriptions one connection may hold
 * @param maxOutboundBytes bytes queued for one slow client before it is disconnected (code 4100)
 * @param clientEventsPerSecond client events one connection may send per second (Pusher's
 *     limit is 10); more are refused with code 4301
 * @param maxPresenceMembers users on one presence channel (Pusher's limit is 100)
 * @param heartbeat how often a node announces its channels and presence members to the others
 * @param nodeExpiry how long a node that stopped announcing counts; then its members are removed
 * @param maxRecoveredMessages the most events one recovery sends; more missed is told as not
 *     recovered
 * @param apiToken the bearer token of {@code POST /send} and {@code /send-batch}; null turns them
 *     off
 */
public record GatewaySettings(
    PusherApp app,
    Duration activityTimeout,
    Duration pongTimeout,
    int maxMessageBytes,
    int maxConnections,
    int maxChannelsPerConnection,
    int maxOutboundBytes,
    int clientEventsPerSecond,
    int maxPresenceMembers,
    Duration heartbeat,
    Duration nodeExpiry,
    int maxRecoveredMessages,
    @Nullable String apiToken) {

  @Override
  public String toString() {
    return "GatewaySettings{app=" + app + ", apiToken=" + (apiToken == null ? "none" : "****")
        + "}";
  }
}
