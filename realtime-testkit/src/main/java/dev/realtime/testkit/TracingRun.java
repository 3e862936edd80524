package dev.realtime.testkit;

import static dev.realtime.testkit.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.Capability;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelSpec;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.subscription.NonRetryableException;
import dev.realtime.subscription.SubscriptionSpec;
import dev.realtime.tracing.OpenTelemetryTracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
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
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Checks that a trace crosses a real broker: publish → broker → handler, with OpenTelemetry's
 * SDK and its in-memory exporter, on whatever adapter the settings name. Each adapter module
 * runs it, as it runs {@link QuickstartRun}; the trace context travels in message headers, and
 * each adapter writes headers in its own wire format, so each is checked on its own broker.
 *
 * <pre>{@code
 * @Test
 * void aTraceCrossesKafka() throws Exception {
 *   try (BrokerEnvironment kafka = Environments.kafka()) {
 *     TracingRun.assertTraceCrosses(kafka.config());
 *   }
 * }
 * }</pre>
 *
 * <p>What it checks, on channels new to the broker and deleted afterwards:
 *
 * <ul>
 *   <li>A message published inside the application's span makes a {@code publish} span, child
 *       of it, and the message arrives carrying that span's context ({@code traceparent}).
 *   <li>A broadcast subscriber's {@code process} span is the publish span's child and links to
 *       it; a span the handler starts is the process span's child (the span is current).
 *   <li>Where the broker has groups: a handler that fails and is retried makes one span per
 *       attempt, the failed one marked as an error with the exception's type.
 *   <li>Where it has dead letters: the dead letter's publish continues the message's trace, and
 *       the dead-letter channel's subscriber continues it again.
 * </ul>
 */
public final class TracingRun {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  private static final AttributeKey<String> OPERATION_TYPE =
      AttributeKey.stringKey("messaging.operation.type");
  private static final AttributeKey<String> DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");
  private static final AttributeKey<String> MESSAGE_ID =
      AttributeKey.stringKey("messaging.message.id");
  private static final AttributeKey<String> GROUP =
      AttributeKey.stringKey("messaging.consumer.group.name");
  private static final AttributeKey<Long> ATTEMPT =
      AttributeKey.longKey("realtime.message.delivery_attempt");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  private TracingRun() {}

  /** Runs the checks above against the broker {@code config} names. */
  public static void assertTraceCrosses(RealtimeConfig config) throws Exception {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    try (OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build()) {
      Tracer tracer = openTelemetry.getTracer("dev.realtime.testkit");
      String run = "t" + Long.toString(ThreadLocalRandom.current().nextLong(Long.MAX_VALUE), 36)
          .toLowerCase(Locale.ROOT);
      Channel orders = Channel.of("tracing." + run + ".orders");
      Channel dead = Channel.of("tracing." + run + ".dead");
      Channel doomed = Channel.of("tracing." + run + ".doomed");
      try (Broker broker = Brokers.open(config, RealtimeMetrics.NOOP,
          OpenTelemetryTracing.create(openTelemetry))) {
        try {
          check(broker, tracer, exporter, orders, doomed, dead, run);
        } finally {
          for (Channel channel : List.of(orders, dead, doomed)) {
            try {
              broker.admin().delete(channel);
            } catch (RuntimeException e) {
              // Never made (a capability the broker lacks), or gone: nothing to clean.
            }
          }
        }
      }
    }
  }

  private static void check(Broker broker, Tracer tracer, InMemorySpanExporter exporter,
      Channel orders, Channel doomed, Channel dead, String run) throws Exception {
    boolean groups = broker.capabilities().has(Capability.CONSUMER_GROUPS);
    boolean deadLetters = groups && broker.capabilities().has(Capability.DEAD_LETTER);
    String group = "tracing-" + run;
    if (groups) {
      broker.admin().ensure(ChannelSpec.builder(orders).groups(group).build());
    }
    if (deadLetters) {
      broker.admin().ensure(ChannelSpec.builder(doomed).groups(group).build());
    }

    // What each handler saw: the header, and the span current while it ran.
    Map<String, Message> broadcastSeen = new ConcurrentHashMap<>();
    Map<String, SpanContext> broadcastCurrent = new ConcurrentHashMap<>();
    Map<Integer, Message> groupAttempts = new ConcurrentHashMap<>();
    Map<String, Message> deadSeen = new ConcurrentHashMap<>();
    try (var broadcast = broker.subscribe(SubscriptionSpec.builder().channel(orders).build(),
             message -> {
               broadcastCurrent.put(message.id(), Span.current().getSpanContext());
               tracer.spanBuilder("work").startSpan().end();
               broadcastSeen.put(message.id(), message);
             });
         var members = groups ? broker.subscribe(SubscriptionSpec.builder().channel(orders)
             .group(group).retryPolicy(HandlingCases.FAST_RETRY).build(), message -> {
               groupAttempts.put(message.deliveryAttempt(), message);
               if (message.deliveryAttempt() == 1) {
                 throw new IllegalStateException("the first attempt fails");
               }
             }) : null;
         var doomedMembers = deadLetters ? broker.subscribe(SubscriptionSpec.builder()
             .channel(doomed).group(group).deadLetterChannel(dead).build(), message -> {
               throw new NonRetryableException("refused for the test");
             }) : null;
         var deadReader = deadLetters ? broker.subscribe(SubscriptionSpec.builder()
             .channel(dead).build(), message -> deadSeen.put(message.id(), message)) : null) {
      Span request = tracer.spanBuilder("request").startSpan();
      Message order = Message.builder().channel(orders).event("placed").payload("{}").build();
      Message refused = Message.builder().channel(doomed).event("placed").payload("{}").build();
      try (Scope ignored = request.makeCurrent()) {
        broker.publish(order).toCompletableFuture().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        if (deadLetters) {
          broker.publish(refused).toCompletableFuture()
              .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }
      } finally {
        request.end();
      }
      String trace = request.getSpanContext().getTraceId();

      await().atMost(DEADLINE).until(() -> broadcastSeen.containsKey(order.id())
          && (!groups || groupAttempts.containsKey(2))
          && (!deadLetters || !deadSeen.isEmpty()));
      // A span ends just after its handler returns, and an at-least-once broker may deliver
      // again: wait until the spans below are there, whatever else arrives.
      await().atMost(DEADLINE).untilAsserted(() -> {
        List<SpanData> spans = exporter.getFinishedSpanItems();

        SpanData published = only(spans, "publish " + orders.name(), order.id());
        assertThat(published.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(published.getTraceId()).as("the publish joins the application's trace")
            .isEqualTo(trace);
        assertThat(published.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
        assertThat(published.getAttributes().get(SYSTEM)).isEqualTo(broker.name());
        assertThat(published.getAttributes().get(OPERATION_TYPE)).isEqualTo("send");
        assertThat(published.getAttributes().get(DESTINATION)).isEqualTo(orders.name());
        assertThat(published.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
        assertThat(broadcastSeen.get(order.id()).header("traceparent"))
            .as("the trace context the message carried across " + broker.name())
            .startsWith("00-" + trace + "-" + published.getSpanId() + "-"); // then the flags

        List<SpanData> processed = all(spans, "process " + orders.name(), order.id());
        SpanData broadcastSpan = processed.stream()
            .filter(span -> span.getAttributes().get(GROUP) == null).findFirst().orElseThrow();
        assertProcessOf(broadcastSpan, published, broker.name());
        assertThat(broadcastCurrent.get(order.id()).getSpanId())
            .as("the span current in the handler").isEqualTo(broadcastSpan.getSpanId());
        SpanData work = spans.stream().filter(span -> span.getName().equals("work"))
            .findFirst().orElseThrow();
        assertThat(work.getParentSpanId()).isEqualTo(broadcastSpan.getSpanId());

        if (groups) {
          // One span per attempt of the group's handler: the first failed, the second not.
          SpanData first = attempt(processed, group, 1);
          SpanData second = attempt(processed, group, 2);
          assertProcessOf(first, published, broker.name());
          assertProcessOf(second, published, broker.name());
          assertThat(first.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
          assertThat(first.getAttributes().get(ERROR_TYPE))
              .isEqualTo(IllegalStateException.class.getName());
          assertThat(first.getEvents()).as("the exception, recorded")
              .anyMatch(event -> event.getName().equals("exception"));
          assertThat(second.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
        }

        if (deadLetters) {
          SpanData refusedPublish = only(spans, "publish " + doomed.name(), refused.id());
          assertThat(refusedPublish.getParentSpanId())
              .isEqualTo(request.getSpanContext().getSpanId());
          SpanData refusal = first(spans, "process " + doomed.name(), refused.id());
          assertProcessOf(refusal, refusedPublish, broker.name());
          assertThat(refusal.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
          Message letter = deadSeen.values().iterator().next();
          SpanData letterPublish = only(spans, "publish " + dead.name(), letter.id());
          assertThat(letterPublish.getTraceId()).as("the dead letter continues the trace")
              .isEqualTo(trace);
          assertThat(letterPublish.getParentSpanId()).as("from the refused message's publish")
              .isEqualTo(refusedPublish.getSpanId());
          assertProcessOf(first(spans, "process " + dead.name(), letter.id()), letterPublish,
              broker.name());
        }
      });
    }
  }

  private static void assertProcessOf(SpanData process, SpanData published, String system) {
    assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(process.getTraceId()).as("the handler's span is in the publisher's trace")
        .isEqualTo(published.getTraceId());
    assertThat(process.getParentSpanId()).isEqualTo(published.getSpanId());
    assertThat(process.getLinks()).extracting(LinkData::getSpanContext)
        .extracting(SpanContext::getSpanId).as("linked to the publish")
        .containsExactly(published.getSpanId());
    assertThat(process.getAttributes().get(SYSTEM)).isEqualTo(system);
    assertThat(process.getAttributes().get(OPERATION_TYPE)).isEqualTo("process");
    assertThat(process.getAttributes().get(DESTINATION))
        .isEqualTo(published.getAttributes().get(DESTINATION));
  }

  private static SpanData only(List<SpanData> spans, String name, String messageId) {
    List<SpanData> found = all(spans, name, messageId);
    assertThat(found).as("spans named \"" + name + "\" for message " + messageId + " among "
        + spans.stream().map(SpanData::getName).toList()).hasSize(1);
    return found.get(0);
  }

  private static SpanData first(List<SpanData> spans, String name, String messageId) {
    List<SpanData> found = all(spans, name, messageId);
    assertThat(found).as("spans named \"" + name + "\" for message " + messageId).isNotEmpty();
    return found.get(0);
  }

  private static SpanData attempt(List<SpanData> processed, String group, long attempt) {
    return processed.stream().filter(span -> group.equals(span.getAttributes().get(GROUP))
            && span.getAttributes().get(ATTEMPT) == attempt).findFirst()
        .orElseThrow(() -> new AssertionError("no span of the group's attempt " + attempt
            + " among " + processed.size() + " process spans"));
  }

  private static List<SpanData> all(List<SpanData> spans, String name, String messageId) {
    return spans.stream().filter(span -> span.getName().equals(name)
        && messageId.equals(span.getAttributes().get(MESSAGE_ID))).toList();
  }
}
