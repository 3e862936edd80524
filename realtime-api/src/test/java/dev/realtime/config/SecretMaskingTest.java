package dev.realtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretMaskingTest {
  @ParameterizedTest
  @ValueSource(strings = {"realtime.redis.password", "realtime.x.db-passwd",
      "realtime.x.client-secret", "realtime.x.access_token", "realtime.x.credentials",
      "realtime.x.apikey", "realtime.x.api-key", "realtime.x.api.key", "realtime.x.API_KEY",
      "realtime.kafka.producer.sasl.jaas.config", "sasl.jaas.config", "REALTIME_REDIS_PASSWORD",
      "realtime.x.secretKey", "realtime.x.secret-key", "REALTIME_X_SECRET_KEY",
      "realtime.password.file", "db.password"})
  void secretKeys(String key) {
    assertThat(SecretMasking.isSecretKey(key)).isTrue();
    assertThat(SecretMasking.mask(key, "value")).isEqualTo("******");
  }

  @ParameterizedTest
  @ValueSource(strings = {"realtime.broker", "realtime.redis.uri", "realtime.x.key",
      "realtime.x.jaas.config", "realtime.api.keys", "realtime.x.sasl.jaas.config.extra"})
  void ordinaryKeys(String key) {
    assertThat(SecretMasking.isSecretKey(key)).isFalse();
    assertThat(SecretMasking.mask(key, "value")).isEqualTo("value");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "amqp://guest:guest@host:5672/vhost | amqp://guest:******@host:5672/vhost",
      "redis://:pw@host | redis://:******@host",
      "rediss://user:pw@host:6380/0 | rediss://user:******@host:6380/0",
      "redis://pw@host | redis://******@host",
      "amqp://user:p@ss@host/v | amqp://user:******@host/v",
      "redis://:a@h1,redis://:b@h2 | redis://:******@h1,redis://:******@h2",
      "amqp://host:5672/vhost | amqp://host:5672/vhost",
      "kafka:9092,kafka2:9092 | kafka:9092,kafka2:9092",
      "user@example.com | user@example.com",
      "u:pw@host:1 | u:******@host:1",
      "host:1,u:pw@h2:2 | host:1,u:******@h2:2",
      "x=u:p@ss@h | x=u:******@h"})
  void masksUriPasswords(String value, String expected) {
    assertThat(dev.realtime.internal.UriCredentials.mask(value)).isEqualTo(expected);
    assertThat(SecretMasking.mask("realtime.any.uri", value)).isEqualTo(expected);
  }

  @org.junit.jupiter.api.Test
  void kafkasInlineKeysAndPassphrasesAreSecret() {
    assertThat(SecretMasking.isSecretKey("realtime.kafka.client.ssl.keystore.key")).isTrue();
    assertThat(SecretMasking.isSecretKey(
        "realtime.kafka.client.sasl.oauthbearer.assertion.private.key.passphrase")).isTrue();
    assertThat(SecretMasking.isSecretKey(
        "realtime.kafka.client.sasl.oauthbearer.assertion.private.key.file")).isTrue();
    assertThat(SecretMasking.isSecretKey("realtime.kafka.client.ssl.keystore.type")).isFalse();
  }
}
