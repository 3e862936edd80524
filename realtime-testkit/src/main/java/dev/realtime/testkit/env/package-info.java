/**
 * The brokers the conformance suite runs against: {@link
 * dev.realtime.testkit.env.Environments#memory()}, {@link
 * dev.realtime.testkit.env.Environments#redis()} and {@link
 * dev.realtime.testkit.env.Environments#rabbitmq()}. Non-null unless stated.
 *
 * <p>Redis and RabbitMQ are the machine's own servers (started by {@code scripts/services}, or
 * named by {@code REALTIME_TEST_REDIS_URI} and {@code REALTIME_TEST_RABBITMQ_URI}), reached
 * through a {@link dev.realtime.testkit.fault.FaultProxy} that each environment starts, so that
 * tests can cut the network without touching a server that others share.
 */
package dev.realtime.testkit.env;
