package dev.realtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RealtimeOptionsTest {
  @Test
  void coreOptionsAndTheirDefaults() {
    assertThat(RealtimeOptions.BROKER.name()).isEqualTo("realtime.broker");
    assertThat(RealtimeOptions.BROKER.defaultValue()).isEqualTo("memory");
    assertThat(RealtimeOptions.MAX_PAYLOAD_BYTES.name()).isEqualTo("realtime.max-payload-bytes");
    assertThat(RealtimeOptions.MAX_PAYLOAD_BYTES.defaultValue()).isEqualTo(1_048_576L);
    assertThat(RealtimeOptions.PUBLISH_TIMEOUT.name()).isEqualTo("realtime.publish-timeout");
    assertThat(RealtimeOptions.PUBLISH_TIMEOUT.defaultValue()).isEqualTo(Duration.ofSeconds(30));
    assertThat(RealtimeOptions.CLOSE_TIMEOUT.name()).isEqualTo("realtime.close-timeout");
    assertThat(RealtimeOptions.CLOSE_TIMEOUT.defaultValue()).isEqualTo(Duration.ofSeconds(5));
    assertThat(RealtimeOptions.TRACING.name()).isEqualTo("realtime.tracing");
    assertThat(RealtimeOptions.TRACING.defaultValue()).isEqualTo("none");
    assertThat(RealtimeOptions.all()).containsExactly(RealtimeOptions.BROKER,
        RealtimeOptions.MAX_PAYLOAD_BYTES, RealtimeOptions.PUBLISH_TIMEOUT,
        RealtimeOptions.CLOSE_TIMEOUT, RealtimeOptions.CONSUMER_GROUP, RealtimeOptions.TRACING);
  }

  @Test
  void theSeedsConsumerGroupVariableSetsTheDefaultGroup() {
    RealtimeConfig config = RealtimeConfig.builder()
        .environment(java.util.Map.of("KAFKA_CONSUMER_GROUP", "mailers"))
        .systemProperties(java.util.Map.of()).build();
    assertThat(config.get(RealtimeOptions.CONSUMER_GROUP)).isEqualTo("mailers");
    assertThat(RealtimeConfig.of(java.util.Map.of()).get(RealtimeOptions.CONSUMER_GROUP))
        .isNull();
  }

  @Test
  void everyCoreOptionButTheConsumerGroupHasADefaultAndEveryOneADescription() {
    assertThat(RealtimeOptions.all()).allSatisfy(option -> {
      assertThat(option.hasDefault()).isEqualTo(option != RealtimeOptions.CONSUMER_GROUP);
      assertThat(option.description()).endsWith(".");
    });
  }
}
