/**
 * Broker processes of one's own, for tests that kill or restart a broker or need it configured
 * differently, which the machine's shared brokers must never be: {@link
 * dev.realtime.testkit.process.RedisProcess} (a {@code redis-server}) and {@link
 * dev.realtime.testkit.process.RabbitMqProcess} (a RabbitMQ node). Each listens on {@code
 * 127.0.0.1} at ports free when it started, keeps its files in a temporary directory, can be
 * killed with SIGKILL, stopped with SIGTERM and restarted on the same ports with its data, and
 * is stopped with its directory deleted on {@code close()} or at JVM exit. Kafka's counterpart is
 * {@link dev.realtime.testkit.kafka.EmbeddedKafka} (in-process) or the benchmarks' {@code
 * KafkaProcess} (a child JVM). Non-null unless stated.
 */
package dev.realtime.testkit.process;
