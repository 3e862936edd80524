package dev.realtime.guice;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.realtime.Broker;
import dev.realtime.Realtime;
import dev.realtime.channel.ChannelAdmin;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.tracing.OpenTelemetryTracing;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RealtimeModuleTest {
  @Test
  void bindsOneRealtimeAndItsBrokerAndAdmin() {
    Injector injector = Guice.createInjector(
        new RealtimeModule(RealtimeConfig.of(Map.of())).withoutShutdownHook());

    Realtime realtime = injector.getInstance(Realtime.class);
    try {
      assertThat(injector.getInstance(Realtime.class)).isSameAs(realtime);
      assertThat(injector.getInstance(Broker.class)).isSameAs(realtime.broker());
      assertThat(injector.getInstance(ChannelAdmin.class)).isNotNull();
      assertThat(realtime.broker().name()).isEqualTo("memory");
    } finally {
      realtime.close();
    }
    assertThat(realtime.broker().health().isUp()).isFalse();
  }

  @Test
  void theBoundRealtimeTracesWithTheModulesTracing() {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    try (OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build()) {
      Injector injector = Guice.createInjector(new RealtimeModule(RealtimeConfig.of(Map.of()))
          .withoutShutdownHook().withTracing(OpenTelemetryTracing.create(openTelemetry)));
      try (Realtime realtime = injector.getInstance(Realtime.class)) {
        realtime.broadcast("user.1", "notification", Map.of()).toCompletableFuture().join();
      }
      assertThat(exporter.getFinishedSpanItems()).extracting(SpanData::getName)
          .containsExactly("publish user.1");
    }
  }
}
