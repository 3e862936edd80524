package dev.realtime.testkit.env;

import static dev.realtime.testkit.env.RawConnections.assertDropped;
import static dev.realtime.testkit.env.RawConnections.assertRefused;
import static dev.realtime.testkit.env.RawConnections.closedPort;
import static dev.realtime.testkit.env.RawConnections.open;
import static dev.realtime.testkit.env.RawConnections.ping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.config.RealtimeConfig;
import dev.realtime.config.RealtimeOptions;
import dev.realtime.testkit.fault.FaultProxy;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs against the machine's Redis, as the suite does: {@code scripts/services} starts it. */
class ProxiedRedisTest {
  private ProxiedEnvironment environment;

  @BeforeEach
  void start() {
    environment = Environments.redis();
  }

  @AfterEach
  void close() {
    environment.close();
  }

  @Test
  void pointsTheAdapterAtTheProxy() {
    FaultProxy proxy = environment.proxy();

    assertThat(environment.config().get(RealtimeOptions.BROKER)).isEqualTo("redis");
    assertThat(environment.config().getString("realtime.redis.uri").orElseThrow())
        .matches("redis://([^@/]*@)?127\\.0\\.0\\.1:" + proxy.port() + "(/.*)?");
    assertThat(environment.config().keys())
        .containsExactlyInAnyOrder("realtime.broker", "realtime.redis.uri");
    assertThat(environment.description())
        .startsWith("redis at redis://")
        .endsWith(" through fault proxy 127.0.0.1:" + proxy.port());
    assertThat(environment.canCutConnections()).isTrue();
    assertThat(environment.canRestart()).isTrue();
  }

  @Test
  void unreachableConfigPointsWhereNothingListens() throws IOException {
    RealtimeConfig unreachable = environment.unreachableConfig().orElseThrow();
    String proxied = environment.config().getString("realtime.redis.uri").orElseThrow();
    String uri = unreachable.getString("realtime.redis.uri").orElseThrow();

    assertThat(unreachable.get(RealtimeOptions.BROKER)).isEqualTo("redis");
    int port = URI.create(uri).getPort();
    assertThat(port).isNotEqualTo(environment.proxy().port());
    assertThat(uri.replace(":" + port, ":" + environment.proxy().port())).isEqualTo(proxied);
    assertRefused("127.0.0.1", port);
  }

  @Test
  void answersPingThroughTheProxy() throws IOException {
    try (Socket socket = open(environment.proxy().host(), environment.proxy().port())) {
      assertThat(ping(socket)).isEqualTo("+PONG");
    }
  }

  @Test
  void cutDropsConnectionsAndRefusesNewOnesUntilRestore() throws IOException {
    String host = environment.proxy().host();
    int port = environment.proxy().port();
    try (Socket before = open(host, port)) {
      assertThat(ping(before)).isEqualTo("+PONG");

      environment.cutConnections();

      assertDropped(before);
      assertRefused(host, port);
    }

    environment.restoreConnections();

    try (Socket after = open(host, port)) {
      assertThat(ping(after)).isEqualTo("+PONG");
    }
  }

  @Test
  void restartDropsConnectionsAndAnswersAgain() throws IOException {
    String host = environment.proxy().host();
    int port = environment.proxy().port();
    try (Socket before = open(host, port)) {
      assertThat(ping(before)).isEqualTo("+PONG");

      environment.restart();

      assertDropped(before);
    }
    try (Socket after = open(host, port)) {
      assertThat(ping(after)).isEqualTo("+PONG");
    }
  }

  @Test
  void closeStopsTheProxy() throws IOException {
    FaultProxy proxy = environment.proxy();
    Socket before = open(proxy.host(), proxy.port());
    assertThat(ping(before)).isEqualTo("+PONG");

    environment.close();
    environment.close(); // idempotent

    assertDropped(before);
    before.close();
    assertRefused(proxy.host(), proxy.port());
  }

  @Test
  void unreachableRedisFailsWithTheAddressAndTheFix() throws IOException {
    int port = closedPort();

    assertThatThrownBy(() -> ProxiedEnvironment.redis("redis://u:s3cret@127.0.0.1:" + port + "/0"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Redis does not answer at redis://u:******@127.0.0.1:" + port + "/0 (given "
            + "to ProxiedEnvironment.redis): Connection refused. Start it (scripts/services in "
            + "the realtime repository starts a local one), or set REALTIME_TEST_REDIS_URI to "
            + "the URI of a Redis that runs.")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void unreachableRedisNamesTheVariableItCameFrom() throws IOException {
    int port = closedPort();

    assertThatThrownBy(() -> ProxiedEnvironment.fromEnvironment(BrokerKind.REDIS, 
        Map.of("REALTIME_TEST_REDIS_URI", "redis://:s3cret@127.0.0.1:" + port)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("Redis does not answer at redis://:******@127.0.0.1:" + port
            + " from REALTIME_TEST_REDIS_URI: Connection refused.")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void blankVariableMeansTheDefault() {
    try (ProxiedEnvironment fromDefault =
        ProxiedEnvironment.fromEnvironment(BrokerKind.REDIS,
            Map.of("REALTIME_TEST_REDIS_URI", " "))) {
      assertThat(fromDefault.description()).startsWith("redis at redis://127.0.0.1:6379 through");
    }
  }

  @Test
  void aServerThatIsNotRedisIsNamedAsSuch() throws IOException {
    try (FakeBroker rabbitLike = new FakeBroker(RawConnections.AMQP_HEADER)) {
      assertThatThrownBy(() -> ProxiedEnvironment.redis("redis://127.0.0.1:" + rabbitLike.port()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(": answered PING with AMQP\\x00\\x00\\x09\\x01 instead of "
              + "+PONG; is it Redis? Start it");
    }
  }

  @Test
  void aRedisThatWantsAPasswordSaysWhereToPutIt() throws IOException {
    try (FakeBroker locked = new FakeBroker(ascii("-NOAUTH Authentication required.\r\n"))) {
      assertThatThrownBy(() -> ProxiedEnvironment.redis("redis://127.0.0.1:" + locked.port()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(": answered PING with -NOAUTH Authentication required.; put "
              + "the password into the URI, as redis://:password@host:port.");
    }
  }

  @Test
  void aWrongPasswordIsReportedWithoutIt() throws IOException {
    byte[] wrongPass = ascii("-WRONGPASS invalid username-password pair\r\n");
    try (FakeBroker locked = new FakeBroker(wrongPass)) {
      String uri = "redis://ada:s3cret@127.0.0.1:" + locked.port() + "/1";

      assertThatThrownBy(() -> ProxiedEnvironment.redis(uri))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("Redis does not answer at redis://ada:******@127.0.0.1:"
              + locked.port() + "/1 (given to ProxiedEnvironment.redis): answered AUTH with "
              + "-WRONGPASS invalid username-password pair; check the user name and password "
              + "in the URI.")
          .hasMessageNotContaining("s3cret");
      assertThat(new String(locked.requests().get(0), StandardCharsets.UTF_8))
          .isEqualTo("*3\r\n$4\r\nAUTH\r\n$3\r\nada\r\n$6\r\ns3cret\r\n");
    }
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
