package dev.realtime.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Pusher protocol client for tests, on the JDK's WebSocket: it records every frame the gateway
 * sends and the close code, and answers nothing on its own (a test that wants pongs sends them).
 * The browser tests use the real pusher-js; this one reaches what a browser cannot, such as a
 * client that stops reading.
 */
final class PusherSocket implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration WAIT = Duration.ofSeconds(15);

  final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  /** Every frame {@link #next} took, in order. */
  final List<JsonNode> history = new java.util.concurrent.CopyOnWriteArrayList<>();
  final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final WebSocket socket;
  private final StringBuilder partial = new StringBuilder();
  private final boolean reading;

  private PusherSocket(URI uri, boolean reading) {
    this.reading = reading;
    this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(uri, new WebSocket.Listener() {
          @Override
          public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
          }

          @Override
          public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
              try {
                frames.add(JSON.readTree(partial.toString()));
              } catch (java.io.IOException e) {
                throw new AssertionError("The gateway sent a frame that is not JSON: " + partial);
              }
              partial.setLength(0);
            }
            if (PusherSocket.this.reading) {
              webSocket.request(1);
            }
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
          }

          @Override
          public void onError(WebSocket webSocket, Throwable error) {
            closeCode.completeExceptionally(error);
          }
        }).join();
  }

  /** Connects to {@code /app/{key}?protocol=7} of the gateway on {@code port}. */
  static PusherSocket connect(int port, String key) {
    return new PusherSocket(URI.create("ws://127.0.0.1:" + port + "/app/" + key
        + "?protocol=7&client=java&version=test"), true);
  }

  /** Connects to {@code path} (with its query) as it is. */
  static PusherSocket connectTo(int port, String pathAndQuery) {
    return new PusherSocket(URI.create("ws://127.0.0.1:" + port + pathAndQuery), true);
  }

  /** Connects, and reads only the first frame: a browser tab that stopped reading. */
  static PusherSocket connectNotReading(int port, String key) {
    return new PusherSocket(URI.create("ws://127.0.0.1:" + port + "/app/" + key
        + "?protocol=7"), false);
  }

  /** Reads {@code pusher:connection_established} and returns the socket id. */
  String established() throws InterruptedException {
    JsonNode frame = next(f -> f.path("event").asText().equals("pusher:connection_established"));
    JsonNode data = read(frame.path("data").asText());
    assertThat(data.path("activity_timeout").asInt()).isPositive();
    return data.path("socket_id").asText();
  }

  void send(String json) {
    socket.sendText(json, true).join();
  }

  void subscribe(String channel) {
    send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\"}}");
  }

  void subscribe(String channel, String auth) {
    send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel
        + "\",\"auth\":\"" + auth + "\"}}");
  }

  /** Subscribes and waits until the gateway says the subscription is live. */
  void subscribed(String channel) throws InterruptedException {
    subscribe(channel);
    awaitEvent("pusher_internal:subscription_succeeded", channel);
  }

  /** Subscribes to a private channel with {@code auth} and waits until it is live. */
  void subscribedPrivate(String channel, String auth) throws InterruptedException {
    subscribe(channel, auth);
    awaitEvent("pusher_internal:subscription_succeeded", channel);
  }

  /** The next frame with {@code event} on {@code channel}; fails after {@link #WAIT}. */
  JsonNode awaitEvent(String event, String channel) throws InterruptedException {
    return next(f -> f.path("event").asText().equals(event)
        && f.path("channel").asText().equals(channel));
  }

  /**
   * The next {@code count} application events, as {@code event@channel=data}: events of
   * different channels come in no particular order, so a test compares them as a set.
   */
  java.util.Set<String> awaitAppEvents(int count) throws InterruptedException {
    java.util.Set<String> events = new java.util.HashSet<>();
    for (int i = 0; i < count; i++) {
      JsonNode event = next(f -> !f.path("event").asText().startsWith("pusher")
          && !f.path("event").asText().startsWith("realtime:"));
      events.add(event.path("event").asText() + "@" + event.path("channel").asText() + "="
          + event.path("data").asText());
    }
    return events;
  }

  /** The next frame that {@code wanted} accepts, skipping others; fails after {@link #WAIT}. */
  JsonNode next(Predicate<JsonNode> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      JsonNode frame = frames.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
      if (frame == null) {
        throw new AssertionError("No such frame within " + WAIT + "; close code: "
            + closeCode.getNow(null));
      }
      history.add(frame);
      if (wanted.test(frame)) {
        return frame;
      }
    }
  }

  /** The close code the gateway sent; fails after {@link #WAIT}. */
  int awaitClose() throws Exception {
    return closeCode.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError("Not JSON: " + json, e);
    }
  }

  @Override
  public void close() {
    socket.abort();
  }
}
