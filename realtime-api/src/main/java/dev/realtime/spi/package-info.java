/**
 * For adapter authors: what an adapter implements or calls, and nothing else. The {@link
 * dev.realtime.spi.BrokerProvider} found by ServiceLoader and the {@link
 * dev.realtime.spi.BrokerContext} it opens a broker with; the {@link
 * dev.realtime.spi.AdapterBroker} every adapter's broker extends (its name, capabilities,
 * subscribe calls and open subscriptions); the {@link
 * dev.realtime.spi.PollingSubscription} every adapter's subscription extends, which owns the
 * shared handler dispatch (retry, dead letters, flow control, drain) and hands each message's
 * {@link dev.realtime.spi.Outcome} back with the adapter's own handle; the broker's {@link
 * dev.realtime.spi.Subscriptions}, which open and close them; the {@link
 * dev.realtime.spi.Handling} a subscribe call passes on; and the {@link
 * dev.realtime.spi.Deadline} that bounds a whole close by {@code realtime.close-timeout}.
 * Utilities shared by the modules live in {@code dev.realtime.internal}. Applications do not
 * need this package. Non-null unless stated.
 */
package dev.realtime.spi;
