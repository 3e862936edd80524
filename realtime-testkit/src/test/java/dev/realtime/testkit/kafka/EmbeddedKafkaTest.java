package dev.realtime.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTest {
  private static final int N = 100;
  private static final String TOPIC = "embedded-kafka-test";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void keepsRecordsAcrossRestartAndDeletesItsDirOnClose() throws Exception {
    Path directory;
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      directory = kafka.directory();
      String address = kafka.bootstrapServers();
      assertThat(address).matches("127\\.0\\.0\\.1:\\d+");
      assertThat(kafka.isRunning()).isTrue();
      assertThat(kafka.logDir()).isDirectory().isEqualTo(directory.resolve("logs"));

      // One producer across the restart: a client made before it must work after it.
      try (KafkaProducer<String, String> producer = producer(kafka)) {
        List<String> sent = send(producer, 0, N);
        assertThat(consumeFromStart(kafka, "before-restart", N))
            .containsExactlyInAnyOrderElementsOf(sent);

        kafka.restart();

        assertThat(kafka.isRunning()).isTrue();
        assertThat(kafka.bootstrapServers()).isEqualTo(address);
        assertThat(clusterIdSeenByClients(kafka)).isEqualTo(kafka.clusterId());
        assertThat(consumeFromStart(kafka, "after-restart", N))
            .as("records written before the restart")
            .containsExactlyInAnyOrderElementsOf(sent);

        List<String> all = new ArrayList<>(sent);
        all.addAll(send(producer, N, 10));
        assertThat(consumeFromStart(kafka, "after-restart-produce", N + 10))
            .containsExactlyInAnyOrderElementsOf(all);
      }
    }
    assertThat(directory).doesNotExist();
  }

  @Test
  void stopsAndStartsAgainOnTheSameAddressUntilClosed() {
    EmbeddedKafka kafka = EmbeddedKafka.start();
    Path directory = kafka.directory();
    try {
      String address = kafka.bootstrapServers();

      kafka.stop();
      assertThat(kafka.isRunning()).isFalse();
      kafka.stop(); // a second stop does nothing
      assertThat(kafka.logDir().resolve("meta.properties")).as("data kept while stopped").exists();

      kafka.startAgain();
      assertThat(kafka.isRunning()).isTrue();
      assertThat(kafka.bootstrapServers()).isEqualTo(address);
      assertThat(clusterIdSeenByClients(kafka)).isEqualTo(kafka.clusterId());

      kafka.close();
      assertThat(kafka.isRunning()).isFalse();
      assertThatThrownBy(kafka::startAgain)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
      assertThat(directory).doesNotExist();
    } finally {
      kafka.close(); // a second close does nothing
    }
  }

  @Test
  void startAgainSaysWhatFailedWhenItsPortIsTaken() throws IOException {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.stop();
      int port = Integer.parseInt(kafka.bootstrapServers().split(":")[1]);
      // Nothing holds the port while the broker is stopped, so another socket can take it.
      // Kafka logs the bind failure at ERROR with stack traces: expected here.
      try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
        assertThatThrownBy(kafka::startAgain)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(kafka.bootstrapServers())
            .hasMessageContaining(kafka.logDir().toString())
            .hasRootCauseInstanceOf(BindException.class);
        assertThat(kafka.isRunning()).isFalse();
        assertThat(taken.isBound()).isTrue();
      }
      kafka.startAgain();
      assertThat(clusterIdSeenByClients(kafka)).isEqualTo(kafka.clusterId());
    }
  }

  @Test
  void sharedIsOneRunningBrokerThatNoTestMayStop() {
    EmbeddedKafka shared = EmbeddedKafka.shared();

    assertThat(EmbeddedKafka.shared()).isSameAs(shared);
    assertThat(shared.isRunning()).isTrue();
    assertThat(clusterIdSeenByClients(shared)).isEqualTo(shared.clusterId());
    assertThatThrownBy(shared::stop)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("EmbeddedKafka.start()");
    assertThatThrownBy(shared::restart).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(shared::close).isInstanceOf(IllegalStateException.class);
    assertThat(shared.isRunning()).isTrue();
  }

  /** Sends {@code count} records keyed k{i} with value v{i}; returns "key=value" of each. */
  private static List<String> send(KafkaProducer<String, String> producer, int from, int count)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    List<String> sent = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      acks.add(producer.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i)));
      sent.add("k" + i + "=v" + i);
    }
    for (Future<RecordMetadata> ack : acks) {
      ack.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    return sent;
  }

  /** Reads the topic from the start in a new group until {@code expected} records came. */
  private static List<String> consumeFromStart(EmbeddedKafka kafka, String group, int expected) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<String> received = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(TOPIC));
      // The consumer is single-threaded, so Awaitility polls it on this thread.
      await()
          .atMost(WAIT)
          .pollInSameThread()
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(10))
          .until(
              () -> {
                for (ConsumerRecord<String, String> record :
                    consumer.poll(Duration.ofMillis(200))) {
                  received.add(record.key() + "=" + record.value());
                }
                return received.size() >= expected;
              });
    }
    return received;
  }

  private static KafkaProducer<String, String> producer(EmbeddedKafka kafka) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.LINGER_MS_CONFIG, 5),
        new StringSerializer(),
        new StringSerializer());
  }

  private static String clusterIdSeenByClients(EmbeddedKafka kafka) {
    Map<String, Object> props =
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (Admin admin = Admin.create(props)) {
      return admin.describeCluster().clusterId().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      throw new AssertionError("describeCluster failed on " + kafka, e);
    }
  }
}
