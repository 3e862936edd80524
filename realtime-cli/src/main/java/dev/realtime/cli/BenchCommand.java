package dev.realtime.cli;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code realtime bench}: a quick end-to-end measurement of the configured broker through the
 * SDK, in one process: a broadcast subscriber on a scratch channel, and a publisher that sends
 * {@code --count} messages as fast as the broker confirms them, or open-loop at {@code --rate}.
 *
 * <p>Latency is end to end, from the message's intended send time (open loop) or its send time
 * (as fast as possible) to its arrival at the handler, read from the send time carried in the
 * payload, so that a stalled publisher shows as latency instead of hiding it (coordinated
 * omission). The side-by-side comparison with the raw clients is the benchmarks module's
 * harness; this is the tool for "how does my broker do from here".
 */
@Command(name = "bench", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
    description = "Measure publish throughput and end-to-end latency of the configured broker "
        + "through the SDK, on a scratch channel that is deleted afterwards.",
    footer = {"", "Examples:", "  realtime bench --broker=redis",
        "  realtime bench --broker=kafka --count=200000 --size=1KiB",
        "  realtime bench --broker=rabbitmq --rate=10000 --count=100000"})
final class BenchCommand implements Callable<Integer> {
  @ParentCommand
  private RealtimeCommand root;

  @Spec
  private CommandSpec spec;

  @Option(names = "--count", defaultValue = "50000", paramLabel = "N",
      description = "Messages to send. Default: ${DEFAULT-VALUE}.")
  private long count;

  @Option(names = "--size", defaultValue = "100", paramLabel = "BYTES",
      converter = Converters.Bytes.class,
      description = "Payload size (at least 8). Default: ${DEFAULT-VALUE}.")
  private long size;

  @Option(names = "--rate", paramLabel = "PER_SECOND",
      description = "Send open-loop at this rate; default: as fast as confirms allow.")
  private Long rate;

  @Option(names = "--in-flight", defaultValue = "1000", paramLabel = "N",
      description = "Most unconfirmed publishes. Default: ${DEFAULT-VALUE}.")
  private int inFlight;

  private final CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() throws InterruptedException {
    if (count < 1 || size < Long.BYTES || inFlight < 1 || (rate != null && rate < 1)) {
      throw new ParameterException(spec.commandLine(), "--count, --in-flight and --rate must "
          + "be at least 1, and --size at least 8 bytes");
    }
    Signals.onStop(stop::countDown);
    Channel channel = Channel.of("bench." + UUID.randomUUID().toString().substring(0, 8));
    Histogram latency = new ConcurrentHistogram(TimeUnit.MINUTES.toNanos(5), 3);
    AtomicLong received = new AtomicLong();
    CountDownLatch all = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (Broker broker = Brokers.open(root.config(), RealtimeMetrics.NOOP)) {
      System.err.println("bench on " + broker.name() + ": " + count + " messages of " + size
          + " bytes to " + channel.name() + (rate == null ? ", as fast as confirmed"
          : ", open-loop at " + rate + " msg/s"));
      long sent;
      long publishNanos;
      long endToEndNanos;
      try (Subscription subscription = broker.subscribe(SubscriptionSpec.builder()
          .channel(channel).batchSize(500).build(), message -> {
            ByteBuffer payload = message.payloadBuffer();
            long sentAt = payload.getLong(payload.position());
            latency.recordValue(Math.max(0, System.nanoTime() - sentAt));
            if (received.incrementAndGet() == count) {
              all.countDown();
            }
          })) {
        Semaphore window = new Semaphore(inFlight);
        long started = System.nanoTime();
        long interval = rate == null ? 0 : TimeUnit.SECONDS.toNanos(1) / rate;
        sent = 0;
        while (sent < count && stop.getCount() > 0 && failure.get() == null) {
          long intended = rate == null ? System.nanoTime() : started + sent * interval;
          long wait = intended - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait); // Pacing to the schedule, not synchronisation.
          }
          byte[] payload = new byte[(int) size];
          ByteBuffer.wrap(payload).putLong(intended);
          window.acquire();
          broker.publish(Message.builder().channel(channel).event("bench").payload(payload)
              .build()).whenComplete((receipt, error) -> {
                if (error != null) {
                  failure.compareAndSet(null, error);
                }
                window.release();
              });
          sent++;
        }
        window.acquire(inFlight);
        publishNanos = System.nanoTime() - started;
        if (sent == count) {
          all.await(60, TimeUnit.SECONDS);
        }
        endToEndNanos = System.nanoTime() - started;
      } finally {
        broker.admin().delete(channel);
      }
      if (failure.get() != null) {
        throw new IllegalStateException("a publish failed: " + Main.sentence(failure.get()),
            failure.get());
      }
      System.out.println(String.format(Locale.ROOT, "broker %s, %d B: published %,d in %s "
          + "(%,.0f msg/s); received %,d in %s (%,.0f msg/s)", broker.name(), size, sent,
          ConsumerStats.format(Duration.ofNanos(publishNanos)), sent * 1e9 / publishNanos,
          received.get(), ConsumerStats.format(Duration.ofNanos(endToEndNanos)),
          received.get() * 1e9 / endToEndNanos));
      System.out.println(String.format(Locale.ROOT, "end-to-end latency: p50 %s  p99 %s  "
          + "p99.9 %s  max %s", ms(latency.getValueAtPercentile(50)),
          ms(latency.getValueAtPercentile(99)), ms(latency.getValueAtPercentile(99.9)),
          ms(latency.getMaxValue())));
      if (received.get() < sent && stop.getCount() > 0) {
        System.err.println("realtime: " + (sent - received.get()) + " of " + sent + " messages "
            + "did not arrive within 60 s");
        return Main.FAILED;
      }
    }
    return 0;
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
  }
}
