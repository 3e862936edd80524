package dev.realtime.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class KafkaClusterTest {
  private static final String TOPIC = "cluster-test";

  @Test
  void theDocsExampleIsTheCompiledOne() throws IOException {
    ProcessesDocsTest.assertDocsExampleIsCompiledIn("A Kafka cluster of your own",
        "KafkaClusterTest.java");
  }

  @Test
  void theDocsExampleRuns() throws Exception {
    // docs begin
    try (KafkaCluster kafka = KafkaCluster.start();  // three nodes, about 20 s on two cores
        Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("orders", 1, (short) 3))).all().get();
      int leader = kafka.leaderOf("orders", 0).orElseThrow();
      kafka.kill(leader);                            // SIGKILL to the leader's JVM
      kafka.startAgain(leader);                      // same ports, same data; once it serves
    }                                                // every node killed, every directory deleted
    // docs end
  }

  /**
   * A node runs in a directory of its own: started from {@code java -jar target/app.jar} (the
   * benchmarks' cluster run), the relative class path named nothing there.
   */
  @Test
  void aNodeIsGivenThisJvmsClassPathWithEveryEntryAbsolute() {
    String sep = java.io.File.pathSeparator;
    String cwd = java.nio.file.Path.of("").toAbsolutePath().toString();

    assertThat(KafkaCluster.absolute("target/app.jar" + sep + "/opt/lib/b.jar"))
        .isEqualTo(java.nio.file.Path.of(cwd, "target", "app.jar") + sep + "/opt/lib/b.jar");
  }

  @Test
  void confirmedRecordsSurviveTheLeadersKillAndItsReturn() throws Exception {
    List<Long> pids = new ArrayList<>();
    try (KafkaCluster kafka = KafkaCluster.start()) {
      assertThat(kafka.nodeIds()).containsExactly(1, 2, 3);
      assertThat(kafka.bootstrapServers().split(",")).hasSize(3);
      kafka.nodeIds().forEach(id -> pids.add(kafka.pid(id)));
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3))).all()
            .get(30, TimeUnit.SECONDS);
      }
      try (KafkaProducer<String, String> producer = producer(kafka)) {
        send(producer, 0, 100);
        int leader = kafka.leaderOf(TOPIC, 0).orElseThrow();

        kafka.kill(leader);

        assertThat(kafka.isRunning(leader)).isFalse();
        assertThat(ProcessHandle.of(pids.get(leader - 1)).filter(ProcessHandle::isAlive))
            .isEmpty();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
          OptionalInt now = kafka.leaderOf(TOPIC, 0);
          return now.isPresent() && now.getAsInt() != leader;
        });
        send(producer, 100, 200);  // two of three in sync: acks=all still confirms

        kafka.startAgain(leader);

        assertThat(kafka.isRunning(leader)).isTrue();
        assertThat(kafka.pid(leader)).isNotEqualTo(pids.get(leader - 1));
      }
      assertThat(readAll(kafka)).hasSize(200);
      assertThatThrownBy(() -> kafka.kill(4)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("nodes are 1 to 3");
    }
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    }
  }

  private static KafkaProducer<String, String> producer(KafkaCluster kafka) {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("acks", "all");
    props.put("enable.idempotence", "true");
    props.put("delivery.timeout.ms", "60000");
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  private static void send(KafkaProducer<String, String> producer, int from, int to)
      throws Exception {
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    for (int i = from; i < to; i++) {
      sent.add(producer.send(new ProducerRecord<>(TOPIC, "m" + i)));
    }
    for (Future<RecordMetadata> confirm : sent) {
      confirm.get(60, TimeUnit.SECONDS);
    }
  }

  private static Set<String> readAll(KafkaCluster kafka) {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    Set<String> values = new HashSet<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      TopicPartition part = new TopicPartition(TOPIC, 0);
      consumer.assign(List.of(part));
      consumer.seekToBeginning(List.of(part));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (values.size() < 200 && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
    }
    return values;
  }
}
