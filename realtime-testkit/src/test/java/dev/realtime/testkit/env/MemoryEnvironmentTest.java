package dev.realtime.testkit.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.config.RealtimeOptions;
import org.junit.jupiter.api.Test;

class MemoryEnvironmentTest {
  @Test
  void selectsTheMemoryBrokerAndOffersNoFaults() {
    try (MemoryEnvironment environment = Environments.memory()) {
      assertThat(environment.description()).isEqualTo("memory (in-process)");
      assertThat(environment.config().get(RealtimeOptions.BROKER)).isEqualTo("memory");
      assertThat(environment.config().keys()).containsExactly("realtime.broker");
      assertThat(environment.canRestart()).isFalse();
      assertThat(environment.canCutConnections()).isFalse();
      assertThatThrownBy(environment::restart)
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessage("memory (in-process) cannot be restarted");
      assertThatThrownBy(environment::cutConnections)
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessage("memory (in-process) cannot cut connections");
    }
  }
}
