package dev.realtime.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.ConnectionFactory;
import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Reading realtime.rabbitmq.uri: all of it, or a configuration error; no broker involved. */
class RabbitEndpointTest {
  private static ConnectionFactory factory(String uri) {
    return RabbitEndpoint.factory(RealtimeConfig.builder().set("realtime.rabbitmq.uri", uri)
        .build(), Duration.ofSeconds(1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"amqp://guest:pw-s3cret@127.0.0.1:abc/", "amqp://guest:pw-s3cret@/",
      "amqp://guest:pw-s3cret@127.0.0.1:99999/", "amqp://guest:pw-s3cret@host:5672/#x",
      "amqp://guest:pw-s3cret@ho_st!:5672/", "amqp://guest:pw-s3cret@host/a/b",
      "amqp://guest:pw s3cret@host/", "http://guest:pw-s3cret@host/"})
  void aUriThatDoesNotParseCompletelyIsAConfigurationErrorNamingTheSettingWithoutTheSecret(
      String uri) {
    assertThatThrownBy(() -> factory(uri)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("realtime.rabbitmq.uri")
        .hasMessageContaining("amqp://[user:password@]host[:port][/vhost]")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
  }

  @Test
  void aBadPortIsNamed() {
    assertThatThrownBy(() -> factory("amqp://guest:pw@127.0.0.1:abc/"))
        .hasMessageContaining("the port \"abc\" is not a number")
        .hasMessageContaining("amqp://guest:******@127.0.0.1:abc/");
  }

  @Test
  void addressesListTheNodesAndTakeTheUrisPortWhereTheyGiveNone() {
    RealtimeConfig config = RealtimeConfig.builder()
        .set("realtime.rabbitmq.uri", "amqps://app:pw@lb.example/orders")
        .set("realtime.rabbitmq.addresses", "rabbit-1:5671, rabbit-2,[::1]:5675").build();
    ConnectionFactory factory = RabbitEndpoint.factory(config, Duration.ofSeconds(1));
    var addresses = RabbitEndpoint.addresses(config, factory);

    assertThat(addresses).extracting(a -> a.getHost() + ":" + a.getPort())
        .containsExactly("rabbit-1:5671", "rabbit-2:5671", "[::1]:5675");
    assertThat(RabbitEndpoint.describe(factory, addresses))
        .isEqualTo("amqps://rabbit-1:5671,rabbit-2:5671,[::1]:5675/orders");
    assertThat(RabbitEndpoint.addresses(RealtimeConfig.builder()
        .set("realtime.rabbitmq.uri", "amqp://h:5673").build(), factory("amqp://h:5673")))
        .extracting(a -> a.getHost() + ":" + a.getPort()).containsExactly("h:5673");
  }

  @ParameterizedTest
  @ValueSource(strings = {"rabbit-1:abc", "user:pw@rabbit-1:5672", "rabbit-1:5672;rabbit-2",
      "rabbit-1:99999", "rabbit-1,,rabbit-2"})
  void addressesThatDoNotParseAreAConfigurationErrorNamingTheSetting(String addresses) {
    RealtimeConfig config = RealtimeConfig.builder()
        .set("realtime.rabbitmq.addresses", addresses).build();
    assertThatThrownBy(() -> RabbitEndpoint.addresses(config, factory("amqp://h")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("realtime.rabbitmq.addresses");
  }

  @Test
  void aCompleteUriIsReadWhole() {
    ConnectionFactory factory = factory("amqp://app:pw@rabbit.example:5673/orders");
    assertThat(factory.getHost()).isEqualTo("rabbit.example");
    assertThat(factory.getPort()).isEqualTo(5673);
    assertThat(factory.getUsername()).isEqualTo("app");
    assertThat(factory.getPassword()).isEqualTo("pw");
    assertThat(factory.getVirtualHost()).isEqualTo("orders");
    assertThat(factory("amqp://h").getVirtualHost()).isEqualTo("/");
  }

  @Test
  void amqpsWithVerificationUsesARealTrustManagerAndRaisesNoSecurityAlert() {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    ConnectionFactory factory;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      factory = factory("amqps://app:pw@rabbit.example/");
    } finally {
      System.setErr(original);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("SECURITY ALERT")
        .doesNotContain("TrustEverything");
    assertThat(factory.isSSL()).isTrue();
    assertThat(factory.getPort()).isEqualTo(5671);
    assertThat(factory.getHost()).isEqualTo("rabbit.example");
  }
}
