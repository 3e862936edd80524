package dev.realtime.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import dev.realtime.BrokerUnavailableException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The publisher across a connection recovery, with amqp-client's objects simulated, because the
 * race it guards against (a publish slipping out while recovery has reset a channel's numbering
 * but not yet put it in confirm mode) cannot be timed against a real broker; and a confirm
 * that never comes, which a real broker does not withhold on demand.
 */
class PublisherRecoveryTest {
  /**
   * One simulated AMQP channel: the client's publish counter, and whether RabbitMQ has the
   * channel in confirm mode (it numbers, and will confirm, only the publishes it gets after).
   */
  private static final class FakeChannel {
    long next = 0;
    boolean confirming;
    boolean open = true;
    final List<Long> published = new java.util.concurrent.CopyOnWriteArrayList<>();
    ConfirmListener confirms;

    Channel proxy() {
      return (Channel) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {Channel.class}, (self, method, args) -> {
            switch (method.getName()) {
              case "confirmSelect":
                next = 1;
                confirming = true;
                return null;
              case "addConfirmListener":
                confirms = (ConfirmListener) args[0];
                return null;
              case "getNextPublishSeqNo":
                return next;
              case "basicPublish":
                published.add(confirming ? next : 0); // 0: never to be confirmed.
                next++;
                return null;
              case "isOpen":
                return open;
              case "close":
                open = false;
                return null;
              case "hashCode":
                return System.identityHashCode(self);
              case "equals":
                return self == args[0];
              default:
                return null; // Listeners the test does not drive.
            }
          });
    }
  }

  private final List<Publisher> publishers = new ArrayList<>();
  private final List<FakeChannel> channels = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<RecoveryListener> recoveryListeners = new ArrayList<>();

  private Connection connection() {
    return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {Connection.class, Recoverable.class}, (self, method, args) -> {
          switch (method.getName()) {
            case "createChannel":
              FakeChannel channel = new FakeChannel();
              channels.add(channel);
              return channel.proxy();
            case "addRecoveryListener":
              recoveryListeners.add((RecoveryListener) args[0]);
              return null;
            case "isOpen":
              return true;
            default:
              return null;
          }
        });
  }

  private static CompletableFuture<Void> publish(Publisher publisher) {
    return publisher.publish("realtime", "a", new Publisher.Outgoing("id",
        new AMQP.BasicProperties.Builder(), new HashMap<>()), new byte[0]);
  }

  @Test
  void nothingIsPublishedWhileTheConnectionRecoversAndAfterItOnAChannelOfItsOwn()
      throws Exception {
    Connection connection = connection();
    Publisher publisher = opened(new Publisher(connection, "test", Duration.ofSeconds(5)));
    CompletableFuture<Void> before = publish(publisher);
    assertThat(channels.get(0).published).containsExactly(1L);

    // amqp-client begins recovering: it swaps the channel onto the new connection and resets
    // the counter to 1 before RabbitMQ has the new channel in confirm mode.
    recoveryListeners.forEach(l -> l.handleRecoveryStarted((Recoverable) connection));
    channels.get(0).next = 1;
    channels.get(0).confirming = false;
    CompletableFuture<Void> during = publish(publisher);
    assertThat(during).as("waits for the recovery").isNotDone();
    assertThat(channels.get(0).published).as("nothing went out unnumbered").containsExactly(1L);

    channels.get(0).confirming = true; // amqp-client's confirm.select went through.
    recoveryListeners.forEach(l -> l.handleRecovery((Recoverable) connection));
    CompletableFuture<Void> after = publish(publisher);

    await().atMost(Duration.ofSeconds(5)).until(() -> channels.size() == 2
        && channels.get(1).published.size() == 2);
    assertThat(before).as("a publish the recovery lost fails, rather than waiting out the "
        + "timeout or taking another's confirm").isCompletedExceptionally();
    assertThat(channels.get(0).open).isFalse();
    assertThat(channels.get(1).published).as("the waiting one first, then the new one")
        .containsExactly(1L, 2L);
    channels.get(1).confirms.handleAck(2, true);
    assertThat(during).isCompleted().isNotCompletedExceptionally();
    assertThat(after).isCompleted().isNotCompletedExceptionally();
  }

  @Test
  void aPublishRabbitMqNeverConfirmsFailsAfterThePublishTimeoutAndOnlyThatOne()
      throws Exception {
    Publisher publisher = opened(new Publisher(connection(), "test", Duration.ofMillis(200)));
    CompletableFuture<Void> lost = publish(publisher);
    CompletableFuture<Void> confirmed = publish(publisher);
    channels.get(0).confirms.handleAck(2, false); // The second is confirmed, the first never.

    await().atMost(Duration.ofSeconds(5)).until(lost::isDone);
    assertThatThrownBy(lost::join).hasCauseInstanceOf(BrokerUnavailableException.class)
        .hasMessageContaining("did not confirm message id within PT0.2S")
        .hasMessageContaining("realtime.publish-timeout");
    assertThat(confirmed).isCompleted().isNotCompletedExceptionally();

    CompletableFuture<Void> later = publish(publisher);
    channels.get(0).confirms.handleAck(1, true); // A late ack of the first: nothing to match.
    // Not due for 200 ms: sweeps in the meantime leave it waiting for its own confirm.
    await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
        .during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(1))
        .until(() -> !later.isDone());
    channels.get(0).confirms.handleAck(3, false);
    assertThat(later).isCompleted().isNotCompletedExceptionally();
  }

  private Publisher opened(Publisher publisher) {
    publishers.add(publisher);
    return publisher;
  }

  @AfterEach
  void closePublishers() {
    publishers.forEach(Publisher::close);
  }
}
