package dev.realtime.testkit.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BrokerUriTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "redis://127.0.0.1:6379 | 127.0.0.1 | 6379 | redis://127.0.0.1:4000",
      "redis://localhost | localhost | 6379 | redis://127.0.0.1:4000",
      "redis://:pw@host:7000/2 | host | 7000 | redis://:pw@127.0.0.1:4000/2",
      "redis://user:p%40ss@host:7000/3?timeout=5s | host | 7000 "
          + "| redis://user:p%40ss@127.0.0.1:4000/3?timeout=5s",
      "redis://[::1]:6380 | [::1] | 6380 | redis://127.0.0.1:4000"})
  void redisKeepsEverythingButTheAddress(String text, String host, int port, String proxied) {
    BrokerUri uri = BrokerUri.parse(text, BrokerKind.REDIS, "(test)");

    assertThat(uri.host()).isEqualTo(host);
    assertThat(uri.port()).isEqualTo(port);
    assertThat(uri.at("127.0.0.1", 4000)).isEqualTo(proxied);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "amqp://guest:guest@127.0.0.1:5672/ | amqp://guest:guest@127.0.0.1:4000/",
      "amqp://u:s3cret@broker/%2F | amqp://u:s3cret@127.0.0.1:4000/%2F",
      "amqp://u:s3cret@broker:5673/orders?heartbeat=5 "
          + "| amqp://u:s3cret@127.0.0.1:4000/orders?heartbeat=5",
      "AMQP://broker | AMQP://127.0.0.1:4000"})
  void rabbitMqKeepsCredentialsAndVhost(String text, String proxied) {
    BrokerUri uri = BrokerUri.parse(text, BrokerKind.RABBITMQ, "(test)");

    assertThat(uri.at("127.0.0.1", 4000)).isEqualTo(proxied);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "redis://127.0.0.1:6379 | '' | ''",
      "redis://:pw@host | '' | pw",
      "redis://pw@host | '' | pw",
      "redis://ada:p%3Aw%2Bx+y@host | ada | p:w+x+y",
      "redis://a%3Ab:pw@host | a:b | pw"})
  void decodesCredentials(String text, String user, String password) {
    BrokerUri uri = BrokerUri.parse(text, BrokerKind.REDIS, "(test)");

    assertThat(uri.user()).isEqualTo(user);
    assertThat(uri.password()).isEqualTo(password);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "amqp://guest:guest@127.0.0.1:5672/ | amqp://guest:******@127.0.0.1:5672/",
      "redis://:pw@host:6379/0 | redis://:******@host:6379/0",
      "redis://pw@host | redis://******@host",
      "redis://host:6379 | redis://host:6379",
      "see amqp://u:a@b@host/v, redis://:x@h | see amqp://u:******@host/v, redis://:******@h"})
  void masksPasswords(String text, String shown) {
    assertThat(dev.realtime.internal.UriCredentials.mask(text)).isEqualTo(shown);
  }

  @Test
  void thePathIsWithoutQueryOrFragment() {
    assertThat(BrokerUri.parse("redis://h:1/2?timeout=1s#x", BrokerKind.REDIS, "(test)").path())
        .isEqualTo("/2");
    assertThat(BrokerUri.parse("redis://h:1", BrokerKind.REDIS, "(test)").path()).isEmpty();
  }

  @Test
  void toStringMasksThePassword() {
    assertThat(BrokerUri.parse(" amqp://u:s3cret@host/v ", BrokerKind.RABBITMQ, "(test)"))
        .hasToString("amqp://u:******@host/v");
  }

  @Test
  void refusesTlsWithoutShowingTheUri() {
    assertThatThrownBy(() -> BrokerUri.parse("rediss://:s3cret@host:6380", BrokerKind.REDIS,
        "from REALTIME_TEST_REDIS_URI"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("The Redis URI from REALTIME_TEST_REDIS_URI uses TLS (rediss), which the "
            + "testkit's reachability check does not speak; write it as "
            + "redis://[[user:]password@]host[:port][/database].");
  }

  @Test
  void refusesAnotherScheme() {
    assertThatThrownBy(() -> BrokerUri.parse("redis://host", BrokerKind.RABBITMQ, "(test)"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("The RabbitMQ URI (test) has scheme redis instead of amqp; write it as "
            + "amqp://[user:password@]host[:port]/[vhost].");
  }

  @Test
  void refusesAUriWithoutHostWithoutShowingIt() {
    assertThatThrownBy(() -> BrokerUri.parse("amqp://u:p@ss@host/", BrokerKind.RABBITMQ,
        "(test)"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("The RabbitMQ URI (test) has no host (percent-encode any @")
        .hasMessageNotContaining("p@ss");
  }

  @Test
  void refusesMalformedTextWithoutShowingIt() {
    assertThatThrownBy(() -> BrokerUri.parse("redis://:s3 cret@host", BrokerKind.REDIS,
        "(test)"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("The Redis URI (test) is not a URI (Illegal character in ")
        .hasMessageNotContaining("s3");
  }
}
