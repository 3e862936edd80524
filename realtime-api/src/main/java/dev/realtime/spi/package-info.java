/**
 * For adapter authors: the {@link dev.realtime.spi.BrokerProvider} found by ServiceLoader, and
 * the {@link dev.realtime.spi.Dispatcher} that gives every adapter the same handler, retry,
 * dead-letter, flow-control and drain behaviour. Applications do not need this package.
 * Non-null unless stated.
 */
package dev.realtime.spi;
