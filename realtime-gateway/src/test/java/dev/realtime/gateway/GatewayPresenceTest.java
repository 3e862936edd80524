package dev.realtime.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.realtime.Broker;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Presence channels across gateway nodes: members are users, not connections, every node sees
 * every node's members, and a node that stops announcing has its members removed after the
 * expiry.
 */
class GatewayPresenceTest {
  static final PusherApp APP = GatewayNodes.APP;

  @RegisterExtension final GatewayNodes nodes = new GatewayNodes();

  @Test
  void aMemberOnOneNodeIsSeenOnTheOtherWithItsInfo() throws Exception {
    Gateway a = nodes.node();
    Gateway b = nodes.node();
    String channel = nodes.channel("presence-room");
    PusherSocket alice = nodes.socket(a);
    JsonNode aliceList = join(alice, channel, "alice", "{\"name\":\"Alice\"}");
    assertThat(aliceList.path("presence").path("ids")).extracting(JsonNode::asText)
        .containsExactly("alice");

    PusherSocket bob = nodes.socket(b);
    join(bob, channel, "bob", "{\"name\":\"Bob\"}");

    // Bob's node may learn of Alice before or after Bob's list is made: either way Bob hears.
    assertThat(awaitMember(bob, channel, "alice").path("name").asText()).isEqualTo("Alice");
    JsonNode added = alice.awaitEvent("pusher_internal:member_added", channel);
    assertThat(PusherSocket.read(added.path("data").asText()).path("user_id").asText())
        .isEqualTo("bob");
  }

  @Test
  void aUserIsAMemberWhileAnyOfTheirConnectionsOnAnyNodeIs() throws Exception {
    Gateway a = nodes.node();
    Gateway b = nodes.node();
    String channel = nodes.channel("presence-team");
    PusherSocket bob = nodes.socket(b);
    join(bob, channel, "bob", "{}");
    PusherSocket aliceOnA = nodes.socket(a);
    join(aliceOnA, channel, "alice", "{}");
    awaitMember(bob, channel, "alice");
    PusherSocket aliceOnB = nodes.socket(b);
    join(aliceOnB, channel, "alice", "{}");
    PusherSocket carol = nodes.socket(a);
    join(carol, channel, "carol", "{}");
    awaitMember(bob, channel, "carol");

    aliceOnA.close();
    carol.close();  // announced by node A after Alice's leave, so heard by Bob after it

    JsonNode removed = bob.awaitEvent("pusher_internal:member_removed", channel);
    assertThat(userOf(removed)).as("Alice still has a connection on node B").isEqualTo("carol");
    aliceOnB.close();
    assertThat(userOf(bob.awaitEvent("pusher_internal:member_removed", channel)))
        .isEqualTo("alice");
  }

  @Test
  void theUsersEndpointListsEveryNodesMembers() throws Exception {
    String channel = nodes.channel("presence-lobby");
    Gateway a = aliceAndBob(channel, nodes.node(), nodes.node()).a();

    HttpResponse<String> users = PusherHttp.getSigned(a.port(), APP,
        "channels/" + channel + "/users", "");
    HttpResponse<String> info = PusherHttp.getSigned(a.port(), APP, "channels/" + channel,
        "info=user_count,subscription_count");

    assertThat(users.statusCode()).as(users.body()).isEqualTo(200);
    assertThat(PusherSocket.read(users.body()).path("users")).extracting(u -> u.path("id").asText())
        .containsExactlyInAnyOrder("alice", "bob");
    assertThat(PusherSocket.read(info.body()).path("user_count").asInt()).isEqualTo(2);
    assertThat(PusherSocket.read(info.body()).path("occupied").asBoolean()).isTrue();
  }

  @Test
  void aNodeThatStopsAnnouncingHasItsMembersRemovedAfterTheExpiry() throws Exception {
    Broker doomed = nodes.broker();
    String channel = nodes.channel("presence-ops");
    PusherSocket alice =
        aliceAndBob(channel, nodes.node(), nodes.node(doomed, builder -> builder)).alice();

    long cut = System.nanoTime();
    doomed.close();  // node B can no longer announce anything, not even goodbye

    assertThat(userOf(alice.awaitEvent("pusher_internal:member_removed", channel)))
        .isEqualTo("bob");
    Duration took = Duration.ofNanos(System.nanoTime() - cut);
    assertThat(took).isLessThan(GatewayNodes.EXPIRY.plusSeconds(2));
  }

  @Test
  void aNodeKilledWithSigkillHasItsMembersRemovedWithinTheExpiryAndASecond() throws Exception {
    Duration expiry = Duration.ofSeconds(3);
    Gateway a = nodes.node(builder -> builder.nodeExpiry(expiry));
    GatewayProcess b = nodes.process(expiry);
    String channel = nodes.channel("presence-ops");
    PusherSocket alice = nodes.socket(a);
    join(alice, channel, "alice", "{}");
    PusherSocket bob = PusherSocket.connect(b.port(), APP.key());
    try (bob) {
      join(bob, channel, "bob", "{}");
      awaitMember(alice, channel, "bob");

      long killed = System.nanoTime();
      b.kill();

      assertThat(userOf(alice.awaitEvent("pusher_internal:member_removed", channel)))
          .isEqualTo("bob");
      Duration took = Duration.ofNanos(System.nanoTime() - killed);
      assertThat(took).isLessThanOrEqualTo(expiry.plusSeconds(1));
      assertThat(a.otherNodes()).isZero();
    }
  }

  @Test
  void aNodeThatClosesHasItsMembersRemovedAtOnce() throws Exception {
    String channel = nodes.channel("presence-ops");
    AliceAndBob two = aliceAndBob(channel,
        nodes.node(builder -> builder.nodeExpiry(Duration.ofMinutes(5))),
        nodes.node(builder -> builder.nodeExpiry(Duration.ofMinutes(5))));

    two.b().close();

    assertThat(userOf(two.alice().awaitEvent("pusher_internal:member_removed", channel)))
        .isEqualTo("bob");
  }

  @Test
  void aFullPresenceChannelRefusesANewUserButNotAnotherConnectionOfAMember() throws Exception {
    Gateway a = nodes.node(builder -> builder.maxPresenceMembers(1));
    String channel = nodes.channel("presence-small");
    join(nodes.socket(a), channel, "alice", "{}");
    join(nodes.socket(a), channel, "alice", "{}");
    PusherSocket bob = nodes.socket(a);
    String socketId = bob.established();
    String channelData = "{\"user_id\":\"bob\"}";

    bob.send(subscribe(channel, PusherHttp.presenceAuth(APP, socketId, channel, channelData),
        channelData));

    assertThat(bob.awaitEvent("pusher:subscription_error", channel).path("data").path("type")
        .asText()).isEqualTo("LimitReached");
  }

  @Test
  void subscribingAgainToAPresenceChannelListsItsMembersAgain() throws Exception {
    Gateway a = nodes.node();
    String channel = nodes.channel("presence-again");
    PusherSocket alice = nodes.socket(a);
    String socketId = alice.established();
    String channelData = "{\"user_id\":\"alice\"}";
    String subscribe = subscribe(channel,
        PusherHttp.presenceAuth(APP, socketId, channel, channelData), channelData);
    alice.send(subscribe);
    alice.awaitEvent("pusher_internal:subscription_succeeded", channel);

    alice.send(subscribe);

    JsonNode again = PusherSocket.read(alice.awaitEvent(
        "pusher_internal:subscription_succeeded", channel).path("data").asText());
    assertThat(again.path("presence").path("ids")).extracting(JsonNode::asText)
        .containsExactly("alice");
  }

  @Test
  void channelDataMustBeSignedAndNameAUser() throws Exception {
    Gateway a = nodes.node();
    String channel = nodes.channel("presence-vip");
    PusherSocket mallory = nodes.socket(a);
    String socketId = mallory.established();

    String signed = "{\"user_id\":\"mallory\"}";
    mallory.send(subscribe(channel, PusherHttp.presenceAuth(APP, socketId, channel, signed),
        "{\"user_id\":\"admin\"}"));
    JsonNode forged = mallory.awaitEvent("pusher:subscription_error", channel);
    String anonymous = "{\"user_info\":{}}";
    mallory.send(subscribe(channel, PusherHttp.presenceAuth(APP, socketId, channel, anonymous),
        anonymous));
    JsonNode noUser = mallory.awaitEvent("pusher:subscription_error", channel);

    assertThat(forged.path("data").path("status").asInt()).isEqualTo(401);
    assertThat(noUser.path("data").path("error").asText()).contains("user_id");
  }

  @Test
  void aClientEventOnAPresenceChannelCarriesTheSendersUserId() throws Exception {
    String channel = nodes.channel("presence-chat");
    AliceAndBob two = aliceAndBob(channel, nodes.node(), nodes.node());
    PusherSocket alice = two.alice();
    PusherSocket bob = two.bob();

    alice.send("{\"event\":\"client-wave\",\"channel\":\"" + channel + "\",\"data\":{}}");

    assertThat(bob.awaitEvent("client-wave", channel).path("user_id").asText())
        .isEqualTo("alice");
  }

  /** Alice on node A and Bob on node B, both on {@code channel}, each seeing the other. */
  private record AliceAndBob(Gateway a, Gateway b, PusherSocket alice, PusherSocket bob) {}

  private AliceAndBob aliceAndBob(String channel, Gateway a, Gateway b) throws Exception {
    PusherSocket alice = nodes.socket(a);
    join(alice, channel, "alice", "{}");
    PusherSocket bob = nodes.socket(b);
    join(bob, channel, "bob", "{}");
    awaitMember(alice, channel, "bob");
    awaitMember(bob, channel, "alice");
    return new AliceAndBob(a, b, alice, bob);
  }

  /** Joins as {@code user} and returns the members the gateway lists on success. */
  private static JsonNode join(PusherSocket socket, String channel, String user, String info)
      throws Exception {
    String socketId = socket.established();
    String channelData = "{\"user_id\":\"" + user + "\",\"user_info\":" + info + "}";
    socket.send(subscribe(channel,
        PusherHttp.presenceAuth(APP, socketId, channel, channelData), channelData));
    JsonNode succeeded = socket.awaitEvent("pusher_internal:subscription_succeeded", channel);
    return PusherSocket.read(succeeded.path("data").asText());
  }

  private static String subscribe(String channel, String auth, String channelData) {
    return "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\""
        + auth + "\",\"channel_data\":" + PusherSocket.JSON.getNodeFactory().textNode(channelData)
        + "}}";
  }

  /**
   * Waits until {@code socket} knows {@code user} is on the channel, from its list or a
   * member_added, and returns the user's info.
   */
  private static JsonNode awaitMember(PusherSocket socket, String channel, String user)
      throws Exception {
    List<JsonNode> seen = new ArrayList<>(socket.history);
    for (JsonNode frame : seen) {
      JsonNode info = memberIn(frame, channel, user);
      if (info != null) {
        return info;
      }
    }
    JsonNode[] found = new JsonNode[1];
    socket.next(frame -> (found[0] = memberIn(frame, channel, user)) != null);
    return found[0];
  }

  private static JsonNode memberIn(JsonNode frame, String channel, String user) {
    if (!frame.path("channel").asText().equals(channel)) {
      return null;
    }
    String event = frame.path("event").asText();
    JsonNode data = PusherSocket.read(frame.path("data").asText("{}"));
    if (event.equals("pusher_internal:subscription_succeeded")
        && data.path("presence").path("hash").has(user)) {
      return data.path("presence").path("hash").get(user);
    }
    if (event.equals("pusher_internal:member_added") && data.path("user_id").asText()
        .equals(user)) {
      return data.path("user_info");
    }
    return null;
  }

  private static String userOf(JsonNode memberEvent) {
    return PusherSocket.read(memberEvent.path("data").asText()).path("user_id").asText();
  }
}
