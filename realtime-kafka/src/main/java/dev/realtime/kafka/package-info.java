/**
 * The Kafka adapter ({@code realtime.broker=kafka}) on kafka-clients. Only {@link
 * dev.realtime.kafka.KafkaBrokerProvider} is public; applications never see Kafka types.
 * Non-null unless stated.
 */
package dev.realtime.kafka;
