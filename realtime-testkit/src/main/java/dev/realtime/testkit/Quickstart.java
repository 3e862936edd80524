package dev.realtime.testkit;

import dev.realtime.Realtime;
import dev.realtime.subscription.SubscriptionSpec;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The README's quickstart: QuickstartTest compares the two, QuickstartRun runs it anywhere. */
public class Quickstart {
  public static void main(String[] args) throws InterruptedException {
    CountDownLatch received = new CountDownLatch(2);
    try (Realtime realtime = Realtime.create()) {  // realtime.broker picks the adapter
      // Broadcast: every server that subscribes receives every message.
      realtime.on("user.1", message -> {
        System.out.println("push to user 1: " + message.payloadAsString());
        received.countDown();
      });
      // Group: the members of "mailers" share the work; each message goes to one of them.
      realtime.on(SubscriptionSpec.builder().channels("jobs.email").group("mailers").build(),
          message -> {
            System.out.println("send mail " + realtime.read(message, Map.class));
            received.countDown();
          });

      realtime.broadcast("user.1", "notification", Map.of("title", "Hello"))
          .toCompletableFuture().join();  // completes once the broker has the message
      realtime.broadcast("jobs.email", "welcome", Map.of("to", "ada@example.com"))
          .toCompletableFuture().join();
      received.await(10, TimeUnit.SECONDS);  // a server would keep running instead
    }  // close() drains: running handlers finish and are acknowledged
  }
}
