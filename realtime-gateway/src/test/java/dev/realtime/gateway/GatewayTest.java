package dev.realtime.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.Message;
import dev.realtime.Realtime;
import dev.realtime.channel.Channel;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two gateway nodes, each with a broker connection of its own to the machine's Redis, as two
 * servers behind a load balancer would be; a Pusher protocol client on the JDK's WebSocket.
 */
class GatewayTest {
  static final PusherApp APP = GatewayNodes.APP;

  @RegisterExtension final GatewayNodes nodes = new GatewayNodes();
  private Gateway a;
  private Gateway b;

  @BeforeEach
  void twoNodes() {
    a = nodes.node();
    b = nodes.node();
  }

  @Test
  void anEventPostedToOneNodeReachesASubscriberOnTheOther() throws Exception {
    String channel = channel("news");
    PusherSocket browser = socket(a);
    browser.established();
    browser.subscribed(channel);

    HttpResponse<String> response = PusherHttp.post(b.port(), APP, "events",
        "{\"name\":\"headline\",\"channels\":[\"" + channel + "\"],\"data\":\"{\\\"title\\\":"
            + "\\\"Hello\\\"}\"}");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(dataField(browser.awaitEvent("headline", channel), "title")).isEqualTo("Hello");
  }

  @Test
  void anApplicationsBroadcastWithTheSdkReachesTheBrowser() throws Exception {
    String channel = channel("private-user");
    PusherSocket browser = socket(a);
    String socketId = browser.established();
    browser.subscribedPrivate(channel, PusherHttp.auth(APP, socketId, channel));

    Realtime realtime = Realtime.builder().broker(broker()).build();
    realtime.broadcast(channel, "notification", Map.of("title", "Your order shipped"))
        .toCompletableFuture().join();

    assertThat(dataField(browser.awaitEvent("notification", channel), "title"))
        .isEqualTo("Your order shipped");
  }

  @Test
  void aBatchReachesEveryChannelAndASocketIdIsLeftOut() throws Exception {
    String one = channel("one");
    String two = channel("two");
    PusherSocket sender = socket(a);
    String senderId = sender.established();
    sender.subscribed(one);
    PusherSocket other = socket(b);
    other.established();
    other.subscribed(one);
    other.subscribed(two);

    HttpResponse<String> response = PusherHttp.post(a.port(), APP, "batch_events",
        "{\"batch\":[{\"name\":\"first\",\"channel\":\"" + one + "\",\"data\":\"1\",\"socket_id\":\""
            + senderId + "\"},{\"name\":\"second\",\"channel\":\"" + two + "\",\"data\":\"2\"}]}");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(other.awaitAppEvents(2)).containsExactlyInAnyOrder("first@" + one + "=1",
        "second@" + two + "=2");
    // The sender's own echo would have come before the other node's copy of "second".
    PusherHttp.post(a.port(), APP, "events",
        "{\"name\":\"marker\",\"channel\":\"" + one + "\",\"data\":\"m\"}");
    JsonNode next = sender.next(f -> f.path("channel").asText().equals(one)
        && !f.path("event").asText().startsWith("pusher"));
    assertThat(next.path("event").asText()).isEqualTo("marker");
  }

  @Test
  void aCallNotSignedWithTheAppSecretIsRefusedAndPublishesNothing() throws Exception {
    String channel = channel("refused");
    long now = System.currentTimeMillis() / 1000;
    String body = "{\"name\":\"e\",\"channel\":\"" + channel + "\",\"data\":\"x\"}";

    HttpResponse<String> badSecret = PusherHttp.post(a.port(), APP, "not-the-secret", "events",
        body, now);
    HttpResponse<String> stale = PusherHttp.post(a.port(), APP, APP.secret(), "events", body,
        now - 3600);

    assertThat(badSecret.statusCode()).isEqualTo(401);
    assertThat(badSecret.body()).contains("Invalid signature").doesNotContain(APP.secret());
    assertThat(stale.statusCode()).isEqualTo(401);
    assertThat(stale.body()).contains("auth_timestamp");
    try (Broker broker = Brokers.open(nodes.config())) {
      assertThat(broker.history(Channel.of(channel), dev.realtime.HistoryQuery.earliest())).isEmpty();
    }
  }

  @Test
  void aBadBodyIsRefusedWithTheReason() throws Exception {
    HttpResponse<String> noData = PusherHttp.post(a.port(), APP, "events",
        "{\"name\":\"e\",\"channel\":\"c\"}");
    HttpResponse<String> badChannel = PusherHttp.post(a.port(), APP, "events",
        "{\"name\":\"e\",\"channel\":\"a@b\",\"data\":\"x\"}");

    assertThat(noData.statusCode()).isEqualTo(400);
    assertThat(noData.body()).contains("\\\"data\\\" is missing");
    assertThat(badChannel.statusCode()).isEqualTo(400);
    assertThat(badChannel.body()).contains("a@b").contains("SDK's rules");
  }

  @Test
  void sendPublishesPlainJsonWithTheApiTokenAndOnlyWithIt() throws Exception {
    String token = "a-token-of-24-characters";
    Gateway open = node(builder -> builder.apiToken(token));
    String one = channel("plain");
    String two = channel("plain");
    PusherSocket browser = socket(a);
    browser.established();
    browser.subscribed(one);
    browser.subscribed(two);

    HttpResponse<String> off = PusherHttp.postJson(a.port(), "/send", "{}", null);
    HttpResponse<String> wrong = PusherHttp.postJson(open.port(), "/send", "{}", "not-it");
    HttpResponse<String> sent = PusherHttp.postJson(open.port(), "/send", "{\"channel\":\""
        + one + "\",\"event\":\"note\",\"data\":{\"text\":\"hi\"}}", token);
    HttpResponse<String> batch = PusherHttp.postJson(open.port(), "/send-batch",
        "{\"messages\":[{\"channel\":\"" + one + "\",\"event\":\"first\",\"data\":1},"
            + "{\"channels\":[\"" + two + "\"],\"event\":\"second\",\"data\":\"2\"}]}", token);

    assertThat(off.statusCode()).isEqualTo(403);
    assertThat(off.body()).contains("realtime.gateway.api-token");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).doesNotContain(token);
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    assertThat(PusherSocket.read(sent.body()).path("ids")).hasSize(1);
    assertThat(dataField(browser.awaitEvent("note", one), "text")).isEqualTo("hi");
    assertThat(batch.statusCode()).as(batch.body()).isEqualTo(200);
    assertThat(browser.awaitAppEvents(2)).containsExactlyInAnyOrder("first@" + one + "=1",
        "second@" + two + "=2");
  }

  @Test
  void metricsShowConnectionsAndDeliveriesInPrometheusText() throws Exception {
    String channel = channel("metered");
    PusherSocket browser = socket(a);
    browser.established();
    browser.subscribed(channel);
    PusherHttp.post(a.port(), APP, "events",
        "{\"name\":\"e\",\"channel\":\"" + channel + "\",\"data\":\"x\"}");
    browser.awaitEvent("e", channel);

    HttpResponse<String> metrics = PusherHttp.get(a.port(), "/metrics");

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
    assertThat(metrics.body()).contains("realtime_gateway_connections 1.0")
        .contains("realtime_gateway_channels 1.0").contains("realtime_gateway_delivered_total 1.0")
        .contains("realtime_gateway_http_published_total 1.0");
  }

  @Test
  void healthReportsTheBroker() throws Exception {
    HttpResponse<String> health = PusherHttp.get(a.port(), "/health");

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(PusherSocket.read(health.body()).path("broker").asText()).isEqualTo("redis");
  }

  @Test
  void aPrivateChannelNeedsTheAppsSignatureForThisSocket() throws Exception {
    String channel = channel("private-account");
    PusherSocket browser = socket(a);
    String socketId = browser.established();

    browser.subscribe(channel, PusherHttp.auth(APP, "1.1", channel));  // another socket's
    JsonNode refused = browser.awaitEvent("pusher:subscription_error", channel);
    browser.subscribe(channel, PusherHttp.auth(APP, socketId, channel));

    assertThat(refused.path("data").path("status").asInt()).isEqualTo(401);
    browser.awaitEvent("pusher_internal:subscription_succeeded", channel);
  }

  @Test
  void clientEventsReachOtherMembersOnOtherNodesButNotTheSender() throws Exception {
    String channel = channel("private-chat");
    PusherSocket alice = socket(a);
    String aliceId = alice.established();
    alice.subscribedPrivate(channel, PusherHttp.auth(APP, aliceId, channel));
    PusherSocket bob = socket(b);
    String bobId = bob.established();
    bob.subscribedPrivate(channel, PusherHttp.auth(APP, bobId, channel));

    alice.send("{\"event\":\"client-typing\",\"channel\":\"" + channel
        + "\",\"data\":{\"who\":\"alice\"}}");
    bob.send("{\"event\":\"client-typing\",\"channel\":\"" + channel
        + "\",\"data\":{\"who\":\"bob\"}}");

    assertThat(dataField(bob.awaitEvent("client-typing", channel), "who")).isEqualTo("alice");
    assertThat(dataField(alice.awaitEvent("client-typing", channel), "who")).isEqualTo("bob");
  }

  @Test
  void clientEventsArePrivateAndRateLimited() throws Exception {
    Gateway limited = node(builder -> builder.clientEventsPerSecond(3));
    String open = channel("lobby");
    String closed = channel("private-room");
    PusherSocket browser = socket(limited);
    String socketId = browser.established();
    browser.subscribed(open);
    browser.subscribedPrivate(closed, PusherHttp.auth(APP, socketId, closed));

    browser.send("{\"event\":\"client-x\",\"channel\":\"" + open + "\",\"data\":{}}");
    assertThat(browser.next(f -> f.path("event").asText().equals("pusher:error"))
        .path("data").path("message").asText()).contains("only allowed on private");
    for (int i = 0; i < 10; i++) {
      browser.send("{\"event\":\"client-x\",\"channel\":\"" + closed + "\",\"data\":{}}");
    }
    JsonNode limit = browser.next(f -> f.path("event").asText().equals("pusher:error"));
    assertThat(limit.path("data").path("code").asInt()).isEqualTo(4301);
  }

  @Test
  void aNodeThatIsFullRefusesWith4100AndAConnectionOnTooManyChannelsIsToldSo() throws Exception {
    Gateway small = node(builder -> builder.maxConnections(1).maxChannelsPerConnection(1));
    PusherSocket first = socket(small);
    first.established();
    first.subscribed(channel("one"));
    String two = channel("two");

    first.subscribe(two);
    PusherSocket second = socket(small);

    assertThat(first.awaitEvent("pusher:subscription_error", two).path("data").path("type")
        .asText()).isEqualTo("LimitReached");
    assertThat(second.next(f -> f.path("event").asText().equals("pusher:error"))
        .path("data").path("code").asInt()).isEqualTo(4100);
    assertThat(second.awaitClose()).isEqualTo(4100);
  }

  @Test
  void aClientMessageOverTheLimitClosesTheConnectionWith1009() throws Exception {
    Gateway small = node(builder -> builder.maxMessageBytes(256));
    PusherSocket browser = socket(small);
    browser.established();

    browser.send("{\"event\":\"pusher:ping\",\"data\":\"" + "x".repeat(300) + "\"}");

    assertThat(browser.awaitClose()).isEqualTo(1009);
  }

  @Test
  void aNodeThatClosesTellsItsClientsToReconnectAtOnce() throws Exception {
    Gateway closing = node(builder -> builder);
    PusherSocket browser = socket(closing);
    browser.established();

    closing.close();

    assertThat(browser.awaitClose()).isEqualTo(4200);
  }

  @Test
  void aWrongKeyOrProtocolIsClosedWithThePusherCode() throws Exception {
    assertThat(closeCodeOf("/app/not-the-key?protocol=7")).isEqualTo(4001);
    assertThat(closeCodeOf("/app/" + APP.key())).isEqualTo(4008);
    assertThat(closeCodeOf("/app/" + APP.key() + "?protocol=seven")).isEqualTo(4006);
    assertThat(closeCodeOf("/app/" + APP.key() + "?protocol=3")).isEqualTo(4007);
  }

  @Test
  void aChannelNameTheSdkCannotCarryIsRefusedWithTheReason() throws Exception {
    PusherSocket browser = socket(a);
    browser.established();

    browser.subscribe("chat@room");
    browser.subscribe("x".repeat(201));

    assertThat(browser.awaitEvent("pusher:subscription_error", "chat@room")
        .path("data").path("error").asText()).contains("SDK's rules");
    assertThat(browser.awaitEvent("pusher:subscription_error", "x".repeat(201))
        .path("data").path("error").asText()).contains("at most 200");
  }

  @Test
  void aConnectionThatStaysSilentAfterAPingIsClosed() throws Exception {
    Gateway impatient = node(builder -> builder
        .activityTimeout(Duration.ofMillis(300)).pongTimeout(Duration.ofMillis(300)));
    PusherSocket browser = socket(impatient);
    browser.established();

    browser.next(f -> f.path("event").asText().equals("pusher:ping"));

    assertThat(browser.awaitClose()).isEqualTo(4201);
  }

  @Test
  void aClientThatStopsReadingIsDisconnectedAndTheNodeServesTheOthers() throws Exception {
    Gateway bounded = node(builder -> builder.maxOutboundBytes(64 * 1024));
    String firehose = channel("firehose");
    String quiet = channel("quiet");
    PusherSocket stalled = nodes.socketNotReading(bounded);
    stalled.subscribe(firehose);
    PusherSocket reader = socket(bounded);
    reader.established();
    reader.subscribed(quiet);
    await().atMost(PusherSocket.WAIT).until(() -> bounded.connections() == 2);

    // Publishes until the stalled socket is gone: it reads nothing, not even its
    // subscription_succeeded, so this covers the time its subscription takes to open; and the
    // kernel's socket buffers (megabytes on loopback) fill before the gateway's 64 KiB do, so a
    // fixed number of messages would depend on the kernel's tuning.
    Broker broker = broker();
    String payload = "x".repeat(8000);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (bounded.connections() == 2 && System.nanoTime() < deadline) {
      List<Message> batch = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        batch.add(Message.builder().channel(firehose).event("tick").payload(payload)
            .contentType("text/plain").build());
      }
      broker.publishAll(batch).toCompletableFuture().join();
    }

    assertThat(bounded.connections()).isEqualTo(1);
    PusherHttp.post(bounded.port(), APP, "events",
        "{\"name\":\"after\",\"channel\":\"" + quiet + "\",\"data\":\"still here\"}");
    assertThat(reader.awaitEvent("after", quiet).path("data").asText()).isEqualTo("still here");
  }

  /** A field of the JSON text an event's data holds. */
  private static String dataField(JsonNode event, String field) {
    return PusherSocket.read(event.path("data").asText()).path(field).asText();
  }

  private int closeCodeOf(String pathAndQuery) throws Exception {
    try (PusherSocket socket = PusherSocket.connectTo(a.port(), pathAndQuery)) {
      JsonNode error = socket.next(f -> f.path("event").asText().equals("pusher:error"));
      int code = socket.awaitClose();
      assertThat(error.path("data").path("code").asInt()).isEqualTo(code);
      return code;
    }
  }

  private Gateway node(UnaryOperator<Gateway.Builder> settings) {
    return nodes.node(settings);
  }

  private Broker broker() {
    return nodes.broker();
  }

  private PusherSocket socket(Gateway gateway) {
    return nodes.socket(gateway);
  }

  private String channel(String name) {
    return nodes.channel(name);
  }
}
