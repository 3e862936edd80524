package dev.realtime.gateway;

import dev.realtime.config.ConfigOption;
import java.time.Duration;
import java.util.List;

/**
 * The gateway's settings, {@code realtime.gateway.*}, read by {@link
 * Gateway.Builder#config(dev.realtime.config.RealtimeConfig)} from every source {@code
 * RealtimeConfig} reads (properties, {@code REALTIME_GATEWAY_*} variables, system properties).
 * The app's credentials also come from Laravel's {@code PUSHER_APP_ID}, {@code PUSHER_APP_KEY}
 * and {@code PUSHER_APP_SECRET}, so one {@code .env} serves the application and its gateway.
 */
public final class GatewayOptions {
  public static final ConfigOption<String> APP_ID = ConfigOption.string(
      "realtime.gateway.app-id", null,
      "The Pusher app id: /apps/{id}/ in the HTTP API.").withEnvironmentAlias("PUSHER_APP_ID");

  public static final ConfigOption<String> APP_KEY = ConfigOption.string(
      "realtime.gateway.app-key", null,
      "The Pusher app key: browsers connect to /app/{key}.").withEnvironmentAlias("PUSHER_APP_KEY");

  public static final ConfigOption<String> APP_SECRET = ConfigOption.string(
      "realtime.gateway.app-secret", null,
      "The Pusher app secret, which signs subscriptions and HTTP API calls.")
      .secret().withEnvironmentAlias("PUSHER_APP_SECRET");

  public static final ConfigOption<String> HOST = ConfigOption.string(
      "realtime.gateway.host", "0.0.0.0", "The address the gateway listens on.");

  public static final ConfigOption<Integer> PORT = ConfigOption.integer(
      "realtime.gateway.port", 6001, "The port the gateway listens on (WebSocket and HTTP).")
      .range(0, 65_535);

  public static final ConfigOption<Duration> ACTIVITY_TIMEOUT = ConfigOption.duration(
      "realtime.gateway.activity-timeout", Duration.ofSeconds(120),
      "How long a connection may be silent before the gateway pings it; told to clients.")
      .range(Duration.ofSeconds(1), Duration.ofHours(1));

  public static final ConfigOption<Duration> PONG_TIMEOUT = ConfigOption.duration(
      "realtime.gateway.pong-timeout", Duration.ofSeconds(30),
      "How long a pinged connection has to answer before it is closed (4201).")
      .range(Duration.ofMillis(100), Duration.ofHours(1));

  public static final ConfigOption<Long> MAX_MESSAGE_BYTES = ConfigOption.size(
      "realtime.gateway.max-message-bytes", 10L * 1024,
      "The largest message a client may send, and the largest event data over HTTP.")
      .range(256L, 64L * 1024 * 1024);

  public static final ConfigOption<Integer> MAX_CONNECTIONS = ConfigOption.integer(
      "realtime.gateway.max-connections", 100_000,
      "Connections one node accepts; more are refused with 4100.").range(1, Integer.MAX_VALUE);

  public static final ConfigOption<Integer> MAX_CHANNELS_PER_CONNECTION = ConfigOption.integer(
      "realtime.gateway.max-channels-per-connection", 100,
      "Channels one connection may be subscribed to.").range(1, Integer.MAX_VALUE);

  public static final ConfigOption<Long> MAX_OUTBOUND_BYTES = ConfigOption.size(
      "realtime.gateway.max-outbound-bytes", 1024L * 1024,
      "Bytes queued for one slow client before it is disconnected (4100).")
      .range(1024L, (long) Integer.MAX_VALUE);

  public static final ConfigOption<Integer> CLIENT_EVENTS_PER_SECOND = ConfigOption.integer(
      "realtime.gateway.client-events-per-second", 10,
      "Client events one connection may send a second; more are refused (4301).")
      .range(1, 1_000_000);

  public static final ConfigOption<Integer> MAX_PRESENCE_MEMBERS = ConfigOption.integer(
      "realtime.gateway.max-presence-members", 100,
      "Users on one presence channel, across nodes.").range(1, 1_000_000);

  public static final ConfigOption<Duration> HEARTBEAT = ConfigOption.duration(
      "realtime.gateway.heartbeat", Duration.ofSeconds(5),
      "How often a node announces its channels and presence members to the others.")
      .range(Duration.ofMillis(10), Duration.ofMinutes(10));

  public static final ConfigOption<Duration> NODE_EXPIRY = ConfigOption.duration(
      "realtime.gateway.node-expiry", Duration.ofSeconds(15),
      "How long a node that stopped announcing still counts; then its presence members are"
          + " removed.").range(Duration.ofMillis(20), Duration.ofHours(1));

  public static final ConfigOption<String> NODES_CHANNEL = ConfigOption.string(
      "realtime.gateway.nodes-channel", null,
      "The channel the nodes of one app announce themselves on; realtime-gateway.app-<app id>"
          + " when not set.");

  public static final ConfigOption<Integer> MAX_RECOVERED_MESSAGES = ConfigOption.integer(
      "realtime.gateway.max-recovered-messages", 1000,
      "The most events one recovery sends; a client that missed more is told it was not"
          + " recovered.").range(1, 9900);

  public static final ConfigOption<String> API_TOKEN = ConfigOption.string(
      "realtime.gateway.api-token", null,
      "The bearer token of POST /send and /send-batch (at least 16 characters); without one they"
          + " are off.").secret();

  private GatewayOptions() {}

  /** Every gateway option. */
  public static List<ConfigOption<?>> all() {
    return List.of(APP_ID, APP_KEY, APP_SECRET, HOST, PORT, ACTIVITY_TIMEOUT, PONG_TIMEOUT,
        MAX_MESSAGE_BYTES, MAX_CONNECTIONS, MAX_CHANNELS_PER_CONNECTION, MAX_OUTBOUND_BYTES,
        CLIENT_EVENTS_PER_SECOND, MAX_PRESENCE_MEMBERS, HEARTBEAT, NODE_EXPIRY, NODES_CHANNEL,
        MAX_RECOVERED_MESSAGES, API_TOKEN);
  }
}
