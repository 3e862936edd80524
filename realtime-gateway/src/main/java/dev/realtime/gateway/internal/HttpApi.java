package dev.realtime.gateway.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.realtime.Broker;
import dev.realtime.Health;
import dev.realtime.Message;
import dev.realtime.PublishReceipt;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's HTTP endpoints, apart from the WebSocket upgrade: Pusher's signed REST API
 * ({@code POST /apps/{id}/events} and {@code /batch_events}), so Pusher's server SDKs publish
 * through the gateway unchanged, and {@code GET /health}.
 *
 * <p>An event is published once per channel, through the broker, and the call answers 200 only
 * when the broker has accepted every one: a 200 means every node will deliver it.
 */
public final class HttpApi {
  /** Pusher's limits on one call. */
  static final int MAX_CHANNELS_PER_EVENT = 100;
  static final int MAX_BATCH_EVENTS = 10;
  static final int MAX_EVENT_NAME_LENGTH = 200;

  /** A reply: status, body and its content type. */
  public record Reply(int status, String body, String contentType) {
    static final String JSON_TYPE = "application/json";

    Reply(int status, String json) {
      this(status, json, JSON_TYPE);
    }

    static Reply ok(String json) {
      return new Reply(200, json);
    }

    static Reply error(int status, String message) {
      ObjectNode body = Frames.JSON.createObjectNode();
      body.put("error", message);
      return new Reply(status, Frames.write(body));
    }
  }

  /** The most messages one {@code POST /send-batch} publishes. */
  static final int MAX_SEND_BATCH = 100;

  private final GatewaySettings settings;
  private final Broker broker;
  private final NodeDirectory directory;
  private final Executor blocking;
  private final @Nullable Supplier<String> scrape;
  private @Nullable GatewayMetrics metrics;

  /**
   * @param scrape the Prometheus text of the node's registry, or null when the meters go to a
   *     registry that is not Prometheus's ({@code GET /metrics} then says so)
   */
  public HttpApi(GatewaySettings settings, Broker broker, NodeDirectory directory,
      Executor blocking, @Nullable Supplier<String> scrape) {
    this.settings = settings;
    this.broker = broker;
    this.directory = directory;
    this.blocking = blocking;
    this.scrape = scrape;
  }

  /** Counts what the API publishes; set once the node's meters exist. */
  public void metrics(GatewayMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * Answers one request; the stage never completes exceptionally.
   *
   * @param headers the request's headers, names in lower case
   */
  public CompletionStage<Reply> handle(String method, String path, Map<String, String> query,
      Map<String, String> headers, byte[] body) {
    String appPrefix = "/apps/" + settings.app().id() + "/";
    if (path.equals("/health")) {
      return "GET".equals(method) ? health() : notAllowed(method, path);
    }
    if (path.equals("/metrics")) {
      return "GET".equals(method) ? done(metricsText()) : notAllowed(method, path);
    }
    if (path.equals("/send") || path.equals("/send-batch")) {
      if (!"POST".equals(method)) {
        return notAllowed(method, path);
      }
      String refused = tokenProblem(query, headers);
      if (refused != null) {
        return done(Reply.error(settings.apiToken() == null ? 403 : 401, refused));
      }
      return path.equals("/send") ? send(body) : sendBatch(body);
    }
    if (path.startsWith("/apps/")) {
      if (!path.startsWith(appPrefix)) {
        return done(Reply.error(404, "Unknown app: this gateway serves app "
            + settings.app().id()));
      }
      String problem = HttpApiAuth.problem(settings.app(), method, path, query, body,
          System.currentTimeMillis() / 1000);
      if (problem != null) {
        return done(Reply.error(401, problem));
      }
      String endpoint = path.substring(appPrefix.length());
      if (endpoint.equals("events")) {
        return "POST".equals(method) ? events(body) : notAllowed(method, path);
      }
      if (endpoint.equals("batch_events")) {
        return "POST".equals(method) ? batchEvents(body) : notAllowed(method, path);
      }
      if (endpoint.equals("channels") || endpoint.startsWith("channels/")) {
        return "GET".equals(method) ? done(channels(endpoint, query)) : notAllowed(method, path);
      }
    }
    return done(Reply.error(404, "No endpoint " + method + " " + path));
  }

  private CompletionStage<Reply> events(byte[] body) {
    JsonNode event = readObject(body);
    if (event == null) {
      return done(Reply.error(400, "The body is not a JSON object"));
    }
    List<Message> messages = new ArrayList<>();
    String problem = messages(event, true, messages);
    return problem != null ? done(Reply.error(400, problem)) : publish(messages);
  }

  /**
   * {@code POST /send}: {@code channel} or {@code channels}, {@code event}, {@code data} (any
   * JSON; a string is sent as it is) and an optional {@code socket_id} to leave out; the event
   * shape of Pusher's API with plain names, for producers without a Pusher SDK.
   */
  private CompletionStage<Reply> send(byte[] body) {
    JsonNode request = readObject(body);
    if (request == null) {
      return done(Reply.error(400, "The body is not a JSON object: {\"channel\", \"event\","
          + " \"data\"}"));
    }
    List<Message> messages = new ArrayList<>();
    String problem = messages(asEvent(request), true, messages);
    return problem != null ? done(Reply.error(400, problem)) : publishSent(messages);
  }

  /** {@code POST /send-batch}: {@code {"messages": [...]}}, each as {@code /send} takes it. */
  private CompletionStage<Reply> sendBatch(byte[] body) {
    JsonNode request = readObject(body);
    JsonNode batch = request == null ? null : request.get("messages");
    if (batch == null || !batch.isArray() || batch.isEmpty()) {
      return done(Reply.error(400, "The body is not {\"messages\": [...]} with at least one"));
    }
    if (batch.size() > MAX_SEND_BATCH) {
      return done(Reply.error(400, "A batch holds at most " + MAX_SEND_BATCH + " messages; this"
          + " one holds " + batch.size()));
    }
    List<Message> messages = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      String problem = messages(asEvent(batch.get(i)), true, messages);
      if (problem != null) {
        return done(Reply.error(400, "Message " + i + " of the batch: " + problem));
      }
    }
    return publishSent(messages);
  }

  /** A {@code /send} message as the Pusher event it is: {@code event} is Pusher's {@code name}. */
  private static JsonNode asEvent(JsonNode message) {
    if (!message.isObject() || message.has("name")) {
      return message;
    }
    ObjectNode event = ((ObjectNode) message).deepCopy();
    if (event.has("event")) {
      event.set("name", event.remove("event"));
    }
    return event;
  }

  /** Publishes and answers with the ids, which the SDK's subscribers see as the messages' ids. */
  private CompletionStage<Reply> publishSent(List<Message> messages) {
    return publish(messages).thenApply(reply -> {
      if (reply.status() != 200) {
        return reply;
      }
      ObjectNode body = Frames.JSON.createObjectNode();
      body.put("published", messages.size());
      var ids = body.putArray("ids");
      messages.forEach(message -> ids.add(message.id()));
      return Reply.ok(Frames.write(body));
    });
  }

  /** Why a {@code /send} call may not publish, or null: it must carry the API token. */
  private @Nullable String tokenProblem(Map<String, String> query, Map<String, String> headers) {
    String token = settings.apiToken();
    if (token == null) {
      return "POST /send is off: set realtime.gateway.api-token, and send it as"
          + " \"Authorization: Bearer <token>\"";
    }
    String authorization = headers.getOrDefault("authorization", "");
    String given = authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        ? authorization.substring(7).trim() : "";
    return Signatures.matches(token, given) ? null
        : "Missing or wrong API token: send \"Authorization: Bearer <realtime.gateway.api-token>\"";
  }

  private Reply metricsText() {
    if (scrape == null) {
      return Reply.error(404, "This node's meters go to the application's own registry, which"
          + " is not Prometheus's: read them there");
    }
    return new Reply(200, scrape.get(), "text/plain; version=0.0.4; charset=utf-8");
  }

  private CompletionStage<Reply> batchEvents(byte[] body) {
    JsonNode request = readObject(body);
    JsonNode batch = request == null ? null : request.get("batch");
    if (batch == null || !batch.isArray()) {
      return done(Reply.error(400, "The body is not {\"batch\": [events]}"));
    }
    if (batch.size() > MAX_BATCH_EVENTS) {
      return done(Reply.error(400, "A batch holds at most " + MAX_BATCH_EVENTS + " events; this"
          + " one holds " + batch.size()));
    }
    List<Message> messages = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      String problem = messages(batch.get(i), false, messages);
      if (problem != null) {
        return done(Reply.error(400, "Event " + i + " of the batch: " + problem));
      }
    }
    return publish(messages);
  }

  /**
   * Adds the messages {@code event} makes (one per channel), or returns what is wrong with it;
   * nothing of a call is published unless all of it is valid.
   */
  private @Nullable String messages(JsonNode event, boolean manyChannels, List<Message> into) {
    if (!event.isObject()) {
      return "an event is a JSON object";
    }
    String name = event.path("name").asText("");
    if (name.isEmpty() || name.length() > MAX_EVENT_NAME_LENGTH) {
      return "\"name\" must be 1 to " + MAX_EVENT_NAME_LENGTH + " characters";
    }
    JsonNode data = event.get("data");
    if (data == null || data.isNull()) {
      return "\"data\" is missing";
    }
    String text = data.isTextual() ? data.asText() : Frames.write(data);
    if (text.getBytes(StandardCharsets.UTF_8).length > settings.maxMessageBytes()) {
      return "\"data\" is over " + settings.maxMessageBytes() + " bytes";
    }
    List<String> channels = new ArrayList<>();
    JsonNode many = event.get("channels");
    if (manyChannels && many != null && many.isArray()) {
      many.forEach(channel -> channels.add(channel.asText("")));
    } else if (event.path("channel").isTextual()) {
      channels.add(event.get("channel").asText());
    }
    if (channels.isEmpty()) {
      return manyChannels ? "\"channels\" (or \"channel\") names no channel"
          : "\"channel\" is missing";
    }
    if (channels.size() > MAX_CHANNELS_PER_EVENT) {
      return "an event goes to at most " + MAX_CHANNELS_PER_EVENT + " channels";
    }
    String socketId = event.path("socket_id").asText(null);
    for (String channel : channels) {
      String problem = PusherConnection.nameProblem(channel);
      if (problem != null) {
        return "channel \"" + channel + "\": " + problem;
      }
      Message.Builder message = Message.builder()
          .channel(channel)
          .event(name)
          .payload(text)
          .contentType(isJson(text) ? Message.JSON : "text/plain; charset=utf-8");
      if (socketId != null) {
        message.header(ChannelHub.EXCLUDED_SOCKET_HEADER, socketId);
      }
      into.add(message.build());
    }
    return null;
  }

  private CompletionStage<Reply> publish(List<Message> messages) {
    CompletionStage<List<PublishReceipt>> published;
    try {
      published = broker.publishAll(messages);
    } catch (RuntimeException e) {
      return done(Reply.error(e instanceof IllegalArgumentException ? 400 : 503,
          "Not published: " + e.getMessage()));
    }
    GatewayMetrics counted = metrics;
    return published.handle((receipts, failure) -> {
      if (failure != null) {
        return Reply.error(503, "Not published (the broker refused; some channels may have the"
            + " event): " + cause(failure).getMessage());
      }
      if (counted != null) {
        counted.published.increment(messages.size());
      }
      return Reply.ok("{}");
    });
  }

  /**
   * {@code GET channels}, {@code channels/{name}} and {@code channels/{name}/users}: what every
   * node has, this node's channels as they are and the others' as of their last heartbeat.
   */
  private Reply channels(String endpoint, Map<String, String> query) {
    List<String> info = List.of(query.getOrDefault("info", "").split(","));
    if (endpoint.equals("channels")) {
      String prefix = query.getOrDefault("filter_by_prefix", "");
      if (info.contains("user_count") && !prefix.startsWith("presence-")) {
        return Reply.error(400, "info=user_count needs filter_by_prefix=presence-");
      }
      ObjectNode channels = Frames.JSON.createObjectNode();
      directory.occupied().keySet().stream().filter(name -> name.startsWith(prefix))
          .forEach(name -> {
            ObjectNode attributes = channels.putObject(name);
            if (info.contains("user_count")) {
              attributes.put("user_count", directory.members(name).size());
            }
          });
      ObjectNode body = Frames.JSON.createObjectNode();
      body.set("channels", channels);
      return Reply.ok(Frames.write(body));
    }
    String rest = endpoint.substring("channels/".length());
    boolean users = rest.endsWith("/users");
    String name = users ? rest.substring(0, rest.length() - "/users".length()) : rest;
    boolean isPresence = name.startsWith("presence-");
    if (users || info.contains("user_count")) {
      if (!isPresence) {
        return Reply.error(400, "Users are counted only on presence channels; " + name
            + " is not one");
      }
    }
    if (users) {
      ObjectNode body = Frames.JSON.createObjectNode();
      var list = body.putArray("users");
      directory.members(name).keySet().forEach(user -> list.addObject().put("id", user));
      return Reply.ok(Frames.write(body));
    }
    int connections = directory.occupied().getOrDefault(name, 0);
    ObjectNode body = Frames.JSON.createObjectNode();
    body.put("occupied", connections > 0);
    if (info.contains("user_count")) {
      body.put("user_count", directory.members(name).size());
    }
    if (info.contains("subscription_count")) {
      body.put("subscription_count", connections);
    }
    return Reply.ok(Frames.write(body));
  }

  private CompletionStage<Reply> health() {
    return CompletableFuture.supplyAsync(() -> {
      Health health = broker.health();
      ObjectNode body = Frames.JSON.createObjectNode();
      body.put("status", health.isUp() ? "UP" : "DOWN");
      body.put("broker", health.broker());
      body.put("detail", health.detail());
      return new Reply(health.isUp() ? 200 : 503, Frames.write(body));
    }, blocking);
  }

  private static CompletionStage<Reply> notAllowed(String method, String path) {
    return done(Reply.error(405, method + " is not allowed on " + path));
  }

  private static CompletionStage<Reply> done(Reply reply) {
    return CompletableFuture.completedFuture(reply);
  }

  private static @Nullable JsonNode readObject(byte[] body) {
    try {
      JsonNode node = Frames.JSON.readTree(body);
      return node != null && node.isObject() ? node : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private static boolean isJson(String text) {
    try {
      Frames.JSON.readTree(text);
      return !text.isBlank();
    } catch (JsonProcessingException e) {
      return false;
    }
  }

  private static Throwable cause(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
  }
}
