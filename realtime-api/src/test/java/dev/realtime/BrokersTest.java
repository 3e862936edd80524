package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery: the provider named by realtime.broker, and what a user reads when it goes wrong. */
class BrokersTest {
  @Test
  void opensTheMemoryBrokerByDefault() {
    try (Broker broker = Brokers.open(RealtimeConfig.of(Map.of()))) {
      assertThat(broker.name()).isEqualTo("memory");
      assertThat(broker.health().isUp()).isTrue();
    }
  }

  @Test
  void aMissingAdapterNamesTheArtifactToAddAndWhatFailedToLoad() {
    RealtimeConfig config = RealtimeConfig.builder()
        .environment(Map.of("REALTIME_BROKER", "kafka"))
        .systemProperties(Map.of())
        .build();

    // This module's test META-INF/services lists two broken providers (ThrowingProvider and
    // NoSuchProvider): the one asked for may be among them, so the error names both with causes.
    assertThatThrownBy(() -> Brokers.open(config))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("realtime.broker is \"kafka\"")
        .hasMessageContaining("environment variable REALTIME_BROKER")
        .hasMessageContaining("Found: memory.")
        .hasMessageContaining("Failed to load")
        .hasMessageContaining("dev.realtime.ThrowingProvider")
        .hasMessageContaining("broken on purpose")
        .hasMessageContaining("com.example.client.Connection")
        .hasMessageContaining("dev.realtime.NoSuchProvider not found")
        .hasMessageContaining("dev.realtime:realtime-kafka");
  }

  @Test
  void aBrokenProviderDoesNotStopAnotherFromOpening() {
    assertThat(Brokers.providers()).containsOnlyKeys("memory");
    try (Broker broker = Brokers.open(RealtimeConfig.of(Map.of("realtime.broker", "memory")))) {
      assertThat(broker.name()).isEqualTo("memory");
    }
    assertThat(Brokers.provider("Memory").name()).isEqualTo("memory");
  }

  @Test
  void anUnknownAdapterSaysHowToRegisterACustomOne() {
    assertThatThrownBy(() -> Brokers.open(RealtimeConfig.of(Map.of("realtime.broker", "nats"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("\"nats\"")
        .hasMessageContaining("META-INF/services/dev.realtime.spi.BrokerProvider");
    assertThatThrownBy(() -> Brokers.provider("nats"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("Broker \"nats\" was asked for")
        .hasMessageContaining("Found: memory.");
  }

  @Test
  void anUnknownSettingIsReportedWithTheNearestKnownOne() {
    assertThatThrownBy(() -> Brokers.open(RealtimeConfig.of(Map.of("realtime.brokr", "memory"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("realtime.brokr")
        .hasMessageContaining("Did you mean realtime.broker?");
  }

  @Test
  void twoProvidersOfOneNameFailOnlyWhenThatNameIsAskedFor(@TempDir Path dir)
      throws IOException {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.writeString(services.resolve("dev.realtime.spi.BrokerProvider"),
        Twin.class.getName() + "\n" + OtherTwin.class.getName() + "\n");

    try (Broker broker = withClassLoader(dir, () -> Brokers.open(RealtimeConfig.of(Map.of())))) {
      assertThat(broker.name()).isEqualTo("memory");
    }
    assertThatThrownBy(() -> withClassLoader(dir, () -> Brokers.provider("twin")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("Two broker providers are named \"twin\"")
        .hasMessageContaining(Twin.class.getName())
        .hasMessageContaining(OtherTwin.class.getName());
  }

  /** Claims the name "twin", as a second copy of an adapter on the classpath would. */
  public static class Twin implements dev.realtime.spi.BrokerProvider {
    @Override
    public String name() {
      return "twin";
    }

    @Override
    public Capabilities capabilities() {
      return Capabilities.of();
    }

    @Override
    public Broker create(dev.realtime.spi.BrokerContext context) {
      throw new AssertionError("not opened");
    }
  }

  /** The other provider named "twin". */
  public static final class OtherTwin extends Twin {}

  @Test
  void listsTheProvidersOnTheClasspath() {
    assertThat(Brokers.providers()).containsKey("memory");
    assertThat(Brokers.providers().get("memory").capabilities().asSet())
        .contains(Capability.PERSISTENCE, Capability.CONSUMER_GROUPS, Capability.REPLAY);
  }

  @Test
  void anOversizedPayloadIsRefusedBeforeAnythingIsSent() {
    try (Broker broker = Brokers.open(
        RealtimeConfig.of(Map.of("realtime.max-payload-bytes", "16")))) {
      Message small = Message.builder().channel("a").event("e").payload(new byte[16]).build();
      Message large = Message.builder().channel("a").event("e").payload(new byte[17]).build();

      assertThatThrownBy(() -> broker.publishAll(java.util.List.of(small, large)))
          .isInstanceOf(PayloadTooLargeException.class)
          .hasMessageContaining("is 17 bytes; at most 16 are allowed")
          .hasMessageContaining("realtime.max-payload-bytes");
      assertThat(broker.admin().describe(small.channel())).isEmpty();
    }
  }

  private static <T> T withClassLoader(Path dir, Supplier<T> action) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {toUrl(dir)}, previous)) {
      thread.setContextClassLoader(loader);
      return action.get();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private static URL toUrl(Path dir) {
    try {
      return dir.toUri().toURL();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
