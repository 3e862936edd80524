package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.Message;
import dev.realtime.PayloadTooLargeException;
import dev.realtime.channel.Channel;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.process.RedisProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What needs a redis-server of the test's own, configured (or killed) as the shared one must not
 * be: Redis's limit on a bulk string (proto-max-bulk-len), with an oversized payload refused
 * before it is sent and a confirmed publish stored once when Redis drops the connection under
 * publishes in flight (issue 14, item 2); an acknowledgement that never reaches Redis (item 5).
 */
class RedisOwnServerTest {
  private static final int SMALL = 2000;
  private static final int BIG = 2 * 1024 * 1024;

  private static Broker open(RedisProcess redis) {
    return Brokers.open(RealtimeConfig.builder().set("realtime.broker", "redis")
        .set("realtime.redis.uri", redis.uri()).set("realtime.max-payload-bytes", "8MiB")
        .set("realtime.redis.timeout", "5s").build());
  }

  /**
   * Issue 14, item 5: an entry whose handler finished but whose XACK Redis never ran is
   * delivered again as attempt 2, also after its member closed and handed back what it held
   * (the hand-back gives back only deliveries no handler finished). XACK is renamed away, so
   * every acknowledgement is lost.
   */
  @Test
  void aRedeliveryAfterALostAckCountsOneMoreAttempt() throws Exception {
    try (RedisProcess redis = RedisProcess.builder().args("--rename-command", "XACK", "\"\"")
        .start();
        Broker broker = open(redis)) {
      Channel channel = Channel.of("acks");
      broker.admin().ensure(dev.realtime.channel.ChannelSpec.builder(channel).groups("g")
          .build());
      dev.realtime.subscription.SubscriptionSpec spec = dev.realtime.subscription
          .SubscriptionSpec.builder().channel(channel).group("g").build();
      Map<String, Integer> first = new ConcurrentHashMap<>();
      Message message = Message.builder().channel(channel).event("e").build();
      try (dev.realtime.subscription.Subscription subscription = broker.subscribe(spec,
          m -> first.put(m.id(), m.deliveryAttempt()))) {
        broker.publish(message).toCompletableFuture().get(10, TimeUnit.SECONDS);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
            .until(() -> first.containsKey(message.id()));
      } // Its XACK failed: closing hands the entry back.
      assertThat(first).containsEntry(message.id(), 1);

      Map<String, Integer> second = new ConcurrentHashMap<>();
      try (dev.realtime.subscription.Subscription subscription = broker.subscribe(spec,
          m -> second.put(m.id(), m.deliveryAttempt()))) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
            .until(() -> second.containsKey(message.id()));
      }
      assertThat(second).as("handled once already").containsEntry(message.id(), 2);
    }
  }

  /**
   * Issue 14, item 12: Redis going away is warned once per broker and outage, with its root
   * cause, whatever keeps trying meanwhile (publishes, a group subscription, a Pub/Sub one), and
   * its return is said once. Lettuce's own reconnect messages (io.lettuce) are not counted.
   */
  @Test
  void anOutageIsWarnedOncePerBrokerWithItsCause() throws Exception {
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(new java.io.OutputStream() {
      @Override
      public void write(int b) {
        original.write(b);
        synchronized (captured) {
          captured.write(b);
        }
      }

      @Override
      public void write(byte[] bytes, int offset, int length) {
        original.write(bytes, offset, length);
        synchronized (captured) {
          captured.write(bytes, offset, length);
        }
      }
    }, true));
    java.util.function.Function<String, Long> lines = text -> {
      synchronized (captured) {
        return captured.toString(StandardCharsets.UTF_8).lines()
            .filter(line -> line.contains(text)).count();
      }
    };
    try (RedisProcess redis = RedisProcess.start();
        Broker streams = Brokers.open(RealtimeConfig.builder().set("realtime.broker", "redis")
            .set("realtime.redis.uri", redis.uri()).set("realtime.redis.timeout", "2s")
            .build());
        Broker pubSub = Brokers.open(RealtimeConfig.builder().set("realtime.broker", "redis")
            .set("realtime.redis.uri", redis.uri()).set("realtime.redis.timeout", "2s")
            .set("realtime.redis.mode", "pubsub").build())) {
      Channel channel = Channel.of("outage");
      streams.subscribe(dev.realtime.subscription.SubscriptionSpec.builder().channel(channel)
          .group("g").build(), m -> { });
      pubSub.subscribe(dev.realtime.subscription.SubscriptionSpec.builder().channel(channel)
          .build(), m -> { });
      redis.kill();
      Runnable keepTrying = () -> {
        streams.publish(Message.builder().channel(channel).event("e").build());
        pubSub.publish(Message.builder().channel(channel).event("e").build());
      };
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
          .until(() -> {
            keepTrying.run();
            return lines.apply("WARN dev.realtime.redis") >= 2;
          });
      // Several more reconnect attempts fail meanwhile (one every 2 s at most, per connection).
      org.awaitility.Awaitility.await().during(java.time.Duration.ofSeconds(5))
          .atMost(java.time.Duration.ofSeconds(20)).until(() -> {
            keepTrying.run();
            return lines.apply("WARN dev.realtime.redis") == 2;
          });
      assertThat(lines.apply("WARN dev.realtime.redis.RedisBroker - cannot reach Redis"))
          .isEqualTo(2);
      assertThat(lines.apply("Connection refused")).isPositive();
      redis.restart();
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
          .until(() -> lines.apply("answers again") == 2);
    } finally {
      System.setErr(original);
    }
    assertThat(lines.apply("WARN dev.realtime.redis")).as("nothing more at close").isEqualTo(2);
  }

  /**
   * Issue 14, item 9: with Redis gone, close() returns within realtime.close-timeout (5 s by
   * default), not after the command timeout of each final step (10 s each, 28.7 s in all
   * before): a group member blocked in XREADGROUP, with handled entries to acknowledge and a
   * handler running, a broadcast subscriber, and a Pub/Sub broker. What it could not hand back
   * stays pending in the group.
   */
  @Test
  void closeWithRedisGoneReturnsWithinTheCloseTimeout() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      Broker streams = Brokers.open(RealtimeConfig.builder().set("realtime.broker", "redis")
          .set("realtime.redis.uri", redis.uri()).build()); // realtime.redis.timeout 10s
      Broker pubSub = Brokers.open(RealtimeConfig.builder().set("realtime.broker", "redis")
          .set("realtime.redis.uri", redis.uri()).set("realtime.redis.mode", "pubsub").build());
      Channel channel = Channel.of("closing");
      streams.admin().ensure(dev.realtime.channel.ChannelSpec.builder(channel).groups("g")
          .build());
      java.util.concurrent.CountDownLatch handled = new java.util.concurrent.CountDownLatch(3);
      streams.subscribe(dev.realtime.subscription.SubscriptionSpec.builder().channel(channel)
          .group("g").concurrency(2).build(), m -> {
            handled.countDown();
            if (m.event().equals("stuck")) {
              new java.util.concurrent.CountDownLatch(1).await(); // Until close interrupts it.
            }
          });
      streams.subscribe(dev.realtime.subscription.SubscriptionSpec.builder().channel(channel)
          .build(), m -> { });
      pubSub.subscribe(dev.realtime.subscription.SubscriptionSpec.builder().channel(channel)
          .build(), m -> { });
      for (String event : List.of("a", "b", "stuck")) {
        streams.publish(Message.builder().channel(channel).event(event).key(event).build())
            .toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      assertThat(handled.await(30, TimeUnit.SECONDS)).isTrue();
      redis.kill();

      // Each broker within its close timeout, plus a margin for a loaded machine.
      for (Broker broker : List.of(streams, pubSub)) {
        long start = System.nanoTime();
        broker.close();
        java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - start);
        System.out.println(broker + ": close with Redis gone took " + took.toMillis() + " ms");
        assertThat(took).isLessThan(java.time.Duration.ofSeconds(5 + 2));
      }
    }
  }

  /** What a publisher confirmed and what the stream holds, by message id. */
  private record Outcome(Set<String> confirmed, int failed, Map<String, Integer> stored,
      long length, List<Throwable> refusals) {}

  /** 2,000 small publishes, one of 2 MiB, 2,000 small, all in flight at once. */
  private static Outcome publishAroundABigOne(Broker broker, RedisProcess redis,
      Channel channel) {
    Set<String> confirmed = ConcurrentHashMap.newKeySet();
    List<CompletableFuture<?>> sent = new ArrayList<>();
    List<Throwable> refusals = new ArrayList<>();
    for (int i = 0; i < 2 * SMALL + 1; i++) {
      byte[] payload = i == SMALL ? new byte[BIG]
          : ("line " + i).getBytes(StandardCharsets.UTF_8);
      Message message = Message.builder().channel(channel).event("line").payload(payload)
          .build();
      try {
        sent.add(broker.publish(message).toCompletableFuture()
            .thenRun(() -> confirmed.add(message.id())));
      } catch (PayloadTooLargeException e) {
        refusals.add(e);
      }
    }
    int failed = 0;
    for (CompletableFuture<?> publish : sent) {
      try {
        publish.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        failed++;
      }
    }
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> raw = client.connect()) {
      String key = "realtime:" + channel.name();
      Map<String, Integer> stored = new HashMap<>();
      for (StreamMessage<String, String> entry : raw.sync().xrange(key,
          io.lettuce.core.Range.create("-", "+"))) {
        stored.merge(entry.getBody().get("id"), 1, Integer::sum);
      }
      return new Outcome(confirmed, failed, stored, raw.sync().xlen(key), refusals);
    } finally {
      client.shutdown();
    }
  }

  @Test
  void aPayloadOverRedisLimitIsRefusedBeforeSendingNamingBothLimits() {
    try (RedisProcess redis = RedisProcess.builder().args("--proto-max-bulk-len", "1mb")
        .start();
        Broker broker = open(redis)) {
      Outcome outcome = publishAroundABigOne(broker, redis, Channel.of("limits"));

      assertThat(outcome.refusals()).singleElement().satisfies(e -> assertThat(e)
          .isInstanceOf(PayloadTooLargeException.class)
          .hasMessageContaining(BIG + " bytes")
          .hasMessageContaining("realtime.max-payload-bytes is 8388608")
          .hasMessageContaining("proto-max-bulk-len").hasMessageContaining("1048576"));
      assertThat(((PayloadTooLargeException) outcome.refusals().get(0)).limit())
          .isEqualTo(1024 * 1024);
      assertThat(outcome.failed()).isZero();
      assertThat(outcome.confirmed()).hasSize(2 * SMALL);
      assertThat(outcome.length()).isEqualTo(2 * SMALL);
      assertThat(outcome.stored().keySet()).isEqualTo(outcome.confirmed());
      assertThat(outcome.stored().values()).containsOnly(1);
    }
  }

  @Test
  void inPubSubModeTheEnvelopeCountsAgainstTheLimit() {
    try (RedisProcess redis = RedisProcess.builder().args("--proto-max-bulk-len", "1mb")
        .start();
        Broker broker = Brokers.open(RealtimeConfig.builder().set("realtime.broker", "redis")
            .set("realtime.redis.uri", redis.uri()).set("realtime.redis.mode", "pubsub")
            .set("realtime.max-payload-bytes", "8MiB").build())) {
      // Exactly the bulk limit fits a stream's payload field, but not a frame with its envelope.
      Message message = Message.builder().channel(Channel.of("frames")).event("e")
          .payload(new byte[1024 * 1024]).build();
      assertThatThrownBy(() -> broker.publish(message))
          .isInstanceOf(PayloadTooLargeException.class).hasMessageContaining("envelope");
    }
  }

  /**
   * A server that will not say its limit (CONFIG renamed, as managed services do) is taken to
   * have Redis's default; the 2 MiB publish then reaches Redis, which closes the connection
   * under the publishes in flight. Those may fail, but none is stored twice: Lettuce would write
   * them again after reconnecting.
   */
  @Test
  void aDroppedConnectionNeverStoresAConfirmedPublishTwice() {
    try (RedisProcess redis = RedisProcess.builder().args("--proto-max-bulk-len", "1mb",
        "--rename-command", "CONFIG", "\"\"").start();
        Broker broker = open(redis)) {
      for (int round = 0; round < 3; round++) {
        Channel channel = Channel.of("dropped" + round);
        Outcome outcome = publishAroundABigOne(broker, redis, channel);

        assertThat(outcome.refusals()).isEmpty(); // The limit was not known: it was sent.
        assertThat(outcome.failed()).as("the 2 MiB one at least").isPositive();
        assertThat(outcome.confirmed().size() + outcome.failed()).isEqualTo(2 * SMALL + 1);
        assertThat(outcome.stored().keySet()).containsAll(outcome.confirmed());
        assertThat(outcome.stored().values()).as("no message stored twice").containsOnly(1);
        assertThat(outcome.length()).isEqualTo(outcome.stored().size());
      }
    }
  }
  /**
   * A publish Redis does not answer (all writes paused) fails after realtime.redis.timeout,
   * saying so, and the connection goes on: publishes time out in SendOnce's sweep, not in a
   * Lettuce timer per command.
   */
  @Test
  void aPublishRedisDoesNotAnswerFailsAfterTheTimeout() throws Exception {
    try (RedisProcess redis = RedisProcess.start();
        Broker broker = Brokers.open(RealtimeConfig.builder().set("realtime.broker", "redis")
            .set("realtime.redis.uri", redis.uri()).set("realtime.redis.timeout", "1s")
            .set("realtime.publish-timeout", "30s").build());
        RedisClient client = RedisClient.create(redis.uri());
        StatefulRedisConnection<String, String> raw = client.connect()) {
      Channel channel = Channel.of("paused");
      broker.publish(Message.builder().channel(channel).event("before").build())
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      client("PAUSE", "20000", "WRITE", raw);
      long start = System.nanoTime();
      CompletableFuture<?> paused = broker.publish(Message.builder().channel(channel)
          .event("during").id("unanswered-1").build()).toCompletableFuture();
      assertThatThrownBy(() -> paused.get(15, TimeUnit.SECONDS))
          .hasMessageContaining("unanswered-1")
          .hasMessageContaining("did not answer within PT1S (realtime.redis.timeout)");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
          .as("failed at the timeout, not at the pause's end").isLessThan(10_000);
      client("UNPAUSE", null, null, raw);
      broker.publish(Message.builder().channel(channel).event("after").build())
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
  /** CLIENT PAUSE ms WRITE, CLIENT UNPAUSE: Lettuce 6 sends no mode with its clientPause. */
  private static void client(String subcommand, String millis, String mode,
      StatefulRedisConnection<String, String> raw) {
    io.lettuce.core.codec.StringCodec codec = io.lettuce.core.codec.StringCodec.UTF8;
    io.lettuce.core.protocol.CommandArgs<String, String> args =
        new io.lettuce.core.protocol.CommandArgs<>(codec).add(subcommand);
    if (millis != null) {
      args.add(millis).add(mode);
    }
    assertThat(raw.sync().dispatch(io.lettuce.core.protocol.CommandType.CLIENT,
        new io.lettuce.core.output.StatusOutput<>(codec), args)).isEqualTo("OK");
  }
}
