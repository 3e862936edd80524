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
