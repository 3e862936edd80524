package dev.realtime.testkit.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

class KafkaEnvironmentTest {
  @Test
  void pointsTheAdapterAtTheEmbeddedBrokerAndCutsAndRestoresIt() throws Exception {
    KafkaEnvironment environment = KafkaEnvironment.create(Map.of());
    String servers = environment.config().getString("realtime.kafka.bootstrap-servers")
        .orElseThrow();
    assertThat(environment.config().getString("realtime.broker")).hasValue("kafka");
    assertThat(environment.canRestart()).isTrue();
    assertThat(answers(servers)).isTrue();

    environment.cutConnections();
    try {
      assertThat(answers(servers)).isFalse();
    } finally {
      environment.restoreConnections();
    }
    assertThat(answers(servers)).isTrue();
    environment.restart();
    assertThat(answers(servers)).isTrue();
  }

  @Test
  void anExternalClusterHasNoFaultHooks() {
    KafkaEnvironment external = KafkaEnvironment.create(
        Map.of("REALTIME_TEST_KAFKA_BOOTSTRAP_SERVERS", "kafka.example:9092"));

    assertThat(external.description()).contains("external cluster at kafka.example:9092");
    assertThat(external.canRestart()).isFalse();
    assertThatThrownBy(external::restart)
        .hasMessageContaining("unset REALTIME_TEST_KAFKA_BOOTSTRAP_SERVERS");
  }

  private static boolean answers(String servers) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
    try (Admin admin = Admin.create(props)) {
      admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
