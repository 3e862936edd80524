package dev.realtime.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.config.RealtimeConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The app's secret stays out of every text, and bad settings are refused with the fix. */
class PusherAppTest {
  @Test
  void theSecretIsNeverShown() {
    PusherApp app = PusherApp.of("1", "key", "s3cr3t-value");

    assertThat(app.toString()).contains("key").doesNotContain("s3cr3t-value");
    assertThat(RealtimeConfig.of(Map.of("realtime.gateway.app-secret", "s3cr3t-value",
        "realtime.gateway.api-token", "t0ken-t0ken-t0ken")).toString())
        .doesNotContain("s3cr3t-value").doesNotContain("t0ken-t0ken-t0ken");
  }

  @Test
  void aBrokerThatRefusesTheNodesChannelIsReportedAsItsRefusalNotAsAPort() {
    dev.realtime.Broker closed = dev.realtime.Brokers.open(RealtimeConfig.of(Map.of()));
    closed.close();

    assertThatThrownBy(() -> Gateway.builder().app(PusherApp.of("1", "k", "s")).broker(closed)
        .host("127.0.0.1").port(0).start())
        .isInstanceOf(dev.realtime.BrokerClosedException.class);
  }

  @Test
  void aBlankCredentialOrAnUnknownGatewaySettingIsRefusedNamingIt() {
    assertThatThrownBy(() -> PusherApp.of("1", " ", "secret"))
        .hasMessageContaining("app key is blank").hasMessageContaining("PUSHER_APP_KEY");
    assertThatThrownBy(() -> Gateway.builder().config(RealtimeConfig.of(Map.of(
        "realtime.gateway.app-id", "1", "realtime.gateway.app-key", "k",
        "realtime.gateway.app-secret", "s", "realtime.gateway.prot", "6002"))))
        .hasMessageContaining("realtime.gateway.prot").hasMessageContaining("realtime.gateway.port");
    assertThatThrownBy(() -> Gateway.builder().config(RealtimeConfig.of(Map.of(
        "realtime.gateway.app-id", "1", "realtime.gateway.app-key", "k",
        "realtime.gateway.app-secret", "s", "realtime.gateway.port", "sixty"))))
        .hasMessageContaining("realtime.gateway.port").hasMessageContaining("sixty");
    try (dev.realtime.Broker memory = dev.realtime.Brokers.open(RealtimeConfig.of(Map.of()))) {
      assertThatThrownBy(() -> Gateway.builder().heartbeat(java.time.Duration.ofSeconds(10))
          .nodeExpiry(java.time.Duration.ofSeconds(15)).app(PusherApp.of("1", "k", "s"))
          .broker(memory).start())
          .hasMessageContaining("less than twice the heartbeat");
    }
  }
}
