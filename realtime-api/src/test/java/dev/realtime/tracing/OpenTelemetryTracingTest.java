package dev.realtime.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.Message;
import dev.realtime.PublishReceipt;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelPattern;
import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.subscription.SubscriptionSpec;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link OpenTelemetryTracing} does beyond the trace that crosses a broker (which the
 * testkit's {@code TracingRun} checks on every adapter): failed publishes, propagator choice,
 * batches, patterns, and how {@code realtime.tracing} finds the global OpenTelemetry.
 */
class OpenTelemetryTracingTest {
  private static final AttributeKey<String> TEMPLATE =
      AttributeKey.stringKey("messaging.destination.template");
  private static final AttributeKey<Long> BATCH_COUNT =
      AttributeKey.longKey("messaging.batch.message_count");
  private static final AttributeKey<String> DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
      .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();

  @AfterEach
  void tearDown() {
    tracerProvider.close();
    GlobalOpenTelemetry.resetForTest();
  }

  @Test
  void aPublishTheBrokerRefusesEndsItsSpanAsAnErrorWithTheCause() {
    OpenTelemetryTracing tracing = OpenTelemetryTracing.create(sdk(true));
    Message message = Message.builder().channel("orders").event("placed").build();
    CompletableFuture<PublishReceipt> refused = new CompletableFuture<>();
    refused.completeExceptionally(new CompletionException(
        new IllegalStateException("the broker said no")));

    CompletableFuture<PublishReceipt> result =
        tracing.publish("memory", message, sent -> refused).toCompletableFuture();

    assertThat(result).isCompletedExceptionally();
    SpanData span = exporter.getFinishedSpanItems().get(0);
    assertThat(span.getName()).isEqualTo("publish orders");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getStatus().getDescription()).isEqualTo("the broker said no");
    assertThat(span.getAttributes().get(ERROR_TYPE))
        .as("the cause, not the stage's wrapper")
        .isEqualTo(IllegalStateException.class.getName());
  }

  @Test
  void aPublishThatThrowsEndsItsSpanToo() {
    OpenTelemetryTracing tracing = OpenTelemetryTracing.create(sdk(true));
    Message message = Message.builder().channel("orders").event("placed").build();

    assertThatThrownBy(() -> tracing.publish("memory", message, sent -> {
      throw new IllegalArgumentException("bad message");
    })).hasMessage("bad message");

    assertThat(exporter.getFinishedSpanItems()).singleElement()
        .satisfies(span -> assertThat(span.getStatus().getStatusCode())
            .isEqualTo(StatusCode.ERROR));
  }

  @Test
  void anOpenTelemetryWithoutPropagatorsStillCarriesW3cTraceContext() {
    // OpenTelemetrySdk.builder() propagates nothing unless told: a trace that stopped at the
    // broker would be the silent result.
    OpenTelemetryTracing tracing = OpenTelemetryTracing.create(sdk(false));
    Message message = Message.builder().channel("orders").event("placed").build();
    List<Message> sent = new CopyOnWriteArrayList<>();

    tracing.publish("memory", message, carried -> {
      sent.add(carried);
      return CompletableFuture.completedFuture(new PublishReceipt(carried.id(),
          carried.channel(), null));
    });

    SpanData span = exporter.getFinishedSpanItems().get(0);
    assertThat(sent.get(0).header("traceparent"))
        .startsWith("00-" + span.getTraceId() + "-" + span.getSpanId() + "-");
    assertThat(sent.get(0).id()).as("the same message, with one more header")
        .isEqualTo(message.id());
  }

  @Test
  void aNewPublishReplacesTheContextAMessageCarried() {
    OpenTelemetryTracing tracing = OpenTelemetryTracing.create(sdk(true));
    Message forwarded = Message.builder().channel("orders").event("placed")
        .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        .header("tracestate", "vendor=stale")
        .build();
    List<Message> sent = new CopyOnWriteArrayList<>();
    Span application = tracerProvider.get("test").spanBuilder("request").startSpan();

    try (Scope ignored = application.makeCurrent()) {
      tracing.publish("memory", forwarded, carried -> {
        sent.add(carried);
        return new CompletableFuture<>();
      });
    }

    assertThat(sent.get(0).header("traceparent"))
        .contains(application.getSpanContext().getTraceId());
    assertThat(sent.get(0).headers()).as("no tracestate of the old trace rides along")
        .doesNotContainKey("tracestate");
  }

  @Test
  void aBatchMakesOneSpanLinkedToEveryMessagesPublish() throws Exception {
    OpenTelemetryTracing tracing = OpenTelemetryTracing.create(sdk(true));
    try (Broker broker = Brokers.open(RealtimeConfig.of(Map.of()), RealtimeMetrics.NOOP,
        tracing)) {
      List<List<Message>> batches = new CopyOnWriteArrayList<>();
      List<Message> published = List.of(
          Message.builder().channel("orders").event("placed").build(),
          Message.builder().channel("orders").event("placed").build());
      broker.publishAll(published).toCompletableFuture().join();
      broker.subscribeBatches(SubscriptionSpec.builder().channels("orders")
          .start(dev.realtime.subscription.StartPosition.earliest()).batchSize(10).build(),
          batches::add);

      // Both messages' batches handled and their spans ended: one batch or two.
      await().atMost(Duration.ofSeconds(10)).until(() -> exporter.getFinishedSpanItems().stream()
          .filter(span -> span.getName().equals("process orders"))
          .mapToLong(span -> span.getAttributes().get(BATCH_COUNT)).sum() == 2);
      List<SpanData> spans = exporter.getFinishedSpanItems();
      List<String> publishSpans = spans.stream()
          .filter(span -> span.getName().equals("publish orders")).map(SpanData::getSpanId)
          .toList();
      assertThat(publishSpans).as("one publish span per message of publishAll").hasSize(2);
      List<SpanData> processed = spans.stream()
          .filter(span -> span.getName().equals("process orders")).toList();
      assertThat(processed.stream().mapToLong(span -> span.getAttributes().get(BATCH_COUNT))
          .sum()).isEqualTo(2);
      assertThat(processed.stream().flatMap(span -> span.getLinks().stream())
          .map(LinkData::getSpanContext).map(SpanContext::getSpanId).toList())
          .as("each message's publish, linked").containsExactlyInAnyOrderElementsOf(publishSpans);
      assertThat(processed).allSatisfy(span ->
          assertThat(span.getAttributes().get(DESTINATION)).isEqualTo("orders"));
    }
  }

  @Test
  void aPatternSubscriptionsSpansAreNamedAfterThePattern() throws Exception {
    OpenTelemetryTracing tracing = OpenTelemetryTracing.create(sdk(true));
    try (Broker broker = Brokers.open(RealtimeConfig.of(Map.of()), RealtimeMetrics.NOOP,
        tracing)) {
      List<Message> seen = new CopyOnWriteArrayList<>();
      broker.subscribe(SubscriptionSpec.builder().pattern(ChannelPattern.of("user.*")).build(),
          seen::add);
      broker.publish(Message.builder().channel("user.7").event("hello").build())
          .toCompletableFuture().join();

      // One span name for every user's channel, as the conventions ask.
      await().atMost(Duration.ofSeconds(10)).until(() -> exporter.getFinishedSpanItems()
          .stream().anyMatch(span -> span.getName().equals("process user.*")));
      SpanData process = exporter.getFinishedSpanItems().stream()
          .filter(span -> span.getName().equals("process user.*")).findFirst().orElseThrow();
      assertThat(process.getAttributes().get(DESTINATION)).isEqualTo("user.7");
      assertThat(process.getAttributes().get(TEMPLATE)).isEqualTo("user.*");
    }
  }

  @Test
  void anErrorFromTheAdapterEndsThePublishSpansToo() {
    OpenTelemetryTracing tracing = OpenTelemetryTracing.create(sdk(true));
    List<Message> messages = List.of(Message.builder().channel("orders").event("a").build(),
        Message.builder().channel("orders").event("b").build());

    assertThatThrownBy(() -> tracing.publishAll("memory", messages, sent -> {
      throw new StackOverflowError("deep");
    })).isInstanceOf(StackOverflowError.class);
    assertThatThrownBy(() -> tracing.publish("memory", messages.get(0), sent -> {
      throw new AssertionError("adapter bug");
    })).isInstanceOf(AssertionError.class);

    assertThat(exporter.getFinishedSpanItems()).hasSize(3).allSatisfy(span ->
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR));
  }

  @Test
  void baggageTravelsWithTheMessageToTheHandler() throws Exception {
    OpenTelemetryTracing tracing = OpenTelemetryTracing.create(OpenTelemetrySdk.builder()
        .setTracerProvider(tracerProvider)
        .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
        .build());
    try (Broker broker = Brokers.open(RealtimeConfig.of(Map.of()), RealtimeMetrics.NOOP,
        tracing)) {
      List<String> tenants = new CopyOnWriteArrayList<>();
      broker.subscribe(SubscriptionSpec.builder().channels("orders").build(),
          message -> tenants.add(String.valueOf(Baggage.current().getEntryValue("tenant"))));
      try (Scope ignored = Baggage.builder().put("tenant", "acme").build().makeCurrent()) {
        broker.publish(Message.builder().channel("orders").event("placed").build())
            .toCompletableFuture().join();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> !tenants.isEmpty());
      assertThat(tenants).containsExactly("acme");
    }
  }

  @Test
  void aMessageWithoutTraceContextIsHandledInASpanOfItsOwn() throws Exception {
    OpenTelemetryTracing tracing = OpenTelemetryTracing.create(sdk(true));
    Message foreign = Message.builder().channel("orders").event("placed").build();
    List<SpanContext> current = new CopyOnWriteArrayList<>();

    tracing.handler("memory", SubscriptionSpec.builder().channels("orders").build(),
        message -> current.add(Span.current().getSpanContext())).handle(foreign);

    SpanData process = exporter.getFinishedSpanItems().get(0);
    assertThat(process.getName()).isEqualTo("process orders");
    assertThat(process.getParentSpanContext().isValid()).as("a trace of its own").isFalse();
    assertThat(process.getLinks()).isEmpty();
    assertThat(current.get(0).getSpanId()).isEqualTo(process.getSpanId());
  }

  @Test
  void whenOpenTelemetryFailsMessagesGoUntracedNotRefused() throws Exception {
    OpenTelemetry broken = new OpenTelemetry() {
      @Override
      public TracerProvider getTracerProvider() {
        throw new IllegalStateException("autoconfiguration failed");
      }

      @Override
      public ContextPropagators getPropagators() {
        throw new IllegalStateException("autoconfiguration failed");
      }
    };
    try (Broker broker = Brokers.open(RealtimeConfig.of(Map.of()), RealtimeMetrics.NOOP,
        OpenTelemetryTracing.create(broken))) {
      List<Message> seen = new CopyOnWriteArrayList<>();
      broker.subscribe(SubscriptionSpec.builder().channels("orders").build(), seen::add);
      broker.publish(Message.builder().channel("orders").event("placed").build())
          .toCompletableFuture().join();
      await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
      assertThat(seen.get(0).deliveryAttempt()).as("handled at the first attempt").isEqualTo(1);
    }
  }

  @Test
  void realtimeTracingOpentelemetryTracesWithTheGlobalOpenTelemetry() {
    Broker broker = Brokers.open(RealtimeConfig.of(Map.of("realtime.tracing", "opentelemetry")));
    // Installed after the broker opened, as an agent or a framework may: found on first use.
    GlobalOpenTelemetry.set(sdk(true));
    try (broker) {
      broker.publish(Message.builder().channel("orders").event("placed").build())
          .toCompletableFuture().join();
    }
    assertThat(exporter.getFinishedSpanItems()).extracting(SpanData::getName)
        .containsExactly("publish orders");
  }

  @Test
  void withoutTracingAPublishedMessageGainsNoHeaders() throws Exception {
    try (Broker broker = Brokers.open(RealtimeConfig.of(Map.of()))) {
      List<Message> seen = new CopyOnWriteArrayList<>();
      broker.subscribe(SubscriptionSpec.builder().channels("orders").build(), seen::add);
      Span application = sdk(true).getTracer("test").spanBuilder("request").startSpan();
      try (Scope ignored = application.makeCurrent()) {
        broker.publish(Message.builder().channel("orders").event("placed").build())
            .toCompletableFuture().join();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
      assertThat(seen.get(0).headers()).isEmpty();
    }
  }

  @Test
  void aTracingSettingThatIsNotAChoiceIsRefusedWithTheChoices() {
    assertThatThrownBy(() -> Brokers.open(RealtimeConfig.of(Map.of("realtime.tracing", "otel"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("realtime.tracing")
        .hasMessageContaining("none, opentelemetry");
  }

  private OpenTelemetrySdk sdk(boolean propagators) {
    var builder = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider);
    if (propagators) {
      builder.setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()));
    }
    return builder.build();
  }
}
