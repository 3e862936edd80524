package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.realtime.channel.Channel;
import dev.realtime.channel.InvalidChannelException;
import dev.realtime.config.RealtimeConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The facade: JSON broadcasts, multi-channel broadcasts, subscriptions. */
class RealtimeTest {
  /** A payload as an application would write it. */
  public static final class Notification {
    public String title;
    public int count;

    public Notification() {}

    Notification(String title, int count) {
      this.title = title;
      this.count = count;
    }
  }

  private final Realtime realtime = Realtime.create(RealtimeConfig.of(Map.of()));

  @AfterEach
  void close() {
    realtime.close();
  }

  @Test
  void broadcastWritesJsonThatSubscribersReadBack() {
    List<Message> received = new CopyOnWriteArrayList<>();
    realtime.on("user.1", received::add);

    PublishReceipt receipt = realtime.broadcast("user.1", "notification",
        new Notification("Hello", 3)).toCompletableFuture().join();

    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
    Message message = received.get(0);
    assertThat(message.id()).isEqualTo(receipt.messageId());
    assertThat(message.event()).isEqualTo("notification");
    assertThat(message.contentType()).isEqualTo(Message.JSON);
    assertThat(message.payloadAsString()).isEqualTo("{\"title\":\"Hello\",\"count\":3}");
    Notification read = realtime.read(message, Notification.class);
    assertThat(read.title).isEqualTo("Hello");
    assertThat(read.count).isEqualTo(3);
  }

  @Test
  void bytesAreSentAsTheyAre() {
    byte[] binary = {0, (byte) 0xff, (byte) 0xc3, 0x28};
    realtime.broadcast("files", "chunk", binary).toCompletableFuture().join();

    Message stored = realtime.broker().history(Channel.of("files"), HistoryQuery.earliest())
        .get(0);
    assertThat(stored.payload()).isEqualTo(binary);
    assertThat(stored.contentType()).isEqualTo(Message.OCTET_STREAM);
  }

  @Test
  void broadcastToManyChannelsSendsOneMessageEach() {
    List<PublishReceipt> receipts = realtime.broadcast(List.of("user.1", "user.2"), "ping",
        Map.of("at", 1)).toCompletableFuture().join();

    assertThat(receipts).extracting(r -> r.channel().name()).containsExactly("user.1", "user.2");
    assertThat(receipts.get(0).messageId()).isNotEqualTo(receipts.get(1).messageId());
  }

  @Test
  void anInvalidChannelAmongManySendsNothing() {
    assertThatThrownBy(() -> realtime.broadcast(List.of("user.2", "user..1"), "ping", null))
        .isInstanceOf(InvalidChannelException.class)
        .hasMessageContaining("user..1");
    assertThat(realtime.admin().describe(Channel.of("user.2"))).isEmpty();
  }

  @Test
  void aPayloadThatIsNotJsonSerialisableIsAClearError() {
    assertThatThrownBy(() -> realtime.broadcast("user.1", "e", new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot be written as JSON");
  }

  @Test
  void aFacadeOnAGivenBrokerLeavesItOpen() {
    try (Broker broker = Brokers.open(RealtimeConfig.of(Map.of()))) {
      Realtime borrowed = Realtime.builder().broker(broker).build();
      borrowed.close();
      assertThat(broker.health().isUp()).isTrue();
    }
  }
}
