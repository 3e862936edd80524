package dev.realtime.benchmarks.kafka;

import dev.realtime.internal.MessageIds;
import dev.realtime.kafka.CompactEnvelopes;
import dev.realtime.spi.Rfc3339;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.utils.Utils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the Kafka client does per record on our side of the network, bare or carrying the SDK's
 * envelope in a wire format, without the broker: make the record, size it and append it to a
 * batch as the producer does, then parse the batch, make the consumer record and read the
 * envelope as the consumer and the SDK do. {@code fresh=true} makes a new id and time per record
 * (as the comparison's raw + envelope side does); {@code fresh=false} carries one made ahead,
 * which leaves the wire format's own cost. Run: {@code java -jar benchmarks.jar jmh
 * KafkaEnvelopeBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class KafkaEnvelopeBenchmark {
  private static final int RECORDS = 100;
  private static final String OCTET_STREAM = "application/octet-stream";
  private static final byte[] SPEC_VERSION = bytes("1.0");

  @Param({"none", "compact", "cloudevents"})
  String envelope;

  @Param({"true", "false"})
  boolean fresh;

  @Param({"100"})
  int size;

  private byte[] payload;
  private ByteBuffer buffer;
  private String id;
  private Instant time;

  @Setup
  public void setUp() {
    payload = new byte[size];
    buffer = ByteBuffer.allocate(RECORDS * (size + 512));
    id = MessageIds.next();
    time = Instant.now();
  }

  /** A batch of records written and read back; the time is per record. */
  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public void writeAndRead(Blackhole out) {
    buffer.clear();
    MemoryRecordsBuilder builder = MemoryRecords.builder(buffer,
        RecordBatch.CURRENT_MAGIC_VALUE, Compression.NONE, TimestampType.CREATE_TIME, 0L);
    for (int i = 0; i < RECORDS; i++) {
      ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("bench", payload);
      String recordId = fresh ? MessageIds.next() : id;
      Instant recordTime = fresh ? Instant.now() : time;
      if (envelope.equals("compact")) {
        record.headers().add(CompactEnvelopes.HEADER,
            CompactEnvelopes.encode(recordId, "bench", recordTime, OCTET_STREAM));
      } else if (envelope.equals("cloudevents")) {
        record.headers().add("ce_specversion", SPEC_VERSION).add("ce_id", bytes(recordId))
            .add("ce_type", bytes("bench")).add("ce_source", bytes("/realtime/bench"))
            .add("ce_time", bytes(Rfc3339.format(recordTime)))
            .add("content-type", bytes(OCTET_STREAM));
      }
      Header[] headers = record.headers().toArray();
      out.consume(AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
          CompressionType.NONE, record.key(), record.value(), headers));
      builder.append(recordTime.toEpochMilli(), record.key(), record.value(), headers);
    }
    for (RecordBatch batch : builder.build().batches()) {
      for (Record read : batch) {
        byte[] value = Utils.toNullableArray(read.value());
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("bench", 0, read.offset(),
            read.timestamp(), TimestampType.CREATE_TIME, -1, value.length,
            Utils.toNullableArray(read.key()), value, new RecordHeaders(read.headers()),
            Optional.empty());
        if (envelope.equals("compact")) {
          out.consume(CompactEnvelopes.decode(
              record.headers().lastHeader(CompactEnvelopes.HEADER).value()));
        } else if (envelope.equals("cloudevents")) {
          for (Header header : record.headers()) {
            out.consume(new String(header.value(), StandardCharsets.UTF_8));
          }
        }
        out.consume(record);
      }
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
