package dev.realtime.cli;

import dev.realtime.Realtime;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The README's first command: three simulated application servers subscribe to a user's channel
 * (every server receives every message, so each can push it to the WebSocket clients it holds),
 * and two workers share a job channel as one group (each job runs once). Runs on whatever broker
 * the configuration names; the in-memory one by default, which needs nothing installed.
 */
public final class Demo {
  private static final int NOTIFICATIONS = 5;
  private static final int JOBS = 10;

  private Demo() {}

  public static void main(String[] args) throws InterruptedException {
    RealtimeConfig config = RealtimeConfig.load();
    try (Realtime realtime = Realtime.create(config)) {
      System.out.println("broker: " + realtime.broker().name() + " "
          + realtime.broker().capabilities());
      List<Subscription> subscriptions = new ArrayList<>();
      CountDownLatch delivered = new CountDownLatch(3 * NOTIFICATIONS + JOBS);

      for (String server : List.of("server-a", "server-b", "server-c")) {
        subscriptions.add(realtime.on("user.1", message -> {
          Map<?, ?> payload = realtime.read(message, Map.class);
          System.out.printf("%s  user.1  %-12s %s%n", server, message.event(), payload);
          delivered.countDown();
        }));
      }
      Map<String, AtomicInteger> jobsPerWorker = new ConcurrentHashMap<>();
      for (String worker : List.of("worker-1", "worker-2")) {
        jobsPerWorker.put(worker, new AtomicInteger());
        subscriptions.add(realtime.on(
            // One job at a time per worker, so that the group spreads jobs over its members
            // instead of the first one fetching the whole backlog in one batch.
            SubscriptionSpec.builder().channels("jobs.thumbnails").group("thumbnailers")
                .batchSize(1).maxInFlight(1).build(),
            message -> {
              jobsPerWorker.get(worker).incrementAndGet();
              System.out.printf("%s  jobs.thumbnails  %-8s %s%n", worker, message.event(),
                  realtime.read(message, Map.class));
              delivered.countDown();
            }));
      }

      for (int i = 1; i <= NOTIFICATIONS; i++) {
        realtime.broadcast("user.1", "notification", Map.of("title", "Hello #" + i))
            .toCompletableFuture().join();
      }
      for (int i = 1; i <= JOBS; i++) {
        realtime.broadcast("jobs.thumbnails", "resize", Map.of("image", i))
            .toCompletableFuture().join();
      }

      boolean all = delivered.await(30, TimeUnit.SECONDS);
      subscriptions.forEach(Subscription::close);
      System.out.println();
      System.out.println("each of 3 servers received " + NOTIFICATIONS + " notifications; "
          + JOBS + " jobs were shared by the group: " + jobsPerWorker);
      if (!all) {
        System.err.println("not everything arrived within 30 s: " + delivered.getCount()
            + " deliveries missing");
        System.exit(1);
      }
    }
  }
}
