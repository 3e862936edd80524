package dev.realtime.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Realtime;
import dev.realtime.subscription.SubscriptionSpec;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/guide.md's tracing section: its example is the code between the markers below, and the
 * trace it shows is the one this run records, rendered as a tracing backend lists it (message
 * ids, which differ every run, shown as {@code <id>}).
 */
class TracingDocsTest {
  @Test
  void theGuidesTracingExampleMakesTheTraceTheGuideShows() throws Exception {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    try (OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build()) {
      Tracer tracer = openTelemetry.getTracer("shop");
      Span request = tracer.spanBuilder("POST /orders").startSpan();
      try (Scope ignored = request.makeCurrent()) {
        example(openTelemetry);
      } finally {
        request.end();
      }
      await().atMost(Duration.ofSeconds(10))
          .until(() -> exporter.getFinishedSpanItems().size() >= 5);

      String guide = Files.readString(Path.of("..", "docs", "guide.md"));
      assertThat(block(guide, "java", "Realtime.builder()")).as("the guide's example")
          .isEqualTo(exampleSource());
      assertThat(block(guide, "text", "POST /orders")).as("the trace the guide shows")
          .isEqualTo(render(exporter.getFinishedSpanItems()));
    }
  }

  /** The guide's example: a failing first attempt, then a handler that makes its own span. */
  private static void example(OpenTelemetry openTelemetry) throws Exception {
    CountDownLatch mailed = new CountDownLatch(1);
    // guide:start
    Tracer tracer = openTelemetry.getTracer("shop");
    try (Realtime realtime = Realtime.builder()
        .tracing(OpenTelemetryTracing.create(openTelemetry))
        .build()) {
      realtime.on(SubscriptionSpec.builder().channels("orders").group("mailers").build(),
          message -> {
            if (message.deliveryAttempt() == 1) {
              throw new IllegalStateException("mail server busy"); // retried
            }
            Span send = tracer.spanBuilder("send confirmation").startSpan(); // a child of
            send.end();                                                     // "process orders"
            mailed.countDown();
          });
      realtime.broadcast("orders", "placed", Map.of("order", 42)).toCompletableFuture().join();
      mailed.await(10, TimeUnit.SECONDS);
    }
    // guide:end
  }

  private static String exampleSource() throws Exception {
    String source = Files.readString(
        Path.of("src", "test", "java", "dev", "realtime", "tracing", "TracingDocsTest.java"));
    Matcher region = Pattern.compile("// guide:start\n(.*?)\n\\s*// guide:end", Pattern.DOTALL)
        .matcher(source);
    assertThat(region.find()).as("the guide:start / guide:end markers").isTrue();
    return region.group(1).lines().map(line -> line.length() >= 4 ? line.substring(4) : line)
        .collect(Collectors.joining("\n"));
  }

  /** The fenced block of {@code language} in {@code markdown} that contains {@code marker}. */
  private static String block(String markdown, String language, String marker) {
    Matcher fence = Pattern.compile("```" + language + "\n(.*?)\n```", Pattern.DOTALL)
        .matcher(markdown);
    while (fence.find()) {
      if (fence.group(1).contains(marker)) {
        return fence.group(1);
      }
    }
    throw new AssertionError("docs/guide.md has no ```" + language + " block with " + marker);
  }

  /** Spans as a tree, children in the order they started, each with its kind and attributes. */
  static String render(List<SpanData> spans) {
    StringBuilder out = new StringBuilder();
    spans.stream().filter(span -> spans.stream()
            .noneMatch(other -> other.getSpanId().equals(span.getParentSpanId())))
        .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos))
        .forEach(root -> render(root, spans, "", out));
    return out.toString().stripTrailing();
  }

  private static void render(SpanData span, List<SpanData> spans, String indent,
      StringBuilder out) {
    out.append(indent).append(span.getName()).append("  ").append(span.getKind());
    if (span.getStatus().getStatusCode() == io.opentelemetry.api.trace.StatusCode.ERROR) {
      out.append("  ERROR: ").append(span.getStatus().getDescription());
    }
    if (!span.getLinks().isEmpty()) {
      out.append("  (linked to ").append(span.getLinks().stream()
          .map(link -> spans.stream().filter(other -> other.getSpanContext().getSpanId()
              .equals(link.getSpanContext().getSpanId())).map(SpanData::getName)
              .findFirst().orElse("?")).collect(Collectors.joining(", "))).append(")");
    }
    out.append('\n');
    span.getAttributes().asMap().entrySet().stream()
        .sorted(Comparator.comparing(entry -> entry.getKey().getKey()))
        .forEach(entry -> out.append(indent).append("    ").append(entry.getKey().getKey())
            .append(" = ").append(entry.getKey().getKey().equals("messaging.message.id")
                ? "<id>" : entry.getValue()).append('\n'));
    spans.stream().filter(child -> span.getSpanId().equals(child.getParentSpanId()))
        .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos))
        .forEach(child -> render(child, spans, indent + "  ", out));
  }
}
