package dev.realtime.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Message;
import dev.realtime.subscription.SubscriptionSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class PollingSubscriptionTest {
  /**
   * A subscription whose poll thread, once closed, does slow last work (as the Redis adapter
   * hands back unfinished entries) that must not be cut short by a process exiting.
   */
  private static final class SlowToFinish extends PollingSubscription {
    final AtomicBoolean lastWorkDone = new AtomicBoolean();
    final CountDownLatch dispatched = new CountDownLatch(1);
    final java.util.Map<String, Dispatcher.Outcome> settled =
        new java.util.concurrent.ConcurrentHashMap<>();
    final java.util.Map<String, Dispatcher.Outcome> settledWhenClosed =
        new java.util.concurrent.ConcurrentHashMap<>();

    SlowToFinish(SubscriptionSpec spec, dev.realtime.subscription.MessageHandler handler) {
      super(spec, "slow-to-finish");
      useDispatcher(Dispatcher.builder(spec).handler(handler)
          .settlement((m, o) -> settled.put(m.id(), o))
          .deadLetters(deadLetter -> java.util.concurrent.CompletableFuture.completedFuture(null))
          .capacityListener(this::wake).build());
      startPolling();
    }

    @Override
    protected void poll() {
      dispatcher().dispatch(List.of(Message.builder().channel("a").event("e").build()));
      dispatched.countDown();
      while (isActive()) {
        awaitWake(Duration.ofMillis(50));
      }
      try {
        dispatcher().terminated().toCompletableFuture().get(5, TimeUnit.SECONDS);
        TimeUnit.MILLISECONDS.sleep(300); // Stands in for the broker round trips of the end.
        lastWorkDone.set(true);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    protected void closed() {
      settledWhenClosed.putAll(settled); // What an adapter could still acknowledge.
    }
  }

  @Test
  void aCloseFromOutsideWaitsForThePollThreadAfterAHandlerBeganClosing() throws Exception {
    SlowToFinish[] self = new SlowToFinish[1];
    CountDownLatch assigned = new CountDownLatch(1);
    CountDownLatch handlerClosed = new CountDownLatch(1);
    self[0] = new SlowToFinish(SubscriptionSpec.of("a"), message -> {
      assigned.await();
      self[0].dispatched.await();
      self[0].close(Duration.ZERO); // As `realtime consume --max-messages` does.
      handlerClosed.countDown();
      TimeUnit.MILLISECONDS.sleep(100); // The rest of the handler's work, after closing.
    });
    assigned.countDown();
    assertThat(handlerClosed.await(5, TimeUnit.SECONDS)).isTrue();

    self[0].close();

    assertThat(self[0].lastWorkDone).as("the poll thread's last work finished").isTrue();
    assertThat(self[0].settledWhenClosed.values())
        .as("the closing handler's message was settled before the adapter let go of its "
            + "clients, so it can be acknowledged")
        .containsExactly(Dispatcher.Outcome.PROCESSED);
  }
}
