/**
 * The RabbitMQ adapter ({@code realtime.broker=rabbitmq}) on amqp-client: a topic exchange, a
 * stream queue per channel, a quorum queue per group. Only {@link
 * dev.realtime.rabbitmq.RabbitBrokerProvider} is public; applications never see amqp-client
 * types. Non-null unless stated.
 */
package dev.realtime.rabbitmq;
