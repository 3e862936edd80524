package dev.realtime.tracing;

import dev.realtime.Message;
import dev.realtime.PublishReceipt;
import dev.realtime.subscription.BatchHandler;
import dev.realtime.subscription.MessageHandler;
import dev.realtime.subscription.SubscriptionSpec;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Traces what realtime does around the application's code: each publish, and each run of a
 * handler. {@link #NOOP} traces nothing and costs nothing (the broker does not even call it);
 * {@link OpenTelemetryTracing} makes OpenTelemetry spans and carries the trace context from
 * publisher to handler in the message's headers.
 *
 * <p>The hook goes around the work rather than being told about it afterwards, as {@link
 * dev.realtime.metrics.RealtimeMetrics} is, because a trace needs three things a callback
 * cannot give: the publishing thread's current context (the parent of the publish), a message
 * changed before it leaves (the context in its headers), and the handler's thread inside a span
 * while it runs (so the application's own spans and logs join the trace).
 *
 * <p>Every broker that {@link dev.realtime.Brokers} opens calls it, whatever the adapter: the
 * publish methods on the publishing thread, the handler methods once per subscription.
 * Implementations must be thread-safe.
 */
public interface RealtimeTracing {
  /** Traces nothing. */
  RealtimeTracing NOOP = new RealtimeTracing() {};

  /**
   * Publishes {@code message} on broker {@code broker} with {@code publish}, which sends the
   * message it is given and completes with the broker's confirmation. An implementation may
   * pass a copy with more headers (the trace context); it must call {@code publish} once, on
   * this thread, and return what it returns or a stage that completes with it.
   */
  default CompletionStage<PublishReceipt> publish(String broker, Message message,
      Function<Message, CompletionStage<PublishReceipt>> publish) {
    return publish.apply(message);
  }

  /** As {@link #publish}, for the messages of one {@code publishAll}, in their order. */
  default CompletionStage<List<PublishReceipt>> publishAll(String broker, List<Message> messages,
      Function<List<Message>, CompletionStage<List<PublishReceipt>>> publish) {
    return publish.apply(messages);
  }

  /**
   * Returns the handler to give the adapter for a subscription to {@code spec}: one that runs
   * {@code handler} within whatever the implementation records, and lets its outcome (a return
   * or an exception) through unchanged, so that acknowledgement, retries and dead letters work
   * as without tracing.
   */
  default MessageHandler handler(String broker, SubscriptionSpec spec, MessageHandler handler) {
    return handler;
  }

  /** As {@link #handler}, for a subscription that takes batches. */
  default BatchHandler batchHandler(String broker, SubscriptionSpec spec, BatchHandler handler) {
    return handler;
  }
}
