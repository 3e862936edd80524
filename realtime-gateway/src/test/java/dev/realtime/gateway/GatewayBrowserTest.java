package dev.realtime.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.realtime.testkit.env.Environments;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real clients in a real browser: pusher-js 8 and Laravel Echo 2 in headless Chromium, the
 * {@code pusher} npm SDK on the HTTP API, two gateway nodes over each persistent broker. What a
 * Laravel application's front end does, unchanged but for the host it connects to.
 */
class GatewayBrowserTest {
  static final PusherApp APP = GatewayNodes.APP;

  private static BrowserDriver browser;
  private static PageServer pages;
  private GatewayNodes nodes;
  private int tabs;

  @BeforeAll
  static void browser() throws Exception {
    browser = BrowserDriver.start();
    pages = new PageServer(APP);
  }

  @AfterAll
  static void closeBrowser() throws Exception {
    if (pages != null) {
      pages.close();
    }
    if (browser != null) {
      browser.close();
    }
  }

  @AfterEach
  void closeNodes() throws Exception {
    for (int i = 0; i < tabs; i++) {
      browser.send(PusherSocket.JSON.createObjectNode().put("op", "close").put("page", "t" + i));
    }
    tabs = 0;
    if (nodes != null) {
      nodes.close();
    }
  }

  static Stream<String> brokers() {
    return Stream.of("redis", "kafka", "rabbitmq");
  }

  private GatewayNodes nodesOver(String broker) {
    nodes = switch (broker) {
      case "kafka" -> new GatewayNodes(Environments.kafka(), "realtime.kafka.topic-prefix");
      case "rabbitmq" -> new GatewayNodes(Environments.rabbitmq(), "realtime.rabbitmq.name-prefix");
      default -> new GatewayNodes();
    };
    return nodes;
  }

  @ParameterizedTest(name = "over {0}")
  @MethodSource("brokers")
  void aPusherJsPageOnOneNodeReceivesWhatThePusherSdkTriggersOnTheOther(String broker)
      throws Exception {
    GatewayNodes nodes = nodesOver(broker);
    Gateway a = nodes.node();
    Gateway b = nodes.node();
    String channel = nodes.channel("orders");
    String page = tab(a, "alice");
    browser.eval(page, "usePusher(), subscribe('" + channel + "')");
    browser.waitFor(page, "client.channel('" + channel + "').subscribed");

    JsonNode response = browser.trigger(APP, b.port(), channel, "shipped",
        PusherSocket.read("{\"order\":42}"));

    assertThat(response.path("status").asInt()).as(response.toString()).isEqualTo(200);
    JsonNode event = browser.waitFor(page,
        "received.find(e => e.event === 'shipped' && e.channel === '" + channel + "')");
    assertThat(event.path("data").path("order").asInt()).isEqualTo(42);
  }

  @ParameterizedTest(name = "over {0}")
  @MethodSource("brokers")
  void laravelEchoSeesPresenceAndWhispersAcrossNodes(String broker) throws Exception {
    GatewayNodes nodes = nodesOver(broker);
    Gateway a = nodes.node();
    Gateway b = nodes.node();
    String room = nodes.channel("presence-room").substring("presence-".length());
    String alice = tab(a, "alice");
    String bob = tab(b, "bob");
    for (String page : new String[] {alice, bob}) {
      browser.eval(page, "useEcho(), echo.join('" + room + "')"
          + ".here(users => here.push(...users.map(u => u.name)))"
          + ".joining(user => seen('" + room + "', 'joining', user.name))"
          + ".leaving(user => seen('" + room + "', 'leaving', user.name))"
          + ".listenForWhisper('typing', e => seen('" + room + "', 'typing', e.who)), true");
    }

    browser.waitFor(alice, "here.includes('bob') || received.some(e => e.event === 'joining'"
        + " && e.data === 'bob')");
    browser.waitFor(bob, "here.includes('alice') || received.some(e => e.event === 'joining'"
        + " && e.data === 'alice')");
    // The server SDK's signed GETs, with a query, against the other node.
    JsonNode users = browser.get(APP, b.port(), "/channels/presence-" + room + "/users",
        PusherSocket.JSON.createObjectNode());
    JsonNode info = browser.get(APP, b.port(), "/channels/presence-" + room,
        PusherSocket.JSON.createObjectNode().put("info", "user_count,subscription_count"));
    assertThat(users.path("body").path("users")).extracting(u -> u.path("id").asText())
        .containsExactlyInAnyOrder("alice", "bob");
    assertThat(info.path("body").path("user_count").asInt()).as(info.toString()).isEqualTo(2);
    browser.eval(alice, "echo.join('" + room + "').whisper('typing', {who: 'alice'}), true");
    browser.waitFor(bob, "received.some(e => e.event === 'typing' && e.data === 'alice')");
    browser.close(bob);
    tabs--;  // closed here: the tab's number is the last one

    browser.waitFor(alice, "received.some(e => e.event === 'leaving' && e.data === 'bob')");
    assertThat(browser.eval(alice, "received.filter(e => e.event === 'typing').length").asInt())
        .as("a whisper is not echoed to its sender").isZero();
  }

  @ParameterizedTest(name = "over {0}")
  @MethodSource("brokers")
  void aPusherJsPageBackFromADisconnectRecoversWhatItMissed(String broker) throws Exception {
    GatewayNodes nodes = nodesOver(broker);
    Gateway a = nodes.node();
    Gateway b = nodes.node();
    String channel = nodes.channel("feed");
    String page = tab(a, "alice");
    browser.eval(page, "usePusher(), recoverable('" + channel + "')");
    browser.waitFor(page, "received.some(e => e.event === 'realtime:recovered')");
    trigger(b, channel, "e1");
    browser.waitFor(page, "received.some(e => e.event === 'realtime:position')");

    browser.eval(page, "client.disconnect(), true");
    browser.waitFor(page, "states.includes('disconnected')");
    trigger(b, channel, "e2");
    trigger(b, channel, "e3");
    browser.eval(page, "client.connect(), true");

    JsonNode recovered = browser.waitFor(page, "received.filter(e => e.event ==="
        + " 'realtime:recovered')[1]");
    assertThat(recovered.path("data").path("recovered").asBoolean()).as(recovered.toString())
        .isTrue();
    assertThat(recovered.path("data").path("missed").asInt()).isEqualTo(2);
    assertThat(browser.eval(page, "received.filter(e => /^e[0-9]$/.test(e.event))"
        + ".map(e => e.event).join()").asText()).isEqualTo("e1,e2,e3");
  }

  @Test
  void aPrivateChannelSignedForAnotherAppIsRefused() throws Exception {
    GatewayNodes nodes = nodesOver("redis");
    Gateway a = nodes.node();
    String channel = nodes.channel("private-account");
    String page = "t" + tabs++;
    browser.open(page, pages.page(a.port(), "mallory", "/broadcasting/forged"));
    browser.eval(page, "usePusher(), subscribe('" + channel + "')");

    JsonNode refused = browser.waitFor(page,
        "received.find(e => e.event === 'pusher:subscription_error')");

    assertThat(refused.path("data").path("status").asInt()).isEqualTo(401);
    assertThat(browser.eval(page, "client.channel('" + channel + "').subscribed").asBoolean())
        .isFalse();
  }

  @Test
  void aNodeKilledWithSigkillHasItsUsersLeaveWithinTheExpiryAndASecond() throws Exception {
    GatewayNodes nodes = nodesOver("redis");
    Duration expiry = Duration.ofSeconds(3);
    Gateway a = nodes.node(builder -> builder.nodeExpiry(expiry));
    GatewayProcess b = nodes.process(expiry);
    String room = nodes.channel("presence-ops").substring("presence-".length());
    String alice = tab(a, "alice");
    String bob = tab(b.port(), "bob");
    for (String page : new String[] {alice, bob}) {
      browser.eval(page, "useEcho(), echo.join('" + room + "')"
          + ".here(users => here.push(...users.map(u => u.name)))"
          + ".joining(user => seen('" + room + "', 'joining', user.name))"
          + ".leaving(user => seen('" + room + "', 'leaving', user.name)), true");
    }
    browser.waitFor(alice, "here.includes('bob') || received.some(e => e.event === 'joining'"
        + " && e.data === 'bob')");

    long killed = System.nanoTime();
    b.kill();

    browser.waitFor(alice, "received.some(e => e.event === 'leaving' && e.data === 'bob')");
    Duration took = Duration.ofNanos(System.nanoTime() - killed);
    System.out.println("bob left alice's page " + took.toMillis() + " ms after his node's"
        + " SIGKILL (expiry " + expiry.toMillis() + " ms)");
    assertThat(took).isLessThanOrEqualTo(expiry.plusSeconds(1));
  }

  private static void trigger(Gateway gateway, String channel, String event) {
    JsonNode response = browser.trigger(APP, gateway.port(), channel, event,
        PusherSocket.read("{}"));
    assertThat(response.path("status").asInt()).as(response.toString()).isEqualTo(200);
  }

  private String tab(Gateway gateway, String user) {
    return tab(gateway.port(), user);
  }

  private String tab(int port, String user) {
    String page = "t" + tabs++;
    browser.open(page, pages.page(port, user));
    return page;
  }
}
