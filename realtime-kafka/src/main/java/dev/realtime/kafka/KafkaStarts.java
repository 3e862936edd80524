package dev.realtime.kafka;

import dev.realtime.subscription.StartPosition;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/** Where a read starts in each partition, for a {@link StartPosition}. */
final class KafkaStarts {
  private KafkaStarts() {}

  /**
   * Returns the first offset to read per partition. A position names offsets for some
   * partitions; the others start at their beginning. A timestamp past the last record starts at
   * the end.
   */
  static Map<TopicPartition, Long> offsets(KafkaConsumer<byte[], byte[]> consumer,
      Collection<TopicPartition> parts, StartPosition start, Duration timeout) {
    Map<TopicPartition, Long> out = new HashMap<>();
    switch (start.kind()) {
      case LATEST:
        out.putAll(consumer.endOffsets(parts, timeout));
        break;
      case EARLIEST:
        out.putAll(consumer.beginningOffsets(parts, timeout));
        break;
      case POSITION:
        Map<Integer, Long> named = KafkaRecords.offsets(start.position());
        Map<TopicPartition, Long> beginning = consumer.beginningOffsets(parts, timeout);
        for (TopicPartition part : parts) {
          Long offset = named.get(part.partition());
          out.put(part, offset != null ? Math.max(offset, beginning.get(part))
              : beginning.get(part));
        }
        break;
      case TIMESTAMP:
      default:
        Map<TopicPartition, Long> query = new HashMap<>();
        parts.forEach(part -> query.put(part, start.timestamp().toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, timeout);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts, timeout);
        for (TopicPartition part : parts) {
          OffsetAndTimestamp at = found.get(part);
          out.put(part, at != null ? at.offset() : end.get(part));
        }
        break;
    }
    return out;
  }
}
