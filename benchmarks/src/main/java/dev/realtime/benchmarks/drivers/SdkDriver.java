package dev.realtime.benchmarks.drivers;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.Message;
import dev.realtime.benchmarks.harness.Driver;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * L3: the SDK, on any backend, as an application uses it: {@code Broker.publish} and a
 * subscription whose handler takes each message. A broadcast subscriber, or a group member when
 * a group is named (RabbitMQ's quorum-queue path).
 */
public final class SdkDriver implements Driver {
  private final RealtimeConfig config;
  private final @Nullable String group;
  private @Nullable Broker broker;
  private @Nullable Subscription subscription;
  private @Nullable Channel channel;

  public SdkDriver(RealtimeConfig config, @Nullable String group) {
    this.config = config;
    this.group = group;
  }

  @Override
  public void start(String name, @Nullable Consumer<ByteBuffer> sink) {
    Broker opened = Brokers.open(config);
    broker = opened;
    Channel target = Channel.of(name);
    channel = target;
    ChannelSpec.Builder spec = ChannelSpec.builder(target);
    if (group != null) {
      spec.groups(group); // Before publishing, as a deployment does (RabbitMQ needs it).
    }
    if (!isPubSub(opened)) {
      opened.admin().ensure(spec.build());
    }
    if (sink == null) {
      return;
    }
    subscription = opened.subscribe(SubscriptionSpec.builder().channel(target).group(group)
        .batchSize(500).build(), message -> sink.accept(message.payloadBuffer()));
  }

  private static boolean isPubSub(Broker broker) {
    return !broker.capabilities().has(dev.realtime.Capability.PERSISTENCE);
  }

  @Override
  public CompletionStage<?> publish(byte[] payload) {
    Broker open = java.util.Objects.requireNonNull(broker);
    return open.publish(Message.builder().channel(java.util.Objects.requireNonNull(channel))
        .event("bench").payload(payload).build());
  }

  @Override
  public void close() {
    if (subscription != null) {
      subscription.close();
    }
    if (broker != null) {
      try {
        if (channel != null) {
          broker.admin().delete(channel); // Pub/sub channels are registered too, as used.
        }
      } finally {
        broker.close();
      }
    }
  }
}
