/**
 * A real Kafka broker for tests, started inside the test JVM: {@link
 * dev.realtime.testkit.kafka.EmbeddedKafka}. Non-null unless stated.
 *
 * <p>Needs {@code org.apache.kafka:kafka_2.13} and {@code kafka-clients} on the test classpath;
 * the testkit declares them optional, so a project that uses this package adds them itself.
 */
package dev.realtime.testkit.kafka;
