package dev.realtime.spi;

import dev.realtime.Broker;
import dev.realtime.Capabilities;
import dev.realtime.config.RealtimeOptions;
import dev.realtime.subscription.BatchHandler;
import dev.realtime.subscription.MessageHandler;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.util.Objects;

/**
 * The base of an adapter's broker: what every adapter's broker wrote alike. Its name and
 * capabilities, given once; {@code subscribe} and {@code subscribeBatches}, which differ only in
 * the {@link Handling} they pass to {@link #open}; and the broker's {@link Subscriptions}, whose
 * dead letters are published through {@link #publish} (through the guard {@link
 * dev.realtime.Brokers} puts around the broker, when there is one) within {@code
 * realtime.publish-timeout}.
 *
 * @param <S> the adapter's subscription type
 */
public abstract class AdapterBroker<S extends PollingSubscription<?>> implements Broker {
  private final String name;
  private final Capabilities capabilities;
  private final Subscriptions<S> subscriptions;

  /**
   * @param name the adapter's name, as {@code realtime.broker} chooses it ({@code kafka})
   */
  protected AdapterBroker(BrokerContext context, String name, Capabilities capabilities) {
    this.name = Objects.requireNonNull(name, "name == null");
    this.capabilities = Objects.requireNonNull(capabilities, "capabilities == null");
    // this::publish is only called once a subscription dead-letters, long after construction.
    this.subscriptions = new Subscriptions<>(context, name,
        context.config().get(RealtimeOptions.PUBLISH_TIMEOUT), this::publish);
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final Capabilities capabilities() {
    return capabilities;
  }

  @Override
  public final Subscription subscribe(SubscriptionSpec spec, MessageHandler handler) {
    return open(spec, Handling.of(handler));
  }

  @Override
  public final Subscription subscribeBatches(SubscriptionSpec spec, BatchHandler handler) {
    return open(spec, Handling.ofBatches(handler));
  }

  /**
   * Opens a subscription that runs {@code handling}: checks what only this broker can check (a
   * position of its own form), creates the subscription and starts it through {@link
   * #subscriptions()}.
   */
  protected abstract Subscription open(SubscriptionSpec spec, Handling handling);

  /** This broker's open subscriptions: open them there, and close them all on close. */
  protected final Subscriptions<S> subscriptions() {
    return subscriptions;
  }
}
