package dev.realtime.benchmarks.l0;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.Message;
import dev.realtime.PublishReceipt;
import dev.realtime.config.RealtimeConfig;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * L0: what the SDK itself costs per published message, over the in-memory broker (no network,
 * no serialisation by a client library): building the message and {@code Broker.publish}
 * through the guard (payload limit, metrics) into the memory log. Run with {@code -prof gc} for
 * the bytes allocated per message. The target is under 1 microsecond and 500 bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PublishBenchmark {
  @Param({"100", "1024"})
  int size;

  private Broker broker;
  private byte[] payload;
  private long published;

  @Setup(Level.Trial)
  public void open() {
    // Retention by count keeps the memory log from growing through the run.
    broker = Brokers.open(RealtimeConfig.of(Map.of("realtime.broker", "memory")));
    broker.admin().ensure(dev.realtime.channel.ChannelSpec.builder("bench.l0")
        .maxMessages(10_000).build());
    payload = new byte[size];
  }

  @TearDown(Level.Trial)
  public void close() {
    broker.close();
  }

  /** One message built and published; the stage is complete on return for memory. */
  @Benchmark
  public CompletionStage<PublishReceipt> publish() {
    return broker.publish(Message.builder().channel("bench.l0").event("bench")
        .key(null).payload(payload).build());
  }

  /** Touches the counter so a dead-code eliminator has nothing to skip. */
  @Benchmark
  public long buildOnly() {
    Message message = Message.builder().channel("bench.l0").event("bench").payload(payload)
        .build();
    return message.payloadSize() + published++;
  }
}
