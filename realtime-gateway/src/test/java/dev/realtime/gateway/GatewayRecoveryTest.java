package dev.realtime.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.realtime.Broker;
import dev.realtime.Brokers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The recovery extension: a client that hands back the last {@code realtime:position} it was
 * given gets what it missed, once each, then {@code realtime:recovered}; one whose gap cannot be
 * filled is told so.
 */
class GatewayRecoveryTest {
  static final PusherApp APP = GatewayNodes.APP;

  @RegisterExtension final GatewayNodes nodes = new GatewayNodes();

  @Test
  void aClientBackFromADisconnectGetsWhatItMissedOnceEachThenRecovered() throws Exception {
    Gateway a = nodes.node();
    Gateway b = nodes.node();
    String channel = nodes.channel("feed");
    PusherSocket before = nodes.socket(a);
    before.established();
    before.subscribed(channel);
    before.send(recover(channel, null));
    assertThat(recovered(before, channel).path("recovered").asBoolean()).isTrue();
    post(b, channel, "e1");
    before.awaitEvent("e1", channel);
    JsonNode position = data(before.awaitEvent("realtime:position", channel));
    before.close();

    post(b, channel, "e2");
    post(b, channel, "e3");
    PusherSocket after = nodes.socket(b);
    after.established();
    after.subscribed(channel);
    post(a, channel, "e4");  // after the resubscription: live, before the client asks
    after.awaitEvent("e4", channel);
    after.send(recover(channel, position));

    JsonNode recovered = recovered(after, channel);
    assertThat(recovered.path("recovered").asBoolean()).as(recovered.toString()).isTrue();
    assertThat(recovered.path("missed").asInt()).isEqualTo(2);
    assertThat(eventsIn(after, channel)).containsExactly("e4", "e2", "e3");
    post(a, channel, "e5");
    after.awaitEvent("e5", channel);
    assertThat(data(after.awaitEvent("realtime:position", channel)).path("id").asText())
        .isNotEmpty();
  }

  @Test
  void aPositionTheChannelNoLongerKeepsIsToldAsNotRecovered() throws Exception {
    Gateway a = nodes.node();
    String channel = nodes.channel("feed");
    post(a, channel, "kept");
    PusherSocket browser = nodes.socket(a);
    browser.established();
    browser.subscribed(channel);

    browser.send(recover(channel, PusherSocket.read(
        "{\"id\":\"not-kept\",\"time\":\"2020-01-01T00:00:00Z\"}")));

    JsonNode recovered = recovered(browser, channel);
    assertThat(recovered.path("recovered").asBoolean()).isFalse();
    assertThat(recovered.path("reason").asText()).contains("no longer keeps");
  }

  @Test
  void aBrokerWithoutHistoryIsToldAsNotRecovered() throws Exception {
    Broker pubsub = Brokers.open(nodes.config().newBuilder()
        .set("realtime.redis.mode", "pubsub").build());
    try (pubsub) {
      Gateway a = nodes.node(pubsub, builder -> builder);
      String channel = nodes.channel("feed");
      PusherSocket browser = nodes.socket(a);
      browser.established();
      browser.subscribed(channel);

      browser.send(recover(channel, PusherSocket.read(
          "{\"id\":\"x\",\"time\":\"2026-01-01T00:00:00Z\"}")));

      JsonNode recovered = recovered(browser, channel);
      assertThat(recovered.path("recovered").asBoolean()).isFalse();
      assertThat(recovered.path("reason").asText()).contains("keeps no history");
      a.close();
    }
  }

  private static String recover(String channel, JsonNode since) {
    return "{\"event\":\"realtime:recover\",\"channel\":\"" + channel + "\",\"data\":"
        + (since == null ? "{}" : "{\"since\":" + since + "}") + "}";
  }

  private static JsonNode recovered(PusherSocket socket, String channel) throws Exception {
    return data(socket.awaitEvent("realtime:recovered", channel));
  }

  private static JsonNode data(JsonNode frame) {
    return PusherSocket.read(frame.path("data").asText());
  }

  /** The application events the socket took so far on {@code channel}, in order. */
  private static List<String> eventsIn(PusherSocket socket, String channel) {
    List<String> events = new ArrayList<>();
    for (JsonNode frame : socket.history) {
      String event = frame.path("event").asText();
      if (frame.path("channel").asText().equals(channel) && event.matches("e\\d")) {
        events.add(event);
      }
    }
    return events;
  }

  private static void post(Gateway gateway, String channel, String event) throws Exception {
    assertThat(PusherHttp.post(gateway.port(), APP, "events", "{\"name\":\"" + event
        + "\",\"channel\":\"" + channel + "\",\"data\":\"{}\"}").statusCode()).isEqualTo(200);
  }
}
