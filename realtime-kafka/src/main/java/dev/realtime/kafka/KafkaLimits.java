package dev.realtime.kafka;

import dev.realtime.Message;
import dev.realtime.PayloadTooLargeException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The largest record Kafka takes, so that a payload over it is refused before it is sent, with
 * both limits named (realtime.max-payload-bytes, which may be set higher, and Kafka's). Two
 * limits apply: the producer's {@code max.request.size} (1 MiB by default), which Kafka's
 * producer checks itself, and the topic's {@code max.message.bytes} (the broker's {@code
 * message.max.bytes}, about 1 MiB, unless the topic overrides it), which only the broker
 * checks, after the record travelled. The topic's is asked once per topic, when the adapter
 * first uses it, and cached; a record refused under a cached topic limit older than {@link
 * #RELEARN_AFTER_NANOS} asks again first, so a topic whose limit was raised takes records again
 * within seconds (a dead letter refused under the old limit lands once it is raised). Sizes are
 * Kafka's own upper bound of the record's size (payload, key, headers, batch overhead),
 * uncompressed; with compression the topic's limit applies to compressed batches, so it is left
 * to the broker then.
 */
final class KafkaLimits {
  private static final Logger log = LoggerFactory.getLogger(KafkaLimits.class);

  /** How old a cached topic limit may be before a refusal under it reads it again. */
  static final long RELEARN_AFTER_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final long configured;
  private final long maxRequestSize;
  private final boolean compressed;
  /** Per topic its max.message.bytes (Long.MAX_VALUE when it could not be read), and when. */
  private final Map<String, TopicLimit> topicLimits = new ConcurrentHashMap<>();

  private record TopicLimit(long bytes, long learnedAt) {}

  KafkaLimits(long configured, long maxRequestSize, boolean compressed) {
    this.configured = configured;
    this.maxRequestSize = maxRequestSize;
    this.compressed = compressed;
  }

  /** Reads the topic's max.message.bytes; a failure (no DescribeConfigs right) leaves it out. */
  void learn(Admin admin, String topic, long timeoutMillis) {
    long limit = Long.MAX_VALUE;
    try {
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      Config config = admin.describeConfigs(List.of(resource)).all()
          .get(timeoutMillis, TimeUnit.MILLISECONDS).get(resource);
      ConfigEntry entry = config == null ? null : config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
      if (entry != null && entry.value() != null) {
        limit = Long.parseLong(entry.value().trim());
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      log.debug("reading max.message.bytes of {} failed; the broker checks it", topic, e);
    }
    topicLimits.put(topic, new TopicLimit(limit, System.nanoTime()));
  }

  /**
   * After {@link #check} refused a record for {@code topic}: reads the topic's limit again if the
   * cached one is what refused it and is older than {@link #RELEARN_AFTER_NANOS}. Returns whether
   * it did, so the caller checks again; a refusal costs at most one DescribeConfigs per topic in
   * that time.
   */
  boolean relearnIfStale(Admin admin, String topic, long timeoutMillis) {
    TopicLimit cached = topicLimits.get(topic);
    if (compressed || cached == null || cached.bytes() >= maxRequestSize
        || System.nanoTime() - cached.learnedAt() < RELEARN_AFTER_NANOS) {
      return false;
    }
    learn(admin, topic, timeoutMillis);
    return true;
  }

  void forget(String topic) {
    topicLimits.remove(topic);
  }

  /**
   * @throws PayloadTooLargeException if the record is larger than Kafka takes; nothing is sent
   */
  void check(Message message, ProducerRecord<byte[], byte[]> record) {
    long payload = message.payloadSize();
    TopicLimit cached = topicLimits.get(record.topic());
    long topicLimit = compressed || cached == null ? Long.MAX_VALUE : cached.bytes();
    long limit = Math.min(maxRequestSize, topicLimit);
    if (payload < limit / 2) {
      return; // Headers and key of half a MiB: Kafka's own check answers those.
    }
    long size = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
        CompressionType.NONE, record.key(), record.value(), record.headers().toArray());
    if (size > limit) {
      String setting = limit == maxRequestSize
          ? "Kafka producer max.request.size " + maxRequestSize + " (realtime.kafka.producer."
              + "max.request.size)"
          : "Kafka topic " + record.topic() + " max.message.bytes " + topicLimit;
      throw new PayloadTooLargeException(message.id(), message.channel().name(), payload,
          configured, Math.max(0, limit - (size - payload)), setting);
    }
  }
}
