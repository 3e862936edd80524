package dev.realtime.testkit.env;

import static dev.realtime.testkit.env.RawConnections.amqpFirstByte;
import static dev.realtime.testkit.env.RawConnections.assertDropped;
import static dev.realtime.testkit.env.RawConnections.assertRefused;
import static dev.realtime.testkit.env.RawConnections.closedPort;
import static dev.realtime.testkit.env.RawConnections.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.config.RealtimeConfig;
import dev.realtime.config.RealtimeOptions;
import dev.realtime.testkit.fault.FaultProxy;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs against the machine's RabbitMQ, as the suite does: {@code scripts/services} starts it. */
class ProxiedRabbitMqTest {
  /** The first byte of connection.start: a method frame. */
  private static final int METHOD_FRAME = 1;

  private ProxiedEnvironment environment;

  @BeforeEach
  void start() {
    environment = Environments.rabbitmq();
  }

  @AfterEach
  void close() {
    environment.close();
  }

  @Test
  void pointsTheAdapterAtTheProxy() {
    FaultProxy proxy = environment.proxy();

    assertThat(environment.config().get(RealtimeOptions.BROKER)).isEqualTo("rabbitmq");
    assertThat(environment.config().getString("realtime.rabbitmq.uri").orElseThrow())
        .matches("amqp://([^@/]*@)?127\\.0\\.0\\.1:" + proxy.port() + "(/.*)?");
    assertThat(environment.config().keys())
        .containsExactlyInAnyOrder("realtime.broker", "realtime.rabbitmq.uri");
    assertThat(environment.description())
        .startsWith("rabbitmq at amqp://")
        .endsWith(" through fault proxy 127.0.0.1:" + proxy.port())
        .doesNotContain("guest:guest");
    assertThat(environment.canCutConnections()).isTrue();
    assertThat(environment.canRestart()).isTrue();
  }

  @Test
  void unreachableConfigPointsWhereNothingListens() throws IOException {
    RealtimeConfig unreachable = environment.unreachableConfig().orElseThrow();
    String proxied = environment.config().getString("realtime.rabbitmq.uri").orElseThrow();
    String uri = unreachable.getString("realtime.rabbitmq.uri").orElseThrow();

    assertThat(unreachable.get(RealtimeOptions.BROKER)).isEqualTo("rabbitmq");
    int port = URI.create(uri).getPort();
    assertThat(port).isNotEqualTo(environment.proxy().port());
    assertThat(uri.replace(":" + port, ":" + environment.proxy().port())).isEqualTo(proxied);
    assertRefused("127.0.0.1", port);
  }

  @Test
  void answersTheProtocolHeaderThroughTheProxy() throws IOException {
    try (Socket socket = open(environment.proxy().host(), environment.proxy().port())) {
      assertThat(amqpFirstByte(socket)).isEqualTo(METHOD_FRAME);
    }
  }

  @Test
  void cutDropsConnectionsAndRefusesNewOnesUntilRestore() throws IOException {
    String host = environment.proxy().host();
    int port = environment.proxy().port();
    try (Socket before = open(host, port)) {
      assertThat(amqpFirstByte(before)).isEqualTo(METHOD_FRAME);

      environment.cutConnections();

      assertDropped(before);
      assertRefused(host, port);
    }

    environment.restoreConnections();

    try (Socket after = open(host, port)) {
      assertThat(amqpFirstByte(after)).isEqualTo(METHOD_FRAME);
    }
  }

  @Test
  void restartDropsConnectionsAndAnswersAgain() throws IOException {
    String host = environment.proxy().host();
    int port = environment.proxy().port();
    try (Socket before = open(host, port)) {
      assertThat(amqpFirstByte(before)).isEqualTo(METHOD_FRAME);

      environment.restart();

      assertDropped(before);
    }
    try (Socket after = open(host, port)) {
      assertThat(amqpFirstByte(after)).isEqualTo(METHOD_FRAME);
    }
  }

  @Test
  void unreachableRabbitMqFailsWithTheAddressAndTheFixButNotThePassword() throws IOException {
    int port = closedPort();

    assertThatThrownBy(() -> ProxiedEnvironment.rabbitmq("amqp://u:s3cret@127.0.0.1:" + port
        + "/orders"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("RabbitMQ does not answer at amqp://u:******@127.0.0.1:" + port + "/orders "
            + "(given to ProxiedEnvironment.rabbitmq): Connection refused. Start it "
            + "(scripts/services in the realtime repository starts a local one), or set "
            + "REALTIME_TEST_RABBITMQ_URI to the URI of a RabbitMQ that runs.")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void theBriefsExampleUriIsMaskedToo() {
    // Port 1 is privileged and never a broker here: the connection is refused.
    assertThatThrownBy(() -> ProxiedEnvironment.rabbitmq("amqp://u:s3cret@127.0.0.1:1/"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("RabbitMQ does not answer at amqp://u:******@127.0.0.1:1/ ")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void unreachableRabbitMqNamesTheVariableItCameFrom() throws IOException {
    int port = closedPort();

    assertThatThrownBy(() -> ProxiedEnvironment.fromEnvironment(BrokerKind.RABBITMQ, 
        Map.of("REALTIME_TEST_RABBITMQ_URI", "amqp://u:s3cret@127.0.0.1:" + port + "/")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("RabbitMQ does not answer at amqp://u:******@127.0.0.1:" + port
            + "/ from REALTIME_TEST_RABBITMQ_URI: Connection refused.")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void aServerThatSpeaksAnotherAmqpIsNamedAsSuch() throws IOException {
    byte[] amqp10 = {'A', 'M', 'Q', 'P', 0, 1, 0, 0};
    try (FakeBroker other = new FakeBroker(amqp10)) {
      assertThatThrownBy(() -> ProxiedEnvironment.rabbitmq("amqp://127.0.0.1:" + other.port()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(": answered with its own protocol header: it does not speak "
              + "AMQP 0-9-1. Start it");
      assertThat(other.requests().get(0)).containsExactly(RawConnections.AMQP_HEADER);
    }
  }

  @Test
  void aServerThatClosesAtOnceIsNamedAsSuch() throws IOException {
    try (FakeBroker silent = new FakeBroker(new byte[0])) {
      assertThatThrownBy(() -> ProxiedEnvironment.rabbitmq("amqp://127.0.0.1:" + silent.port()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(": closed the connection without answering the AMQP 0-9-1 "
              + "header. Start it");
    }
  }
}
