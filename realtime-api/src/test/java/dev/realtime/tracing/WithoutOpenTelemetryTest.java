package dev.realtime.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.realtime.Realtime;
import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * OpenTelemetry is optional: an application without {@code opentelemetry-api} on its classpath
 * publishes and handles as before, and one that asks for tracing anyway is told which artifact
 * to add. Run in a class loader that holds realtime-api and its required dependencies only.
 */
class WithoutOpenTelemetryTest {
  @Test
  void realtimeRunsWithoutOpenTelemetryAndSaysWhatToAddWhenAskedToTrace() throws Exception {
    try (URLClassLoader isolated = new URLClassLoader(new URL[] {
        locationOf(Realtime.class), locationOf(WithoutOpenTelemetryTest.class),
        locationOf(ObjectMapper.class), locationOf(JsonFactory.class),
        locationOf(JsonProperty.class), locationOf(Logger.class), locationOf(Nullable.class)},
        ClassLoader.getPlatformClassLoader())) {
      assertThat(canLoad(isolated, "io.opentelemetry.api.OpenTelemetry"))
          .as("the isolated class loader hides OpenTelemetry").isFalse();
      Thread thread = Thread.currentThread();
      ClassLoader previous = thread.getContextClassLoader();
      thread.setContextClassLoader(isolated);
      try {
        @SuppressWarnings("unchecked")
        Callable<String> scenario = (Callable<String>) isolated.loadClass(Scenario.class.getName())
            .getDeclaredConstructor().newInstance();
        assertThat(scenario.call())
            .startsWith("delivered; ")
            .contains("realtime.tracing is opentelemetry (from code)")
            .contains("io.opentelemetry:opentelemetry-api is not on the classpath: add it");
      } finally {
        thread.setContextClassLoader(previous);
      }
    }
  }

  /** Runs in the isolated class loader: a broadcast that arrives, then a request to trace. */
  public static final class Scenario implements Callable<String> {
    @Override
    public String call() throws Exception {
      CountDownLatch received = new CountDownLatch(1);
      String result;
      try (Realtime realtime = Realtime.builder().config(RealtimeConfig.of(Map.of())).build()) {
        realtime.on("user.1", message -> received.countDown());
        realtime.broadcast("user.1", "notification", Map.of("title", "Hello"))
            .toCompletableFuture().join();
        result = received.await(10, TimeUnit.SECONDS) ? "delivered; " : "lost; ";
      }
      try (Realtime realtime = Realtime.builder().config(RealtimeConfig.builder()
          .set("realtime.tracing", "opentelemetry").build()).build()) {
        return result + "opened with tracing, which cannot be";
      } catch (ConfigurationException e) {
        return result + e.getMessage();
      }
    }
  }

  private static boolean canLoad(ClassLoader loader, String name) {
    try {
      Class.forName(name, false, loader);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static URL locationOf(Class<?> type) {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }
}
