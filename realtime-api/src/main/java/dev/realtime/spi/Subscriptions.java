package dev.realtime.spi;

import dev.realtime.Message;
import dev.realtime.metrics.RealtimeMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A broker's open subscriptions, and what they share: the broker's name and metrics, the route
 * of their dead letters, and how long a dead-letter publish may take. {@link AdapterBroker}
 * makes one; the adapter passes it to each {@link PollingSubscription} it creates, opens them
 * with {@link #open} and closes them all with {@link #closeAll}: the open, register and
 * two-phase close that every adapter needs, written once.
 *
 * <p>Thread-safe.
 *
 * @param <S> the adapter's subscription type
 */
public final class Subscriptions<S extends PollingSubscription<?>> {
  private final String brokerName;
  private final RealtimeMetrics metrics;
  private final Duration deadLetterTimeout;
  private final Dispatcher.DeadLetterSink deadLetters;
  private final Set<S> open = ConcurrentHashMap.newKeySet();

  /**
   * @param brokerName the adapter's name, as in metrics and thread names ({@code kafka})
   * @param publishTimeout how long a dead-letter publish may take before the message is
   *     released instead ({@code realtime.publish-timeout})
   * @param publish the adapter's own publish: dead letters go through the guard {@link
   *     dev.realtime.Brokers} puts around the adapter, and through this only when there is none
   */
  Subscriptions(BrokerContext context, String brokerName, Duration publishTimeout,
      Function<Message, ? extends CompletionStage<?>> publish) {
    Objects.requireNonNull(context, "context == null");
    Objects.requireNonNull(publish, "publish == null");
    this.brokerName = Objects.requireNonNull(brokerName, "brokerName == null");
    this.metrics = context.metrics();
    this.deadLetterTimeout = Objects.requireNonNull(publishTimeout, "publishTimeout == null");
    this.deadLetters = deadLetter -> context.publishDeadLetter(deadLetter, publish);
  }

  /**
   * Starts {@code subscription} with {@code start} and returns it, registered: closed by {@link
   * #closeAll}, and listed by {@link #all()} until it closes. If {@code start} fails, the
   * subscription is closed at once (its threads and clients released) and the failure thrown.
   *
   * <p>Registered once started, not before: a broker closing meanwhile must not close a client
   * that {@code start} is still using on this thread (a KafkaConsumer refuses a second thread,
   * and its close would fail and leak it).
   */
  public <T extends S> T open(T subscription, Consumer<? super T> start) {
    try {
      start.accept(subscription);
    } catch (RuntimeException | Error e) {
      subscription.close(Duration.ZERO);
      throw e;
    }
    open.add(subscription);
    return subscription;
  }

  /** The subscriptions open now. */
  public List<S> all() {
    return new ArrayList<>(open);
  }

  /**
   * Closes every subscription by {@code deadline}: first no handler of any of them starts new
   * work, then each drains and closes in turn. The first step goes over all of them at once, so
   * that the last to close has not gone on handling while the others drained.
   */
  public void closeAll(Deadline deadline) {
    List<S> closing = all();
    closing.forEach(PollingSubscription::stopTaking);
    for (S subscription : closing) {
      subscription.close(deadline);
    }
  }

  String brokerName() {
    return brokerName;
  }

  RealtimeMetrics metrics() {
    return metrics;
  }

  Duration deadLetterTimeout() {
    return deadLetterTimeout;
  }

  Dispatcher.DeadLetterSink deadLetters() {
    return deadLetters;
  }

  void closed(PollingSubscription<?> subscription) {
    open.remove(subscription);
  }
}
