package dev.realtime.cli;

import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.env.Environments;
import dev.realtime.testkit.env.KafkaEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The launcher against Kafka: the testkit's embedded broker, or the one configured. */
class KafkaLauncherIT extends BrokerLauncherContract {
  private static KafkaEnvironment kafka;

  @BeforeAll
  static void start() {
    kafka = Environments.kafka();
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  @Override
  BrokerEnvironment environment() {
    return kafka;
  }

  @Override
  Launcher realtime() {
    return pointedAt(kafka.config());
  }

  @Override
  boolean warnsOfAnIdleOutage() {
    return false;
  }

  @Override
  String unsupportedSetting() {
    return "max-messages: 10";
  }
}
