package dev.realtime.benchmarks.chaos;

import dev.realtime.Broker;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The campaign's publishers: a backlog as fast as confirms allow, or a steady rate with a fault
 * in the middle. Each message's id is its payload; each outcome goes into the {@link Ledger}.
 */
final class Publishing {
  private Publishing() {}

  /** Publishes the backlog as fast as confirms allow, and waits for every outcome. */
  static void backlog(Broker broker, Channel channel, Ledger ledger, int backlog) {
    more(broker, channel, ledger, backlog);
  }

  /**
   * Publishes {@code count} more messages, numbered on from those already published, as fast
   * as confirms allow, and waits for every outcome.
   */
  static void more(Broker broker, Channel channel, Ledger ledger, int count) {
    Semaphore window = new Semaphore(1_000);
    int from = ledger.published();
    int confirmedBefore = ledger.confirmed();
    for (int i = from; i < from + count; i++) {
      window.acquireUninterruptibly();
      publish(broker, channel, ledger, window, channel.name() + "-" + i);
    }
    awaitSettled(ledger);
    if (ledger.confirmed() - confirmedBefore != count) {
      throw new IllegalStateException("the backlog was not confirmed: " + ledger.failed()
          + " of " + count + " failed before any fault");
    }
  }

  /**
   * Publishes at the steady rate for the run's time, running {@code fault} on its own thread at
   * the fault time; returns once every publish was sent and the fault is over.
   */
  static void paced(Broker broker, Channel channel, Ledger ledger, Campaign.Sizes sizes,
      Runnable fault) {
    Thread faults = new Thread(() -> {
      Waits.pause(Duration.ofMillis((long) (sizes.faultAtSeconds() * 1000)));
      fault.run();
    }, "chaos-fault");
    Semaphore window = new Semaphore(20_000);  // bounds memory while the broker is away
    long start = System.nanoTime();
    long interval = TimeUnit.SECONDS.toNanos(1) / sizes.rate();
    int total = sizes.rate() * sizes.publishSeconds();
    faults.start();
    for (int i = 0; i < total; i++) {
      long due = start + i * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        Waits.pause(Duration.ofNanos(wait));  // pacing the open loop, not waiting for a condition
      }
      window.acquireUninterruptibly();
      publish(broker, channel, ledger, window, channel.name() + "-" + i);
    }
    try {
      faults.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void publish(Broker broker, Channel channel, Ledger ledger, Semaphore window,
      String id) {
    ledger.published(id);
    try {
      broker.publish(Message.builder().id(id).channel(channel).event("chaos")
          .payload(id).build()).whenComplete((receipt, error) -> {
            if (error == null) {
              ledger.confirmed(id);
            } else {
              ledger.failed(id);
            }
            window.release();
          });
    } catch (RuntimeException refused) {
      ledger.failed(id);
      window.release();
    }
  }

  /** Waits until every publish has an outcome. */
  static void awaitSettled(Ledger ledger) {
    Waits.await(() -> ledger.pending() == 0, Duration.ofSeconds(180), "every publish settled");
  }
}
