package dev.realtime.gateway.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
    ObjectNode frame = JSON.createObjectNode();
    frame.put("event", event);
    frame.put("channel", channel);
    frame.put("data", data);
    return write(frame);
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
    try {
      JsonNode frame = JSON.readTree(text);
      return frame != null && frame.isObject() && frame.path("event").isTextual() ? frame : null;
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
      try {
        JsonNode parsed = JSON.readTree(data.asText());
        return parsed != null && parsed.isObject() ? parsed : JSON.createObjectNode();
      } catch (JsonProcessingException e) {
        return JSON.createObjectNode();
      }
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
