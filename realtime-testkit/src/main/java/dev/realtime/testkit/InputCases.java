package dev.realtime.testkit;

import static dev.realtime.testkit.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Broker;
import dev.realtime.Capabilities;
import dev.realtime.Capability;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.PayloadTooLargeException;
import dev.realtime.PublishReceipt;
import dev.realtime.channel.Channel;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.subscription.SubscriptionSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Cases about input the SDK did not make: payloads over the broker's limit, foreign records. */
final class InputCases {
  /** How far the limit an error names may be from the environment's (envelope, rounding). */
  private static final long LIMIT_TOLERANCE = 64 * 1024;
  private static final Pattern NUMBER = Pattern.compile("\\d[\\d,_]*");

  private InputCases() {}

  static List<ConformanceCase> all() {
    return List.of(
        ConformanceCase.withHook(33, "broker limits", Set.of(),
            ConformanceCase.Hook.BROKER_LIMIT, InputCases::brokerLimits),
        ConformanceCase.withHook(34, "foreign records", Set.of(),
            ConformanceCase.Hook.FOREIGN_WRITER, InputCases::foreignRecords));
  }

  /**
   * Case 33. With {@code realtime.max-payload-bytes} above the broker's own limit, a payload
   * over the broker's limit is refused before it is sent ({@link PayloadTooLargeException},
   * naming both limits), and the small publishes sent around it, without waiting, are each
   * stored once and delivered.
   */
  private static void brokerLimits(CaseContext ctx) throws Exception {
    long limit = ctx.environment().brokerPayloadLimit().orElseThrow();
    long sdkLimit = Math.max(limit * 4, 8L * 1024 * 1024);
    RealtimeConfig config = ctx.environment().config().newBuilder()
        .set("realtime.max-payload-bytes", Long.toString(sdkLimit)).build();
    Broker broker = ctx.client(config);
    Channel channel = ctx.channel("limits");
    DeliveryLog log = ctx.log("publishes around the oversized one");
    ctx.track(broker.subscribe(SubscriptionSpec.builder().channel(channel).build(), log));
    ctx.awaitAttached(channel, log);

    List<String> small = new ArrayList<>();
    List<CompletableFuture<PublishReceipt>> pending = new ArrayList<>();
    Message oversized = Message.builder().channel(channel).event("oversized")
        .payload(new byte[Math.toIntExact(limit * 2)]).build();
    Throwable refusal = null;
    for (int i = 0; i < 400; i++) {
      if (i == 200) {
        try {
          broker.publish(oversized).toCompletableFuture()
              .get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          refusal = e.getCause();
        } catch (RuntimeException e) {
          refusal = e;
        }
      }
      Message message = ctx.message(channel, "small" + i);
      pending.add(broker.publish(message).toCompletableFuture());
      small.add(message.id());
    }
    for (CompletableFuture<PublishReceipt> confirm : pending) {
      confirm.get(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS);
    }
    assertThat(refusal).as("a publish of %d bytes, over the broker's limit of %d",
        limit * 2, limit).isInstanceOf(PayloadTooLargeException.class);
    String text = String.valueOf(refusal.getMessage());
    assertThat(text).as("the refusal names the SDK's limit").contains("realtime.max-payload-bytes");
    assertThat(namesLimitNear(text, limit)).as("the refusal \"%s\" names the broker's limit "
        + "(%d bytes, give or take the envelope)", text, limit).isTrue();

    log.awaitAll(small, ctx.deadline());
    assertThat(log.ids()).as("the oversized message").doesNotContain(oversized.id());
    if (broker.capabilities().has(Capability.REPLAY)) {
      List<String> stored = CaseContext.ids(broker.history(channel,
          HistoryQuery.earliest().limit(HistoryQuery.MAX_LIMIT)));
      List<String> twice = new ArrayList<>(stored);
      Set.copyOf(stored).forEach(twice::remove);
      assertThat(twice).as("ids stored more than once").isEmpty();
      assertThat(stored).containsAll(small);
    }
    Map<String, Integer> duplicates = log.duplicates();
    duplicates.keySet().retainAll(small);
    assertThat(duplicates).as("small publishes delivered more than once").isEmpty();
  }

  private static boolean namesLimitNear(String text, long limit) {
    Matcher matcher = NUMBER.matcher(text);
    while (matcher.find()) {
      try {
        long number = Long.parseLong(matcher.group().replace(",", "").replace("_", ""));
        if (Math.abs(number - limit) <= LIMIT_TOLERANCE) {
          return true;
        }
      } catch (NumberFormatException e) {
        // Longer than a long: not a limit.
      }
    }
    return false;
  }

  /**
   * Case 34. Records written by another client (no envelope, part of one, a time that does not
   * parse) are delivered with defaults (an id, an event, a time; the body as the payload) or
   * dead-lettered, never lost or left blocking the channel: a message published after them
   * arrives, to a broadcast subscriber and to a group.
   */
  private static void foreignRecords(CaseContext ctx) throws Exception {
    Capabilities capabilities = ctx.broker().capabilities();
    Channel channel = ctx.channel("foreign");
    boolean groups = capabilities.has(Capability.CONSUMER_GROUPS);
    String group = ctx.group("readers");
    if (groups) {
      ctx.ensureGroups(channel, group);
    }
    Channel deadLetters = capabilities.has(Capability.DEAD_LETTER)
        ? ctx.channel("foreign-dlq") : null;
    List<Message> dead = new CopyOnWriteArrayList<>();
    if (deadLetters != null) {
      DeliveryLog dlq = ctx.log("dead letters");
      ctx.subscribe(SubscriptionSpec.builder().channel(deadLetters).build(), m -> {
        dead.add(m);
        dlq.record(m);
      });
      ctx.awaitAttached(deadLetters, dlq);
    }
    SubscriptionSpec.Builder spec = SubscriptionSpec.builder().channel(channel)
        .retryPolicy(HandlingCases.FAST_RETRY);
    if (deadLetters != null) {
      spec.deadLetterChannel(deadLetters);
    }
    List<Message> broadcast = new CopyOnWriteArrayList<>();
    DeliveryLog broadcastLog = ctx.log("broadcast subscriber");
    ctx.subscribe(spec.build(), m -> {
      broadcast.add(m);
      broadcastLog.record(m);
    });
    ctx.awaitAttached(channel, broadcastLog);
    List<Message> grouped = new CopyOnWriteArrayList<>();
    DeliveryLog groupLog = ctx.log("group member");
    if (groups) {
      ctx.subscribe(spec.group(group).build(), m -> {
        grouped.add(m);
        groupLog.record(m);
      });
    }

    Map<ForeignWriter.Form, byte[]> payloads = new EnumMap<>(ForeignWriter.Form.class);
    for (ForeignWriter.Form form : ForeignWriter.Form.values()) {
      byte[] payload = ("{\"foreign\":\"" + form + "\",\"n\":\"" + UUID.randomUUID() + "\"}")
          .getBytes(StandardCharsets.UTF_8);
      payloads.put(form, payload);
      ctx.foreignWriter().write(channel, form, payload);
    }
    Message after = ctx.message(channel, "after-foreign");
    ctx.confirm(after);

    broadcastLog.awaitAll(List.of(after.id()), ctx.deadline());
    checkForeign("broadcast subscriber", broadcast, dead, payloads, ctx);
    if (groups) {
      groupLog.awaitAll(List.of(after.id()), ctx.deadline());
      checkForeign("group member", grouped, dead, payloads, ctx);
    }
    if (capabilities.has(Capability.REPLAY)) {
      List<Message> history = ctx.broker().history(channel, HistoryQuery.earliest());
      for (Map.Entry<ForeignWriter.Form, byte[]> entry : payloads.entrySet()) {
        assertThat(history).as("history holds the %s record", entry.getKey())
            .anyMatch(m -> Arrays.equals(m.payload(), entry.getValue()));
      }
    }
  }

  private static void checkForeign(String who, List<Message> received, List<Message> dead,
      Map<ForeignWriter.Form, byte[]> payloads, CaseContext ctx) {
    for (Map.Entry<ForeignWriter.Form, byte[]> entry : payloads.entrySet()) {
      byte[] payload = entry.getValue();
      try {
        await().atMost(ctx.deadline()).until(() -> received.stream().anyMatch(m -> Arrays
            .equals(m.payload(), payload)) || dead.stream().anyMatch(m -> Arrays
            .equals(m.payload(), payload)));
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("the " + who + " never received the foreign record with "
            + entry.getKey() + ", nor did the dead-letter channel", e);
      }
      received.stream().filter(m -> Arrays.equals(m.payload(), payload)).forEach(m -> {
        assertThat(m.id()).as("%s: id of the %s record", who, entry.getKey()).isNotBlank();
        assertThat(m.event()).as("%s: event of the %s record", who, entry.getKey())
            .isNotBlank();
        assertThat(m.timestamp()).as("%s: time of the %s record", who, entry.getKey())
            .isNotNull();
        assertThat(m.deliveryAttempt()).isPositive();
      });
      if (dead.stream().anyMatch(m -> Arrays.equals(m.payload(), payload))) {
        ctx.note(who + ": the " + entry.getKey() + " record was dead-lettered");
      }
    }
  }
}
