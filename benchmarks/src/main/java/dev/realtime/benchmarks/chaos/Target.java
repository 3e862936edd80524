package dev.realtime.benchmarks.chaos;

import dev.realtime.Broker;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.testkit.fault.FaultProxy;
import dev.realtime.testkit.process.RabbitMqProcess;
import dev.realtime.testkit.process.RedisProcess;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One broker of the campaign's own, never the machine's shared one, behind a fault proxy that
 * every client goes through: it can be killed with -9, restarted with its data, and cut off.
 */
abstract class Target implements AutoCloseable {
  private final String name;
  private final Map<String, String> settings;
  protected FaultProxy proxy;

  Target(String name, Map<String, String> settings) {
    this.name = name;
    this.settings = settings;
  }

  /** For the report: {@code kafka}, {@code redis streams}, {@code rabbitmq}. */
  final String name() {
    return name;
  }

  final FaultProxy proxy() {
    return proxy;
  }

  /** The realtime settings that reach the broker through the proxy, and the run's own. */
  final Map<String, String> config() {
    Map<String, String> config = new java.util.HashMap<>(address());
    config.putAll(settings);
    return config;
  }

  /** The settings that point the adapter at the proxy. */
  abstract Map<String, String> address();

  /** SIGKILL to the broker; returns once it is gone. */
  abstract void kill();

  /** Starts the killed broker again with its data; returns once it answers. */
  abstract void restart();

  /** Whether the broker process runs. */
  abstract boolean answers();

  /** The channel as the experiments declare it, with {@code group}. */
  ChannelSpec spec(Channel channel, String group) {
    return ChannelSpec.builder(channel).groups(group).build();
  }

  /**
   * Messages the broker holds for {@code channel}'s {@code group}: not yet delivered (lag) or
   * delivered and not acknowledged (pending); empty where that cannot be read.
   */
  OptionalLong stored(Broker broker, Channel channel, String group) {
    return broker.admin().describe(channel).stream()
        .flatMap(info -> info.groups().stream())
        .filter(info -> info.name().equals(group) && info.lag() != null)
        .mapToLong(info -> info.pending() + info.lag())
        .findFirst().stream().mapToObj(OptionalLong::of).findFirst()
        .orElse(OptionalLong.empty());
  }

  abstract void stopBroker();

  @Override
  public final void close() {
    try {
      stopBroker();
    } finally {
      if (proxy != null) {
        proxy.close();
      }
    }
  }

  static Target kafka(Map<String, String> settings, List<String> jvmOptions) {
    return new Target("kafka", settings) {
      private final KafkaNode node = KafkaNode.start(jvmOptions, port -> {
        proxy = FaultProxy.start("127.0.0.1", port);
        return proxy.port();
      });

      @Override
      Map<String, String> address() {
        return Map.of("realtime.broker", "kafka",
            "realtime.kafka.bootstrap-servers", proxy.host() + ":" + proxy.port());
      }

      @Override
      ChannelSpec spec(Channel channel, String group) {
        // Two partitions, so that each of two members has one to lose.
        return ChannelSpec.builder(channel).partitions(2).groups(group).build();
      }

      @Override
      boolean answers() {
        return node.isRunning();
      }

      @Override
      void kill() {
        node.kill();
      }

      @Override
      void restart() {
        node.restart();
      }

      @Override
      void stopBroker() {
        node.close();
      }
    };
  }

  static Target redis(Map<String, String> settings) {
    return new Target("redis streams", settings) {
      // Every write in the append-only file before its reply: a kill -9 keeps what was confirmed.
      private final RedisProcess redis = RedisProcess.builder()
          .args("--appendonly", "yes").start();

      {
        proxy = FaultProxy.start(redis.host(), redis.port());
      }

      @Override
      Map<String, String> address() {
        return Map.of("realtime.broker", "redis", "realtime.redis.mode", "streams",
            "realtime.redis.uri", "redis://" + proxy.host() + ":" + proxy.port());
      }

      @Override
      boolean answers() {
        return redis.isRunning();
      }

      @Override
      void kill() {
        redis.kill();
      }

      @Override
      void restart() {
        redis.restart();
      }

      @Override
      void stopBroker() {
        redis.close();
      }
    };
  }

  static Target rabbitmq(Map<String, String> settings) {
    return new Target("rabbitmq", settings) {
      private final RabbitMqProcess rabbit = RabbitMqProcess.start();

      {
        proxy = FaultProxy.start(rabbit.host(), rabbit.port());
      }

      @Override
      Map<String, String> address() {
        return Map.of("realtime.broker", "rabbitmq",
            "realtime.rabbitmq.uri", "amqp://guest:guest@" + proxy.host() + ":" + proxy.port());
      }

      @Override
      boolean answers() {
        return rabbit.isRunning();
      }

      @Override
      void kill() {
        rabbit.kill();
      }

      @Override
      void restart() {
        rabbit.restart();
      }

      @Override
      void stopBroker() {
        rabbit.close();
      }
    };
  }
}
