/**
 * Subscribing: what to read and from where ({@link dev.realtime.subscription.SubscriptionSpec}),
 * handlers, retries and dead letters, and the running {@link
 * dev.realtime.subscription.Subscription}. Non-null unless stated.
 */
package dev.realtime.subscription;
