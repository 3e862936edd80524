package dev.realtime.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.subscription.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A node's channels on the in-memory broker: one subscription per channel, opened for the first
 * connection and closed after the last, whatever the order of joins, leaves and the opening.
 */
class ChannelHubTest {
  @Test
  void theLastConnectionToLeaveClosesTheNodesSubscription() throws Exception {
    List<Subscription> opened = new CopyOnWriteArrayList<>();
    try (Broker broker = Brokers.open(RealtimeConfig.of(Map.of("realtime.broker", "memory")));
        ChannelHub hub = new ChannelHub(new Recording(broker, opened))) {
      Channel channel = Channel.of("news.1");
      Member first = new Member("1.1");
      Member second = new Member("1.2");

      hub.join(channel, first);
      hub.join(channel, second);
      await().atMost(Duration.ofSeconds(10)).until(() -> first.subscribed && second.subscribed);
      publish(broker, channel, "both");
      await().atMost(Duration.ofSeconds(10)).until(() -> second.frames.size() == 1);
      hub.leave(channel.name(), first);
      publish(broker, channel, "second only");
      await().atMost(Duration.ofSeconds(10)).until(() -> second.frames.size() == 2);
      assertThat(opened.get(0).isActive()).as("one member is still on it").isTrue();
      hub.leave(channel.name(), second);

      await().atMost(Duration.ofSeconds(10)).until(() -> !opened.get(0).isActive());
      assertThat(opened).hasSize(1);
      assertThat(first.frames).hasSize(1);
      assertThat(hub.occupancy()).isEmpty();
    }
  }

  @Test
  void aMemberThatLeavesWhileTheSubscriptionOpensLeavesNothingOpen() throws Exception {
    List<Subscription> opened = new CopyOnWriteArrayList<>();
    try (Broker memory = Brokers.open(RealtimeConfig.of(Map.of("realtime.broker", "memory")));
        ChannelHub hub = new ChannelHub(new Recording(memory, opened))) {
      Channel channel = Channel.of("news.2");
      Member member = new Member("2.1");

      hub.join(channel, member);
      hub.leave(channel.name(), member);

      await().atMost(Duration.ofSeconds(10)).until(() -> opened.size() == 1
          && !opened.get(0).isActive());
      assertThat(member.subscribed).isFalse();
      assertThat(hub.occupancy()).isEmpty();
    }
  }

  private static void publish(Broker broker, Channel channel, String text) {
    broker.publish(Message.builder().channel(channel).event("e").payload(text)
        .contentType("text/plain").build()).toCompletableFuture().join();
  }

  /** A member that records what the hub tells it. */
  private static final class Member implements ChannelHub.Member {
    final String socketId;
    final List<String> frames = new CopyOnWriteArrayList<>();
    volatile boolean subscribed;

    Member(String socketId) {
      this.socketId = socketId;
    }

    @Override
    public String socketId() {
      return socketId;
    }

    @Override
    public void deliver(String frame) {
      frames.add(frame);
    }

    @Override
    public void deliver(String channel, Message message, String frame) {
      frames.add(frame);
    }

    @Override
    public void subscribed(String channel) {
      subscribed = true;
    }

    @Override
    public void refused(String channel, String reason) {}
  }

  /** The in-memory broker, keeping every subscription it opens. */
  private static final class Recording implements Broker {
    private final Broker broker;
    private final List<Subscription> opened;

    Recording(Broker broker, List<Subscription> opened) {
      this.broker = broker;
      this.opened = opened;
    }

    @Override
    public String name() {
      return broker.name();
    }

    @Override
    public dev.realtime.Capabilities capabilities() {
      return broker.capabilities();
    }

    @Override
    public java.util.concurrent.CompletionStage<dev.realtime.PublishReceipt> publish(
        Message message) {
      return broker.publish(message);
    }

    @Override
    public Subscription subscribe(dev.realtime.subscription.SubscriptionSpec spec,
        dev.realtime.subscription.MessageHandler handler) {
      Subscription subscription = broker.subscribe(spec, handler);
      opened.add(subscription);
      return subscription;
    }

    @Override
    public Subscription subscribeBatches(dev.realtime.subscription.SubscriptionSpec spec,
        dev.realtime.subscription.BatchHandler handler) {
      return broker.subscribeBatches(spec, handler);
    }

    @Override
    public List<Message> history(Channel channel, dev.realtime.HistoryQuery query) {
      return broker.history(channel, query);
    }

    @Override
    public dev.realtime.channel.ChannelAdmin admin() {
      return broker.admin();
    }

    @Override
    public dev.realtime.Health health() {
      return broker.health();
    }

    @Override
    public void close() {
      broker.close();
    }
  }
}
