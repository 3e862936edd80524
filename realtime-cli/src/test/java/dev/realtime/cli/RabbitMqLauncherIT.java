package dev.realtime.cli;

import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.env.Environments;
import dev.realtime.testkit.env.ProxiedEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The launcher against the machine's RabbitMQ. */
class RabbitMqLauncherIT extends BrokerLauncherContract {
  private static ProxiedEnvironment rabbitmq;

  @BeforeAll
  static void start() {
    rabbitmq = Environments.rabbitmq();
  }

  @AfterAll
  static void stop() {
    rabbitmq.close();
  }

  @Override
  BrokerEnvironment environment() {
    return rabbitmq;
  }

  @Override
  Launcher realtime() {
    return pointedAt(rabbitmq.config());
  }

  @Override
  String unsupportedSetting() {
    return "partitions: 3";
  }
}
