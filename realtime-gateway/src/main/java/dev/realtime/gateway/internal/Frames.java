package dev.realtime.gateway.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The JSON texts of the Pusher protocol (version 7): {@code {"event", "channel", "data"}}.
 *
 * <p>The protocol's {@code data} is a string holding JSON for what the server sends on a channel
 * and for {@code pusher:connection_established}; pusher-js parses it back. {@code pusher:error}
 * carries an object. Both are as Pusher's own servers send them, since clients in the field
 * depend on exactly that.
 */
public final class Frames {
  static final ObjectMapper JSON = new ObjectMapper();

  private Frames() {}

  /** An event on {@code channel} whose data is the text {@code data}. */
  public static String channelEvent(String event, String channel, String data) {
    return channelEvent(event, channel, data, null);
  }

  /** An event on {@code channel}; {@code userId}, for client events on presence channels. */
  public static String channelEvent(String event, String channel, String data,
      @Nullable String userId) {
    ObjectNode frame = JSON.createObjectNode();
    frame.put("event", event);
    frame.put("channel", channel);
    frame.put("data", data);
    if (userId != null) {
      frame.put("user_id", userId);
    }
    return write(frame);
  }

  /** The members of a presence channel, as pusher-js reads them on subscription. */
  static String presenceSucceeded(String channel, Map<String, JsonNode> members) {
    ObjectNode presence = JSON.createObjectNode();
    ArrayNode ids = presence.putArray("ids");
    ObjectNode hash = presence.putObject("hash");
    members.forEach((user, info) -> {
      ids.add(user);
      hash.set(user, info);
    });
    presence.put("count", members.size());
    ObjectNode data = JSON.createObjectNode();
    data.set("presence", presence);
    return channelEvent("pusher_internal:subscription_succeeded", channel, write(data));
  }

  static String memberAdded(String channel, String user, JsonNode info) {
    ObjectNode data = JSON.createObjectNode();
    data.put("user_id", user);
    data.set("user_info", info);
    return channelEvent("pusher_internal:member_added", channel, write(data));
  }

  static String memberRemoved(String channel, String user) {
    ObjectNode data = JSON.createObjectNode();
    data.put("user_id", user);
    return channelEvent("pusher_internal:member_removed", channel, write(data));
  }

  static String connectionEstablished(String socketId, long activityTimeoutSeconds) {
    ObjectNode data = JSON.createObjectNode();
    data.put("socket_id", socketId);
    data.put("activity_timeout", activityTimeoutSeconds);
    ObjectNode frame = JSON.createObjectNode();
    frame.put("event", "pusher:connection_established");
    frame.put("data", write(data));
    return write(frame);
  }

  /** {@code pusher:error}; {@code code} is null for errors that do not close the connection. */
  static String error(@Nullable Integer code, String message) {
    ObjectNode data = JSON.createObjectNode();
    data.put("message", message);
    if (code == null) {
      data.putNull("code");
    } else {
      data.put("code", code);
    }
    ObjectNode frame = JSON.createObjectNode();
    frame.put("event", "pusher:error");
    frame.set("data", data);
    return write(frame);
  }

  /**
   * {@code pusher:subscription_error} on {@code channel}, as soketi and Reverb send it: pusher-js
   * hands it to the channel's {@code pusher:subscription_error} listeners.
   */
  static String subscriptionError(String channel, String type, String error, int status) {
    ObjectNode data = JSON.createObjectNode();
    data.put("type", type);
    data.put("error", error);
    data.put("status", status);
    ObjectNode frame = JSON.createObjectNode();
    frame.put("event", "pusher:subscription_error");
    frame.put("channel", channel);
    frame.set("data", data);
    return write(frame);
  }

  static String subscriptionSucceeded(String channel) {
    return channelEvent("pusher_internal:subscription_succeeded", channel, "{}");
  }

  /**
   * {@code realtime:recovered} on {@code channel}: whether everything missed since the client's
   * position was sent ({@code missed} events), or why not.
   */
  static String recovered(String channel, boolean recovered, int missed, @Nullable String reason) {
    ObjectNode data = JSON.createObjectNode();
    data.put("recovered", recovered);
    data.put("missed", missed);
    if (reason != null) {
      data.put("reason", reason);
    }
    return channelEvent("realtime:recovered", channel, write(data));
  }

  static String ping() {
    return "{\"event\":\"pusher:ping\",\"data\":{}}";
  }

  static String pong() {
    return "{\"event\":\"pusher:pong\",\"data\":{}}";
  }

  /**
   * Reads a frame from a client, or returns null if it is not a JSON object with a text {@code
   * event}.
   */
  static @Nullable JsonNode read(String text) {
    JsonNode frame = readObject(text);
    return frame != null && frame.path("event").isTextual() ? frame : null;
  }

  /** Reads a JSON object, or returns null if {@code text} is not one. */
  static @Nullable JsonNode readObject(String text) {
    try {
      JsonNode node = JSON.readTree(text);
      return node != null && node.isObject() ? node : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /**
   * The {@code data} of a client's frame as an object: pusher-js sends an object, some clients a
   * string holding one. Missing or unreadable data is an empty object.
   */
  static JsonNode dataObject(JsonNode frame) {
    JsonNode data = frame.path("data");
    if (data.isTextual()) {
      JsonNode parsed = readObject(data.asText());
      return parsed != null ? parsed : JSON.createObjectNode();
    }
    return data.isObject() ? data : JSON.createObjectNode();
  }

  static String write(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A JSON tree always serializes", e);
    }
  }
}
