/**
 * The Redis adapter ({@code realtime.broker=redis}) on Lettuce: channels are Redis Streams, or
 * Pub/Sub channels in the explicitly ephemeral mode. Only {@link
 * dev.realtime.redis.RedisBrokerProvider} is public; applications never see Lettuce types.
 * Non-null unless stated.
 */
package dev.realtime.redis;
