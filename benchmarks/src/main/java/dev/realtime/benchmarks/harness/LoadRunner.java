package dev.realtime.benchmarks.harness;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Runs one workload against one driver, open loop, as the OpenMessaging Benchmark does and
 * without its two flaws: latency is measured from each message's <em>intended</em> send time
 * (so a publisher held up by the broker shows as latency instead of slowing the clock: no
 * coordinated omission), in nanoseconds (no sub-millisecond samples rounded away), and the time
 * travels in the payload (RabbitMQ's timestamp property has whole seconds).
 *
 * <p>Producer and consumer share this JVM, so one {@code System.nanoTime()} clock serves both.
 * The run: start consuming, send probes until one arrives (the consumer is attached), then
 * publish for warm-up plus measurement, then wait for what the measurement sent to arrive.
 * Only messages intended inside the measurement window count for latency and loss; rates count
 * confirms and arrivals that happen inside it.
 */
public final class LoadRunner {
  private static final long PROBE = -1;
  private static final Duration ATTACH_BOUND = Duration.ofSeconds(60);
  private static final Duration DRAIN_BOUND = Duration.ofSeconds(30);

  private LoadRunner() {}

  /**
   * Runs {@code workload} on {@code driver}, which is started on {@code channel} and closed
   * after.
   *
   * @throws IllegalStateException if the consumer never attaches
   */
  public static Result run(String backend, String side, Driver driver, String channel,
      Workload workload) throws Exception {
    Histogram latency = new ConcurrentHistogram(TimeUnit.MINUTES.toNanos(10), 3);
    AtomicLong measuredReceived = new AtomicLong();
    AtomicLong receivedInWindow = new AtomicLong();
    CountDownLatch attached = new CountDownLatch(1);
    // The measurement window, set once the consumer is attached; read by the consumer thread.
    AtomicLong windowStart = new AtomicLong(Long.MAX_VALUE);
    AtomicLong windowEnd = new AtomicLong(Long.MAX_VALUE);
    // At maximum throughput the window holds messages sent and not yet received, so that the
    // publisher cannot run ahead of the consumer into an unbounded backlog (which would measure
    // the broker's buffering, and lose messages on a bounded one); at a fixed rate it holds
    // publishes not yet confirmed, a safety bound that shows as latency when hit.
    boolean closedLoop = workload.isMaxThroughput();
    Semaphore inFlight = new Semaphore(workload.inFlight());
    try (driver) {
      driver.start(channel, payload -> {
        long now = System.nanoTime();
        long intended = payload.getLong(payload.position());
        if (intended == PROBE) {
          attached.countDown();
          return;
        }
        long start = windowStart.get();
        long end = windowEnd.get();
        if (now >= start && now < end) {
          receivedInWindow.incrementAndGet();
        }
        if (intended >= start && intended < end) {
          latency.recordValue(Math.max(0, now - intended));
          measuredReceived.incrementAndGet();
        }
        // Last: the publisher's drain below takes the last permit as the sign that every
        // message is counted. Released first, a message could be counted as confirmed and not
        // yet as received when the result was read (a raw Pub/Sub run showed 1 "missing").
        if (closedLoop) {
          inFlight.release();
        }
      });
      awaitAttached(driver, workload, attached);

      AtomicLong confirmedInWindow = new AtomicLong();
      AtomicLong measuredConfirmed = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      AtomicLong unfinished = new AtomicLong(); // Publishes neither confirmed nor failed yet.
      long begin = System.nanoTime();
      long measureStart = begin + workload.warmUp().toNanos();
      long measureEnd = measureStart + workload.measure().toNanos();
      windowEnd.set(measureEnd);
      windowStart.set(measureStart);
      CpuClock cpu = CpuClock.reading(measureStart, measureEnd);
      long interval = workload.isMaxThroughput() ? 0 : TimeUnit.SECONDS.toNanos(1)
          / workload.rate();
      for (long sequence = 0; ; sequence++) {
        long intended;
        if (interval == 0) {
          inFlight.acquire();
          intended = System.nanoTime();
        } else {
          intended = begin + sequence * interval;
          long wait = intended - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait); // Late wake-ups count as latency: measured honestly.
          }
          inFlight.acquire();
        }
        if (intended >= measureEnd) {
          inFlight.release();
          break;
        }
        byte[] payload = new byte[workload.size()];
        ByteBuffer.wrap(payload).putLong(intended).putLong(sequence);
        boolean measured = intended >= measureStart;
        unfinished.incrementAndGet();
        driver.publish(payload).whenComplete((ignored, failure) -> {
          long now = System.nanoTime();
          if (failure != null) {
            failed.incrementAndGet();
            if (closedLoop) {
              inFlight.release(); // It will not arrive.
            }
          } else {
            if (now >= measureStart && now < measureEnd) {
              confirmedInWindow.incrementAndGet();
            }
            if (measured) {
              measuredConfirmed.incrementAndGet();
            }
          }
          unfinished.decrementAndGet();
          if (!closedLoop) {
            inFlight.release();
          }
        });
      }
      inFlight.tryAcquire(workload.inFlight(), DRAIN_BOUND.toMillis(), TimeUnit.MILLISECONDS);
      long drainDeadline = System.nanoTime() + DRAIN_BOUND.toNanos();
      // Every publish finished first (a confirm may come after its message arrived: Pub/Sub's
      // reply and delivery travel on two connections), then every confirmed one received.
      while ((unfinished.get() > 0 || measuredReceived.get() < measuredConfirmed.get())
          && System.nanoTime() < drainDeadline) {
        TimeUnit.MILLISECONDS.sleep(10); // Waiting for stragglers, bounded; not a measurement.
      }
      double seconds = workload.measure().toNanos() / 1e9;
      long received = receivedInWindow.get();
      return new Result(backend, side, workload, confirmedInWindow.get() / seconds,
          received / seconds, cpu.nanosPer(received), latency.getValueAtPercentile(50),
          latency.getValueAtPercentile(99), latency.getValueAtPercentile(99.9),
          latency.getMaxValue(), measuredReceived.get(),
          Math.max(0, measuredConfirmed.get() - measuredReceived.get()), failed.get());
    }
  }

  /** Sends probes until one arrives: the consumer is attached and nothing measured is missed. */
  private static void awaitAttached(Driver driver, Workload workload, CountDownLatch attached)
      throws InterruptedException {
    long deadline = System.nanoTime() + ATTACH_BOUND.toNanos();
    while (System.nanoTime() < deadline) {
      byte[] probe = new byte[workload.size()];
      ByteBuffer.wrap(probe).putLong(PROBE);
      driver.publish(probe);
      if (attached.await(100, TimeUnit.MILLISECONDS)) {
        return;
      }
    }
    throw new IllegalStateException("the consumer received no probe within " + ATTACH_BOUND);
  }
}
