package dev.realtime.benchmarks.throughput;

import dev.realtime.benchmarks.harness.Backend;
import dev.realtime.benchmarks.harness.Backends;
import dev.realtime.benchmarks.harness.Driver;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
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
 * L2 against L3 for publishing: confirmed publishes per second, the raw client and the SDK
 * through the same {@link Driver}s as the end-to-end harness, per backend and payload size.
 * One operation is one publish; at most {@value #WINDOW} are unconfirmed at a time (a
 * pipelining publisher, as {@code realtime publish --in-flight} is). The score counts publishes
 * issued; each iteration then waits until all of them are confirmed, outside its timing, so at
 * most {@value #WINDOW} per iteration are counted before their confirm (2% of a 2-second
 * iteration at 25,000 msg/s, less the faster the backend). Any failed publish fails the run.
 * Nothing consumes: this is the publish path alone (for Redis pub/sub, a PUBLISH that reaches
 * no subscriber; streams and queues grow through the trial, as a backlog does).
 *
 * <p>Kafka is the broker at system property {@value #KAFKA_PROPERTY} (the report passes the one
 * it started to every fork), else at {@code REALTIME_TEST_KAFKA_BOOTSTRAP_SERVERS}, else an
 * embedded one this fork starts.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class PublishThroughputBenchmark {
  /** Where a fork finds the Kafka broker the report started. */
  public static final String KAFKA_PROPERTY = "realtime.bench.kafka";
  static final int WINDOW = 1000;
  private static final long DRAIN_SECONDS = 60;

  @Param({"kafka", "redis-streams", "redis-pubsub", "rabbitmq-quorum", "rabbitmq-stream"})
  String backend;

  @Param({"raw", "sdk"})
  String client;

  @Param({"100", "1024"})
  int size;

  private final Semaphore window = new Semaphore(WINDOW);
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<@Nullable Throwable> firstFailure = new AtomicReference<>();
  private @Nullable Backends backends;
  private @Nullable Driver driver;
  private byte[] payload = new byte[0];

  @Setup(Level.Trial)
  public void open() throws Exception {
    Map<String, String> environment = new HashMap<>(System.getenv());
    String kafka = System.getProperty(KAFKA_PROPERTY);
    if (kafka != null) {
      environment.put("REALTIME_TEST_KAFKA_BOOTSTRAP_SERVERS", kafka);
    }
    backends = new Backends(environment);
    Supplier<Backend> named = backends.all().get(backend);
    if (named == null) {
      throw new IllegalArgumentException("no backend named '" + backend + "'; the backends are "
          + backends.all().keySet());
    }
    Backend chosen = named.get();
    Supplier<Driver> side = client.equals("raw") ? chosen.raw() : chosen.sdk();
    if (side == null) {
      throw new IllegalArgumentException(backend + " has no raw client");
    }
    driver = side.get();
    driver.start("bench.publish-" + UUID.randomUUID().toString().substring(0, 8), null);
    payload = new byte[size];
  }

  @Benchmark
  public void publish() throws InterruptedException {
    window.acquire();
    Objects.requireNonNull(driver).publish(payload).whenComplete((ignored, failure) -> {
      if (failure != null) {
        failed.incrementAndGet();
        firstFailure.compareAndSet(null, failure);
      }
      window.release();
    });
  }

  /** Waits for every publish of the iteration to be confirmed; fails on any failure. */
  @TearDown(Level.Iteration)
  public void confirmAll() throws InterruptedException {
    if (!window.tryAcquire(WINDOW, DRAIN_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException(backend + " " + client + ": publishes unconfirmed after "
          + DRAIN_SECONDS + " s");
    }
    window.release(WINDOW);
    if (failed.get() > 0) {
      throw new IllegalStateException(backend + " " + client + ": " + failed.get()
          + " publishes failed, the first with " + firstFailure.get(), firstFailure.get());
    }
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    try {
      if (driver != null) {
        driver.close();
      }
    } finally {
      if (backends != null) {
        backends.close();
      }
    }
  }
}
