/**
 * For adapter authors: the {@link dev.realtime.spi.BrokerProvider} found by ServiceLoader, and
 * the {@link dev.realtime.spi.Dispatcher} that gives every adapter the same handler, retry,
 * dead-letter, flow-control and drain behaviour, and the {@link
 * dev.realtime.spi.PollingSubscription} skeleton (a poll thread feeding the dispatcher, closed in
 * the one safe order), and the {@link dev.realtime.spi.Deadline} that bounds a whole close by
 * {@code realtime.close-timeout}. Applications do not need this package.
 * Non-null unless stated.
 */
package dev.realtime.spi;
