/**
 * The public API of realtime: the {@link dev.realtime.Realtime} facade, the {@link
 * dev.realtime.Broker} contract, messages and receipts, and discovery through {@link
 * dev.realtime.Brokers}.
 *
 * <p>Everything here is non-null unless a parameter or return value says otherwise.
 */
package dev.realtime;
