package dev.realtime.tracing;

import dev.realtime.Message;
import dev.realtime.PublishReceipt;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelPattern;
import dev.realtime.internal.FailureReasons;
import dev.realtime.subscription.BatchHandler;
import dev.realtime.subscription.MessageHandler;
import dev.realtime.subscription.SubscriptionSpec;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traces with OpenTelemetry: a {@code PRODUCER} span for each published message and a {@code
 * CONSUMER} span around each run of a handler, named and attributed as OpenTelemetry's
 * messaging semantic conventions say, with the trace context carried from one to the other in
 * the message's headers ({@code traceparent} and {@code tracestate}, W3C Trace Context).
 *
 * <p>OpenTelemetry is an optional dependency ({@code io.opentelemetry:opentelemetry-api}): this
 * class is the only one that touches it, and nothing loads it unless the application creates one
 * or sets {@code realtime.tracing=opentelemetry}.
 *
 * <p><b>Spans.</b>
 *
 * <ul>
 *   <li>{@code publish <channel>}, kind {@code PRODUCER}: from the call to {@code publish} until
 *       the broker confirms or refuses the message. Its parent is the publishing thread's
 *       current span; where there is none and the message already carries a trace context (a
 *       dead letter, or a received message published again), that context. The span's context
 *       is what the message carries.
 *   <li>{@code process <channel>}, kind {@code CONSUMER}: one run of the handler, so a message
 *       tried three times makes three spans; for a pattern subscription it is named after the
 *       pattern ({@code process user.*}), so that span names stay few. Its parent is the context
 *       the message carries, and it links to it, as the conventions ask of a consumer; a message
 *       without one (written by another client) has this thread's context as its parent. The
 *       span, with the baggage the message carried, is current while the handler runs, so spans
 *       the handler makes are its children. A handler that throws marks it as an error.
 *   <li>{@code process} (batches): one span per run of a batch handler, linked to the context of
 *       each message in the batch; named after the channel when every message shares one.
 * </ul>
 *
 * <p><b>Attributes</b>: {@code messaging.system} (the broker's name: {@code kafka}, {@code
 * redis}, {@code rabbitmq}, {@code memory}), {@code messaging.operation.type} ({@code send},
 * {@code process}), {@code messaging.operation.name} ({@code publish}, {@code process}), {@code
 * messaging.destination.name} (the channel, as the application names it, not the backend's
 * topic or stream), {@code messaging.destination.template} (the pattern that matched, for a
 * pattern subscription), {@code messaging.message.id}, {@code messaging.message.body.size},
 * {@code messaging.consumer.group.name}, {@code messaging.batch.message_count}, {@code
 * error.type}; and realtime's own {@code realtime.message.event} and {@code
 * realtime.message.delivery_attempt}.
 *
 * <p><b>Propagation</b> uses the {@link OpenTelemetry}'s text-map propagators, so an
 * application configured for B3 or baggage carries those too; where none are configured (an
 * SDK built by hand without {@code setPropagators}, whose default propagates nothing), it uses
 * W3C Trace Context, because a trace that silently stops at the broker is never what is meant.
 *
 * <p><b>Faults</b>: where OpenTelemetry cannot be had (the global one's autoconfiguration
 * throws), messages go untraced, with one warning: tracing never fails a publish nor sends a
 * message to the dead letters. {@link #global()} asks for the global OpenTelemetry on first use;
 * an application that registers its SDK globally must do so before its first message, or the
 * no-op one is fixed for good (OpenTelemetry's own rule).
 */
public final class OpenTelemetryTracing implements RealtimeTracing {
  /** The instrumentation scope of every span this class makes. */
  public static final String INSTRUMENTATION_NAME = "dev.realtime";

  private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  private static final AttributeKey<String> OPERATION_TYPE =
      AttributeKey.stringKey("messaging.operation.type");
  private static final AttributeKey<String> OPERATION_NAME =
      AttributeKey.stringKey("messaging.operation.name");
  private static final AttributeKey<String> DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");
  private static final AttributeKey<String> DESTINATION_TEMPLATE =
      AttributeKey.stringKey("messaging.destination.template");
  private static final AttributeKey<String> MESSAGE_ID =
      AttributeKey.stringKey("messaging.message.id");
  private static final AttributeKey<Long> BODY_SIZE =
      AttributeKey.longKey("messaging.message.body.size");
  private static final AttributeKey<String> CONSUMER_GROUP =
      AttributeKey.stringKey("messaging.consumer.group.name");
  private static final AttributeKey<Long> BATCH_COUNT =
      AttributeKey.longKey("messaging.batch.message_count");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  private static final AttributeKey<String> EVENT = AttributeKey.stringKey("realtime.message.event");
  private static final AttributeKey<Long> ATTEMPT =
      AttributeKey.longKey("realtime.message.delivery_attempt");

  private static final TextMapGetter<Message> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Message message) {
      return message.headers().keySet();
    }

    @Override
    public @Nullable String get(@Nullable Message message, String key) {
      return message == null ? null : message.header(key);
    }
  };

  private static final String TRACEPARENT = "traceparent";
  private static final String TRACESTATE = "tracestate";
  private static final Logger log = LoggerFactory.getLogger(OpenTelemetryTracing.class);

  private final Supplier<OpenTelemetry> source;
  private volatile boolean warned;
  // Resolved on first use, not at construction: global() is typically created before an agent
  // or the application has installed the global OpenTelemetry, and asking for it early would
  // fix the no-op one for good.
  private volatile @Nullable Parts parts;

  /** The tracer and propagator, found once. */
  private record Parts(Tracer tracer, TextMapPropagator propagator) {}

  private OpenTelemetryTracing(Supplier<OpenTelemetry> source) {
    this.source = source;
  }

  /** Traces with {@code openTelemetry}, such as the application's {@code OpenTelemetrySdk}. */
  public static OpenTelemetryTracing create(OpenTelemetry openTelemetry) {
    Objects.requireNonNull(openTelemetry, "openTelemetry == null");
    return new OpenTelemetryTracing(() -> openTelemetry);
  }

  /**
   * Traces with {@link GlobalOpenTelemetry}, as installed by the OpenTelemetry Java agent or
   * the application, found when the first message is published or handled. This is what
   * {@code realtime.tracing=opentelemetry} uses.
   */
  public static OpenTelemetryTracing global() {
    return new OpenTelemetryTracing(GlobalOpenTelemetry::get);
  }

  @Override
  public CompletionStage<PublishReceipt> publish(String broker, Message message,
      Function<Message, CompletionStage<PublishReceipt>> publish) {
    Parts parts = parts();
    if (parts == null) {
      return publish.apply(message);
    }
    Span span = startPublish(parts, broker, message);
    CompletionStage<PublishReceipt> sent;
    try (Scope ignored = span.makeCurrent()) {
      sent = publish.apply(carrying(parts, Context.current(), message));
    } catch (Throwable e) {
      end(span, e);
      throw e;
    }
    return sent.whenComplete((receipt, failure) -> end(span, failure));
  }

  @Override
  public CompletionStage<List<PublishReceipt>> publishAll(String broker, List<Message> messages,
      Function<List<Message>, CompletionStage<List<PublishReceipt>>> publish) {
    Parts parts = parts();
    if (parts == null) {
      return publish.apply(messages);
    }
    List<Span> spans = new ArrayList<>(messages.size());
    CompletionStage<List<PublishReceipt>> sent;
    try {
      List<Message> carrying = new ArrayList<>(messages.size());
      for (Message message : messages) {
        Span span = startPublish(parts, broker, message);
        spans.add(span);
        carrying.add(carrying(parts, Context.current().with(span), message));
      }
      sent = publish.apply(List.copyOf(carrying));
    } catch (Throwable e) {
      spans.forEach(span -> end(span, e));
      throw e;
    }
    return sent.whenComplete((receipts, failure) -> spans.forEach(span -> end(span, failure)));
  }

  @Override
  public MessageHandler handler(String broker, SubscriptionSpec spec, MessageHandler handler) {
    return message -> {
      Parts parts = parts();
      if (parts == null) {
        handler.handle(message);
        return;
      }
      Context sent = parts.propagator().extract(Context.root(), message, HEADERS);
      SpanContext producer = Span.fromContext(sent).getSpanContext();
      // The context the message carried (its baggage too), or this thread's for a message
      // written by a client that does not trace.
      Context parent = producer.isValid() ? sent : Context.current();
      String template = matchingPattern(spec, message.channel());
      // A pattern's template names the span, as the conventions ask: "process user.*", not a
      // span name per user.
      SpanBuilder builder = parts.tracer()
          .spanBuilder("process " + (template != null ? template : message.channel().name()))
          .setSpanKind(SpanKind.CONSUMER)
          .setParent(parent);
      if (producer.isValid()) {
        builder.addLink(producer);
      }
      processAttributes(builder, broker, spec)
          .setAttribute(DESTINATION, message.channel().name())
          .setAttribute(MESSAGE_ID, message.id())
          .setAttribute(BODY_SIZE, (long) message.payloadSize())
          .setAttribute(EVENT, message.event())
          .setAttribute(ATTEMPT, (long) message.deliveryAttempt());
      if (template != null) {
        builder.setAttribute(DESTINATION_TEMPLATE, template);
      }
      Span span = builder.startSpan();
      run(span, parent.with(span), () -> handler.handle(message));
    };
  }

  @Override
  public BatchHandler batchHandler(String broker, SubscriptionSpec spec, BatchHandler handler) {
    return messages -> {
      Parts parts = parts();
      if (parts == null) {
        handler.handle(messages);
        return;
      }
      Channel shared = messages.get(0).channel();
      for (Message message : messages) {
        if (!message.channel().equals(shared)) {
          shared = null;
          break;
        }
      }
      SpanBuilder builder = parts.tracer()
          .spanBuilder(shared != null ? "process " + shared.name() : "process")
          .setSpanKind(SpanKind.CONSUMER)
          .setParent(Context.current());
      processAttributes(builder, broker, spec)
          .setAttribute(BATCH_COUNT, (long) messages.size());
      if (shared != null) {
        builder.setAttribute(DESTINATION, shared.name());
      }
      for (Message message : messages) {
        SpanContext producer = Span.fromContext(
            parts.propagator().extract(Context.root(), message, HEADERS)).getSpanContext();
        if (producer.isValid()) {
          builder.addLink(producer);
        }
      }
      Span span = builder.startSpan();
      run(span, Context.current().with(span), () -> handler.handle(messages));
    };
  }

  @Override
  public String toString() {
    return "OpenTelemetryTracing";
  }

  /**
   * The tracer and propagator, or null when OpenTelemetry cannot give them (the global one's
   * autoconfiguration failed): the message then goes untraced, with one warning, because a
   * tracing fault must not fail a publish or send a message to the dead letters.
   */
  private @Nullable Parts parts() {
    Parts found = parts;
    if (found == null) {
      try {
        OpenTelemetry openTelemetry = source.get();
        TextMapPropagator configured = openTelemetry.getPropagators().getTextMapPropagator();
        found = new Parts(openTelemetry.getTracer(INSTRUMENTATION_NAME),
            configured.fields().isEmpty() ? W3CTraceContextPropagator.getInstance() : configured);
      } catch (RuntimeException e) {
        if (!warned) {
          warned = true;
          log.warn("OpenTelemetry is not available, so messages are not traced: {}",
              FailureReasons.of(e));
        }
        return null;
      }
      parts = found;
    }
    return found;
  }

  private static Span startPublish(Parts parts, String broker, Message message) {
    Context parent = Context.current();
    if (!Span.fromContext(parent).getSpanContext().isValid()) {
      // No span on this thread: a message that already carries a context (a dead letter,
      // or a delivered message sent on) continues the trace it came from.
      parent = parts.propagator().extract(parent, message, HEADERS);
    }
    return parts.tracer().spanBuilder("publish " + message.channel().name())
        .setSpanKind(SpanKind.PRODUCER)
        .setParent(parent)
        .setAttribute(SYSTEM, broker)
        .setAttribute(OPERATION_TYPE, "send")
        .setAttribute(OPERATION_NAME, "publish")
        .setAttribute(DESTINATION, message.channel().name())
        .setAttribute(MESSAGE_ID, message.id())
        .setAttribute(BODY_SIZE, (long) message.payloadSize())
        .setAttribute(EVENT, message.event())
        .startSpan();
  }

  /**
   * {@code message} with {@code context} (its span, and the application's baggage) in its
   * headers, as the propagators write them.
   */
  private static Message carrying(Parts parts, Context context, Message message) {
    Map<String, String> headers = new LinkedHashMap<>();
    parts.propagator().inject(context, headers, (carrier, key, value) -> carrier.put(key, value));
    if (headers.isEmpty()) {
      return message; // A span that is neither recorded nor sampled may inject nothing.
    }
    Message.Builder builder = message.newBuilder();
    if (headers.containsKey(TRACEPARENT)
        && !headers.containsKey(TRACESTATE)) {
      builder.removeHeader(TRACESTATE); // The old trace's state must not ride with a new parent.
    }
    return builder.headers(headers).build();
  }

  private static SpanBuilder processAttributes(SpanBuilder builder, String broker,
      SubscriptionSpec spec) {
    builder.setAttribute(SYSTEM, broker)
        .setAttribute(OPERATION_TYPE, "process")
        .setAttribute(OPERATION_NAME, "process");
    if (spec.group() != null) {
      builder.setAttribute(CONSUMER_GROUP, spec.group());
    }
    return builder;
  }

  private static @Nullable String matchingPattern(SubscriptionSpec spec, Channel channel) {
    if (spec.patterns().isEmpty() || spec.channels().contains(channel)) {
      return null;
    }
    for (ChannelPattern pattern : spec.patterns()) {
      if (pattern.matches(channel)) {
        return pattern.toString();
      }
    }
    return null;
  }

  /** Work a handler does, which may throw what the handler throws. */
  private interface Work {
    void run() throws Exception;
  }

  private static void run(Span span, Context context, Work work) throws Exception {
    try (Scope ignored = context.makeCurrent()) {
      work.run();
    } catch (Throwable e) {
      end(span, e);
      throw e;
    }
    span.end();
  }

  private static void end(Span span, @Nullable Throwable failure) {
    if (failure != null) {
      Throwable reason = failure;
      while (reason instanceof CompletionException && reason.getCause() != null) {
        reason = reason.getCause(); // The stage's wrapper says nothing of its own.
      }
      span.setStatus(StatusCode.ERROR, FailureReasons.of(reason));
      span.setAttribute(ERROR_TYPE, reason.getClass().getName());
      span.recordException(reason);
    }
    span.end();
  }
}
